from odoo.tests import TransactionCase, tagged

from odoo.addons.cobranca_email.tests.test_i18n import untranslated_terms


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_translated_in_pt_br(self):
        missing = untranslated_terms(self.env, "cobranca_cnab")
        self.assertFalse(missing, "terms without a pt_BR translation:\n" + "\n".join(missing))

    def test_portuguese_users_read_the_bank_s_words_in_portuguese(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"].search([("name", "=", "cobranca_cnab")])._update_translations(["pt_BR"])
        menu = self.env.ref("cobranca_cnab.menu_cobranca_cnab_file").with_context(lang="pt_BR")
        self.assertEqual(menu.name, "Arquivos CNAB")
        labels = dict(
            self.env["cobranca.boleto"]
            .with_context(lang="pt_BR")
            ._fields["cnab_state"]
            ._description_selection(self.env(context={"lang": "pt_BR"}))
        )
        self.assertEqual(labels["rejected"], "Rejeitado")
