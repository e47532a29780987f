from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cobranca_wallet_id = fields.Many2one(
        related="company_id.cobranca_wallet_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
