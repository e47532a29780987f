from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    cobranca_wallet_id = fields.Many2one(
        comodel_name="cobranca.wallet",
        string="Default Billing Wallet",
        domain="[('company_id', '=', id)]",
        help="Customer invoices of this company take their boletos from this wallet, unless the customer "
        "has a wallet of its own.",
    )
