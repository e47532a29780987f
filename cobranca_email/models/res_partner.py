from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..tools.dunning_presenter import DunningPresenter
from .res_company import DELIVERY_TYPES


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "cobranca.overdue.policy.mixin"]

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
    cobranca_overdue_company_ids = fields.Many2many(
        comodel_name="res.company",
        relation="res_partner_cobranca_overdue_company_rel",
        column1="partner_id",
        column2="company_id",
        string="Only Debts of Companies",
        help="Dun this customer only for the debts of these companies. Empty: as its groups say, or every company.",
    )
    cobranca_overdue_account_ids = fields.Many2many(
        comodel_name="account.account",
        relation="res_partner_cobranca_overdue_account_rel",
        column1="partner_id",
        column2="account_id",
        string="Only Debts in Accounts",
        domain="[('account_type', '=', 'asset_receivable')]",
        help="Dun this customer only for the debts in these receivable accounts. Empty: as its groups say, or "
        "every account.",
    )
    cobranca_overdue_rule_ids = fields.One2many(
        comodel_name="cobranca.overdue.account",
        inverse_name="partner_id",
        string="Overdue E-mails by Company and Account",
        help="Dun this customer for the debts of these companies in these receivable accounts, each line with its "
        "own switch. Empty: as its groups say. In a company where the customer has a receivable account of its own "
        "(Accounting tab), only the debts in that account are dunned.",
    )
    cobranca_effective_overdue = fields.Char(
        string="Overdue Debts",
        compute="_compute_cobranca_effective_policy",
        help="What the dunning notices of the current company do with this customer's overdue debts, and which "
        "setting decides it: this customer, one of its groups, or the company.",
    )
    cobranca_effective_upcoming = fields.Char(
        string="Debts Coming Due",
        compute="_compute_cobranca_effective_policy",
        help="Whether the dunning notices of the current company announce this customer's debts coming due, and "
        "which setting decides it: this customer, one of its groups, or the company.",
    )
    cobranca_effective_tolerance = fields.Char(string="Tolerance", compute="_compute_cobranca_effective_policy")
    cobranca_effective_scope = fields.Char(string="Debts Dunned", compute="_compute_cobranca_effective_policy")
    cobranca_dunning_state_ids = fields.One2many(
        comodel_name="cobranca.dunning.state",
        inverse_name="partner_id",
        string="Dunning States",
    )
    cobranca_dunning_last_date = fields.Date(
        string="Last Dunning Notice",
        compute="_compute_cobranca_dunning_state",
    )
    cobranca_dunning_next_date = fields.Date(
        string="Next Dunning Notice",
        compute="_compute_cobranca_dunning_state",
        help="The first day a notice is due if nothing is paid or invoiced meanwhile; each run decides again.",
    )
    cobranca_dunning_count = fields.Integer(string="Dunning Notices Sent", compute="_compute_cobranca_dunning_state")
    cobranca_dunning_notice_count = fields.Integer(
        string="Dunning Notices",
        compute="_compute_cobranca_dunning_notices",
        groups="cobranca_email.group_cobranca_user",
    )
    cobranca_dunning_undelivered = fields.Char(
        string="Not Delivered",
        compute="_compute_cobranca_dunning_notices",
        groups="cobranca_email.group_cobranca_user",
        help="The customer's latest dunning notice in this company did not arrive: it no longer counts, and the "
        "next run sends a new one.",
    )

    cobranca_email_log_ids = fields.Many2many(
        comodel_name="cobranca.email.log",
        string="E-mails sent",
        compute="_compute_cobranca_email_log_ids",
        groups="cobranca_email.group_cobranca_user",
    )
    cobranca_email_log_count = fields.Integer(
        string="Billing e-mails",
        compute="_compute_cobranca_email_log_ids",
        groups="cobranca_email.group_cobranca_user",
    )

    @api.depends_context("company")
    @api.depends(
        "cobranca_overdue_email",
        "cobranca_overdue_tolerance_days",
        "cobranca_overdue_company_ids",
        "cobranca_overdue_account_ids",
        "cobranca_upcoming_email",
        "cobranca_overdue_rule_ids.company_id",
        "cobranca_overdue_rule_ids.account_id",
        "cobranca_overdue_rule_ids.send",
        "category_id",
        "property_account_receivable_id",
    )
    def _compute_cobranca_effective_policy(self):
        policies = self.env["cobranca.dunning"]._effective_policies(self.env.company, self)
        presenter = DunningPresenter(self.env)
        for partner in self:
            policy = policies[partner.id]
            partner.cobranca_effective_overdue = presenter.switch(policy.enabled, policy.sources["enabled"])
            partner.cobranca_effective_upcoming = presenter.switch(
                policy.upcoming_enabled, policy.sources["upcoming_enabled"]
            )
            partner.cobranca_effective_tolerance = presenter.tolerance(policy)
            partner.cobranca_effective_scope = presenter.scope(policy)

    @api.depends_context("company")
    @api.depends(
        "commercial_partner_id.cobranca_dunning_state_ids.last_notice_date",
        "commercial_partner_id.cobranca_dunning_state_ids.next_notice_date",
        "commercial_partner_id.cobranca_dunning_state_ids.notice_count",
    )
    def _compute_cobranca_dunning_state(self):
        company = self.env.company
        for partner in self:
            state = partner.commercial_partner_id.cobranca_dunning_state_ids.filtered(
                lambda s: s.company_id == company
            )[:1]
            partner.cobranca_dunning_last_date = state.last_notice_date
            partner.cobranca_dunning_next_date = state.next_notice_date
            partner.cobranca_dunning_count = state.notice_count

    @api.depends_context("company")
    def _compute_cobranca_dunning_notices(self):
        Notice = self.env["cobranca.dunning.notice"]
        for partner in self:
            notices = (
                Notice.search(
                    [("partner_id", "=", partner.commercial_partner_id.id), ("company_id", "=", self.env.company.id)]
                )
                if partner.id
                else Notice
            )
            partner.cobranca_dunning_notice_count = len(notices)
            latest = notices[:1]  # newest first
            partner.cobranca_dunning_undelivered = latest.state == "failed" and _(
                "The notice of %(date)s was not delivered: %(reason)s",
                date=format_date(self.env, latest.date),
                reason=latest.failure_reason or _("unknown reason"),
            )

    @api.constrains("cobranca_wallet_id")
    def _check_cobranca_wallet_company(self):
        # The wallet is the customer's in the current company (company-dependent): another company's
        # wallet would fail every invoice of that customer here (the invoice checks its companies).
        company = self.env.company
        for partner in self:
            wallet = partner.cobranca_wallet_id.sudo()
            if wallet and wallet.company_id != company:
                raise ValidationError(
                    _(
                        "Customer %(customer)s: the billing wallet must be one of %(company)s's wallets.",
                        customer=partner.display_name,
                        company=company.name,
                    )
                )

    def action_view_cobranca_dunning_notices(self):
        self.ensure_one()
        self.check_access("read")
        self.env["cobranca.dunning.notice"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranca_email.cobranca_dunning_notice_action")
        action.update(
            {
                "name": _("Dunning notices of %s", self.commercial_partner_id.display_name),
                "domain": [("partner_id", "=", self.commercial_partner_id.id)],
                "context": {},
            }
        )
        return action

    def _compute_cobranca_email_log_ids(self):
        Log = self.env["cobranca.email.log"]
        for partner in self:
            logs = Log.search(partner._cobranca_email_log_domain()) if partner.id else Log
            partner.cobranca_email_log_ids = logs
            partner.cobranca_email_log_count = len(logs)

    def _cobranca_delivery_type_in(self, company):
        """How this customer receives its boletos in ``company``: its commercial partner's choice, else
        the company's default."""
        partner = self.commercial_partner_id.with_company(company)
        return partner.cobranca_delivery_type or company.cobranca_delivery_type

    def action_cobranca_dunning_preview(self):
        """Open the preview of today's dunning notices for these customers."""
        self.check_access("read")
        return self.env["cobranca.dunning.preview"]._action_open(self.env.company, self.commercial_partner_id)

    def action_view_cobranca_email_logs(self):
        self.ensure_one()
        self.check_access("read")
        self.env["cobranca.email.log"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranca_email.cobranca_email_log_action")
        action.update(
            {
                "name": _("E-mails sent to %s", self.display_name),
                "domain": self._cobranca_email_log_domain(),
                "context": {"search_default_group_by_date": 0},
            }
        )
        return action

    def _cobranca_email_log_domain(self):
        # The partner and its contacts: a boleto sent to the finance contact belongs to the customer.
        return [("partner_id", "child_of", self.id)]

    def _cobranca_one_line_address(self):
        """The address on one line, as boletos and debt statements print it (no empty parts)."""
        self.ensure_one()
        lines = self._display_address(without_company=True).splitlines()
        return " — ".join(part for part in (line.strip(" ,-") for line in lines) if part)
