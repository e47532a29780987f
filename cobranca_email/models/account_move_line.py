from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    cobranca_boleto_ids = fields.One2many(
        comodel_name="cobranca.boleto",
        inverse_name="move_line_id",
        string="Boletos",
        copy=False,
    )
    cobranca_last_notice_date = fields.Date(
        string="Last Dunning Notice",
        readonly=True,
        copy=False,
        help="The last dunning notice that listed this installment.",
    )
