from odoo import fields, models

from .res_company import DELIVERY_TYPES


class ResPartner(models.Model):
    _inherit = "res.partner"

    cobranca_wallet_id = fields.Many2one(
        comodel_name="cobranca.wallet",
        string="Billing Wallet",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="The wallet whose boletos this customer's invoices take, instead of the company's default wallet.",
    )
    cobranca_delivery_type = fields.Selection(
        selection=DELIVERY_TYPES,
        string="Boleto Delivery",
        company_dependent=True,
        help="How this customer receives boletos. Empty: the company's default (Invoicing settings). Changing it "
        "applies to invoices created afterwards.",
    )

    def _cobranca_one_line_address(self):
        """The address on one line, as boletos and debt statements print it (no empty parts)."""
        self.ensure_one()
        lines = self._display_address(without_company=True).splitlines()
        return " — ".join(part for part in (line.strip(" ,-") for line in lines) if part)
