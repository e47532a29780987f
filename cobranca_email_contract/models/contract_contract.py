from odoo import api, fields, models

from odoo.addons.cobranca_email.models.res_company import DELIVERY_TYPES


class ContractContract(models.Model):
    _inherit = "contract.contract"

    cobranca_delivery_type = fields.Selection(
        selection=DELIVERY_TYPES,
        string="Boleto Delivery",
        compute="_compute_cobranca_delivery_type",
        store=True,
        readonly=False,
        help="How the boletos of this contract's invoices reach the customer. Defaults to the customer's "
        "choice, then the company's; changing it applies to the next invoices only.",
    )
    cobranca_wallet_id = fields.Many2one(
        comodel_name="cobranca.wallet",
        string="Billing Wallet",
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        help="The wallet whose boletos this contract's invoices take. Empty: the customer's, then the company's.",
    )
    cobranca_auto_post = fields.Boolean(
        string="Post Generated Invoices",
        help="Invoices generated from this contract are posted automatically on their invoice date (Odoo's "
        "auto-post), which issues their boletos and, with e-mail delivery, sends them.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_cobranca_delivery_type(self):
        for contract in self:
            contract.cobranca_delivery_type = contract.partner_id._cobranca_delivery_type_in(contract.company_id)

    def _prepare_invoice(self, date_invoice, journal=None):
        values = super()._prepare_invoice(date_invoice, journal=journal)
        if self.contract_type == "sale":
            values["cobranca_delivery_type"] = self.cobranca_delivery_type
            if self.cobranca_wallet_id:
                values["cobranca_wallet_id"] = self.cobranca_wallet_id.id
            if self.cobranca_auto_post:
                values["auto_post"] = "at_date"
        return values
