from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cobranca_wallet_id = fields.Many2one(
        related="company_id.cobranca_wallet_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
    cobranca_delivery_type = fields.Selection(related="company_id.cobranca_delivery_type", readonly=False)
    cobranca_boleto_mail_server_id = fields.Many2one(
        related="company_id.cobranca_boleto_mail_server_id", readonly=False
    )
    cobranca_boleto_mail_template_id = fields.Many2one(
        related="company_id.cobranca_boleto_mail_template_id",
        readonly=False,
    )
