"""Import Retorno: upload one or more retorno files, for a wallet or for the wallets they are of."""

from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.cobranca_email.tools.access_checks import BILLING_USER, check_companies, check_groups

from ..tools.retorno_importer import RetornoImporter


class CobrancaCnabImport(models.TransientModel):
    _name = "cobranca.cnab.import"
    _description = "Import Retorno"

    wallet_id = fields.Many2one(
        comodel_name="cobranca.wallet",
        string="Billing Wallet",
        domain="[('cnab_layout', '!=', False)]",
        help="Empty: each file goes to the wallet of its bank account.",
    )
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment",
        string="Retorno Files",
        help="The files downloaded from the bank (.RET, .CRT, .TXT...), in CNAB 240 or 400.",
    )

    def action_import(self):
        self.ensure_one()
        check_groups(self.env, [BILLING_USER], _("Only billing e-mail users can import retornos."))
        if self.wallet_id:
            self.wallet_id.check_access("read")
            check_companies(self.env, self.wallet_id.company_id)
        if not self.attachment_ids:
            raise UserError(_("Choose the retorno files to import."))
        importer = RetornoImporter(self.env, self.wallet_id)
        results = [importer.import_file(attachment.name, attachment.raw) for attachment in self.attachment_ids]
        self.attachment_ids.unlink()
        new = [result.file.id for result in results if not result.already]
        if not new:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {"message": "\n".join(result.message for result in results), "type": "info", "sticky": True},
            }
        files = self.env["cobranca.cnab.file"].browse([result.file.id for result in results if result.file])
        return files._action_open(files)
