"""A line of a CNAB file: a boleto a remessa carried with its instruction, or an occurrence a retorno
brought, with the bank's code and text (in Portuguese, as the bank's manual prints it), the amounts,
and what the import did with it. The retorno lines of a boleto are its occurrences."""

from odoo import fields, models

from ..const import KINDS, LINE_RESULTS, MOVEMENTS


class CobrancaCnabLine(models.Model):
    _name = "cobranca.cnab.line"
    _description = "CNAB File Line"
    _order = "date desc, file_id desc, line_number, id"

    file_id = fields.Many2one(
        comodel_name="cobranca.cnab.file",
        string="CNAB File",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    kind = fields.Selection(related="file_id.kind", store=True)
    date = fields.Datetime(related="file_id.date", store=True)
    wallet_id = fields.Many2one(related="file_id.wallet_id", store=True, index=True)
    company_id = fields.Many2one(related="file_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    boleto_id = fields.Many2one(
        comodel_name="cobranca.boleto",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    move_id = fields.Many2one(related="boleto_id.move_id", string="Invoice")
    line_number = fields.Integer(string="Line", readonly=True)
    nosso_numero = fields.Char(string="Nosso Número", readonly=True)
    movement = fields.Selection(selection=MOVEMENTS, string="Instruction", readonly=True)
    code = fields.Char(readonly=True, help="The bank's occurrence code.")
    description = fields.Char(string="Occurrence", readonly=True, help="The bank's text for the code.")
    occurrence_kind = fields.Selection(selection=KINDS, string="Meaning", readonly=True)
    reasons = fields.Text(readonly=True, help="The bank's reasons (motivos), code and text.")
    amount = fields.Monetary(readonly=True)
    paid_amount = fields.Monetary(string="Paid", readonly=True)
    credited_amount = fields.Monetary(string="Credited", readonly=True)
    interest_fine = fields.Monetary(string="Interest and Fine", readonly=True)
    discount = fields.Monetary(string="Discount and Rebate", readonly=True)
    fee = fields.Monetary(string="Bank Fee", readonly=True)
    occurrence_date = fields.Date(readonly=True)
    credit_date = fields.Date(readonly=True)
    result = fields.Selection(selection=LINE_RESULTS, readonly=True)
    message = fields.Char(string="What Was Done", readonly=True)
    payment_id = fields.Many2one(comodel_name="account.payment", readonly=True, ondelete="set null")
