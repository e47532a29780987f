from odoo import fields, models


class CobrancaDebtState(models.Model):
    _name = "cobranca.debt.state"
    _description = "Debt Situation"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Text(translate=True)
