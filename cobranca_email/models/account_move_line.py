from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    cobranca_boleto_ids = fields.One2many(
        comodel_name="cobranca.boleto",
        inverse_name="move_line_id",
        string="Boletos",
        copy=False,
    )
