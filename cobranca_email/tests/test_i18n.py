from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

PO_FILE = Path(__file__).resolve().parent.parent / "i18n" / "pt_BR.po"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_translated_in_pt_br(self):
        """Every translatable term of the addon has a Portuguese translation in i18n/pt_BR.po."""
        translated = {entry.msgid for entry in polib.pofile(str(PO_FILE)) if entry.msgstr and not entry.obsolete}
        terms = {
            source
            for _module, _type, _name, _res_id, source, _value, _comments in TranslationModuleReader(
                self.env.cr, modules=["cobranca_email"]
            )
        }
        self.assertTrue(terms, "the addon exports no translatable term")
        missing = sorted(terms - translated)
        self.assertFalse(missing, "terms without a pt_BR translation:\n" + "\n".join(missing))

    def test_portuguese_users_read_portuguese(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"].search([("name", "=", "cobranca_email")])._update_translations(["pt_BR"])
        group = self.env.ref("cobranca_email.group_cobranca_manager").with_context(lang="pt_BR")
        self.assertEqual(group.name, "Cobrança por e-mail: Gerente")
