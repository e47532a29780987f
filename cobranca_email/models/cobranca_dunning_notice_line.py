from odoo import fields, models


class CobrancaDunningNoticeLine(models.Model):
    _name = "cobranca.dunning.notice.line"
    _description = "Debt Listed in a Dunning Notice"
    _order = "notice_id, kind, due_date, id"

    notice_id = fields.Many2one(
        comodel_name="cobranca.dunning.notice",
        required=True,
        ondelete="cascade",
        index=True,
    )
    # Stored and given at creation (the notice's currency): a notice run creates thousands of lines,
    # and each amount is rounded in its currency as it is written.
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    move_line_id = fields.Many2one(
        comodel_name="account.move.line",
        string="Installment",
        ondelete="set null",
        index="btree_not_null",
    )
    move_id = fields.Many2one(comodel_name="account.move", string="Invoice", ondelete="set null")
    boleto_id = fields.Many2one(comodel_name="cobranca.boleto", ondelete="set null")
    kind = fields.Selection(selection=[("overdue", "Overdue"), ("upcoming", "Coming due")], required=True)
    due_date = fields.Date(required=True)
    days_late = fields.Integer()
    amount = fields.Monetary(string="Amount Open")
    fine = fields.Monetary()
    interest = fields.Monetary()
    amount_due = fields.Monetary(string="Amount Due Today")
