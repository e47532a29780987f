from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader


def untranslated_terms(env, module):
    """Translatable terms of ``module`` that have no Portuguese translation in its i18n/pt_BR.po."""
    po = polib.pofile(str(Path(get_module_path(module), "i18n", "pt_BR.po")))
    translated = {entry.msgid for entry in po if entry.msgstr and not entry.obsolete}
    terms = {row[4] for row in TranslationModuleReader(env.cr, modules=[module])}
    assert terms, f"{module} exports no translatable term"
    return sorted(terms - translated)


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_translated_in_pt_br(self):
        """Every translatable term of the addon has a Portuguese translation in i18n/pt_BR.po."""
        missing = untranslated_terms(self.env, "cobranca_email")
        self.assertFalse(missing, "terms without a pt_BR translation:\n" + "\n".join(missing))

    def test_portuguese_users_read_portuguese(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"].search([("name", "=", "cobranca_email")])._update_translations(["pt_BR"])
        group = self.env.ref("cobranca_email.group_cobranca_manager").with_context(lang="pt_BR")
        self.assertEqual(group.name, "Cobrança por e-mail: Gerente")
