from odoo import fields, models


class CobrancaDunningState(models.Model):
    """Where a customer's dunning cycle stands in a company; written by the dunning run only.

    Its row is also the run's lock: a run claims a customer by locking this row, so two runs at the
    same time never notify the same customer twice.
    """

    _name = "cobranca.dunning.state"
    _description = "Dunning State of a Customer"
    _order = "next_notice_date, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        ondelete="cascade",
        readonly=True,
    )
    last_notice_date = fields.Date(string="Last Notice", readonly=True)
    next_notice_date = fields.Date(
        string="Next Notice",
        readonly=True,
        help="The first day a notice is due if nothing is paid or invoiced meanwhile; each run decides again.",
    )
    notice_count = fields.Integer(string="Notices Sent", readonly=True)
    last_run_date = fields.Date(
        string="Last Planned",
        readonly=True,
        help="The last day a dunning run planned this customer, whether a notice was due or not.",
    )

    _sql_constraints = [
        ("partner_company_unique", "UNIQUE(partner_id, company_id)", "One dunning state per customer and company."),
    ]
