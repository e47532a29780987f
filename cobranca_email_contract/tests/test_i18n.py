from odoo.tests import TransactionCase, tagged

from odoo.addons.cobranca_email.tests.test_i18n import untranslated_terms


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_translated_in_pt_br(self):
        missing = untranslated_terms(self.env, "cobranca_email_contract")
        self.assertFalse(missing, "terms without a pt_BR translation:\n" + "\n".join(missing))
