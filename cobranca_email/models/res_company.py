from datetime import timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from cobranca_core import mail_purposes
from cobranca_core.dunning import CompanyPolicy, SelectionFilter

from ..tools.access_checks import BILLING_MANAGER, SYSTEM, check_companies, check_groups

# Seed 004's S / N / T, for contact groups and debt situations.
FILTER_MODES = [
    ("all", "All"),
    ("include", "Only the selected"),
    ("exclude", "All but the selected"),
]

DELIVERY_TYPES = [("email", "E-mail"), ("printed", "Printed")]


class ResCompany(models.Model):
    _inherit = "res.company"

    cobranca_wallet_id = fields.Many2one(
        comodel_name="cobranca.wallet",
        string="Default Billing Wallet",
        domain="[('company_id', '=', id)]",
        help="Customer invoices of this company take their boletos from this wallet, unless the customer "
        "has a wallet of its own.",
    )
    # Seed 000 from the company's side: the servers it sends through, its own and the shared ones.
    cobranca_mail_server_link_ids = fields.One2many(
        comodel_name="cobranca.mail.server.company",
        inverse_name="company_id",
        string="Its Mail Servers",
        help="Mail servers linked to this company, with its sender name on each. A server added here is "
        "linked to this company.",
    )
    cobranca_shared_mail_server_ids = fields.Many2many(
        comodel_name="ir.mail_server",
        string="Shared Mail Servers",
        compute="_compute_cobranca_shared_mail_server_ids",
        help="Servers linked to no company: they send for every company without a server of its own for the purpose.",
    )
    cobranca_delivery_type = fields.Selection(
        selection=DELIVERY_TYPES,
        string="Default Boleto Delivery",
        default="email",
        required=True,
        help="How customers without a choice of their own receive their boletos. E-mail: sent automatically "
        "when the invoice is posted, if its billing wallet says so. Printed: never e-mailed automatically.",
    )
    cobranca_boleto_mail_server_id = fields.Many2one(
        comodel_name="ir.mail_server",
        string="Mail Server for Boletos and Invoices",
        help="The server the boleto e-mails of this company leave from. Empty: the server marked as default "
        "for boletos for this company (Settings > Technical > Outgoing Mail Servers), then Odoo's usual choice.",
    )
    cobranca_boleto_mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="Boleto E-mail Template",
        domain="[('model', '=', 'account.move')]",
        default=lambda self: self.env.ref("cobranca_email.mail_template_cobranca_boleto", raise_if_not_found=False),
        help="Subject and body of the e-mail that carries the boletos of an invoice.",
    )
    cobranca_dunning_enabled = fields.Boolean(
        string="Send Dunning Notices",
        help="Every day, customers with debts coming due or overdue receive one e-mail listing them, with a "
        "debt statement and the boletos to pay them.",
    )
    cobranca_dunning_mail_server_id = fields.Many2one(
        comodel_name="ir.mail_server",
        string="Dunning Mail Server",
        help="Leave empty to send through the company's default servers: the one for dunning letters when a "
        "notice lists overdue debts, the one for boleto notices when it lists only debts coming due.",
    )
    cobranca_dunning_mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="Dunning Notice Message",
        domain="[('model', '=', 'cobranca.dunning.notice')]",
        help="The e-mail customers receive. Empty: the module's message.",
    )
    cobranca_dunning_include_upcoming = fields.Boolean(
        string="Send Debts Coming Due",
        default=True,
        help="Announce the debts coming due, with their boletos. Customers and customer groups can override it; "
        "those set not to receive overdue debts receive no announcements either, unless they say otherwise.",
    )
    cobranca_dunning_upcoming_days = fields.Integer(
        string="Announce Debts Coming Due (days before)",
        default=3,
        help="Debts coming due are announced, with their boletos, this many days before their due date "
        "(0: on the due date), whatever the interval.",
    )
    cobranca_dunning_include_overdue = fields.Boolean(
        string="Send Overdue Debts",
        default=True,
        help="List the overdue debts in the notice and attach their boletos.",
    )
    cobranca_dunning_overdue_after_days = fields.Integer(
        string="Overdue After (days)",
        default=2,
        help="Days after the due date before a debt counts as overdue, so that payments made on a weekend, a "
        "holiday or still clearing are not dunned. A due date on a Saturday, Sunday or bank holiday (the public "
        "holidays of the company's working schedule) counts from the next business day.",
    )
    cobranca_dunning_interval_days = fields.Integer(
        string="Interval Between Notices (days)",
        default=5,
        help="A customer receives the overdue debts again only this many days after the last notice. The first "
        "run sends every customer with overdue debts a notice.",
    )
    cobranca_dunning_contact_filter = fields.Selection(
        selection=FILTER_MODES,
        string="Contact Groups",
        default="all",
        required=True,
        help="Who receives the notice, by their tags. Only the selected: the customer's contacts (of any type) in "
        "these groups, and nobody else. All: its invoice contacts, else the customer's own e-mail. All but the "
        "selected: the same, leaving out the contacts and the customer in these groups.",
    )
    cobranca_dunning_contact_category_ids = fields.Many2many(
        comodel_name="res.partner.category",
        relation="res_company_cobranca_dunning_contact_category_rel",
        column1="company_id",
        column2="category_id",
        string="Selected Contact Groups",
    )
    cobranca_dunning_debt_state_filter = fields.Selection(
        selection=FILTER_MODES,
        string="Debt Situations",
        default="all",
        required=True,
        help="Which debts are listed, by the situation of their invoice (e.g. leave out debts in negotiation).",
    )
    cobranca_dunning_debt_state_ids = fields.Many2many(
        comodel_name="cobranca.debt.state",
        relation="res_company_cobranca_debt_state_rel",
        column1="company_id",
        column2="state_id",
        string="Selected Debt Situations",
    )

    _sql_constraints = [
        (
            "cobranca_dunning_days_positive",
            "CHECK(cobranca_dunning_upcoming_days >= 0 AND cobranca_dunning_overdue_after_days >= 0)",
            "The days before the due date and the days before a debt counts as overdue cannot be negative.",
        ),
    ]

    @api.constrains("cobranca_dunning_interval_days")
    def _check_cobranca_dunning_interval_days(self):
        for company in self:
            if company.cobranca_dunning_interval_days < 1:
                raise ValidationError(
                    _(
                        "Company %(company)s: the Interval Between Notices must be at least one day, or a second run "
                        "on the same day would send the overdue debts again.",
                        company=company.display_name,
                    )
                )

    @api.constrains("cobranca_boleto_mail_server_id", "cobranca_dunning_mail_server_id")
    def _check_cobranca_mail_servers(self):
        for company in self:
            for field_name in ("cobranca_boleto_mail_server_id", "cobranca_dunning_mail_server_id"):
                server = company[field_name]
                if server and not server.sudo()._cobranca_serves(company):
                    raise ValidationError(
                        _(
                            "Company %(company)s, %(field)s: mail server %(server)s is linked to other companies "
                            "only. Choose a server linked to this company or to none.",
                            company=company.display_name,
                            field=company._fields[field_name].get_description(self.env)["string"],
                            server=server.display_name,
                        )
                    )

    def _cobranca_dunning_policy(self, today=None):
        """The company's dunning settings as ``cobranca_core.dunning`` reads them; with ``today``, its
        bank holidays of the years around it too."""
        self.ensure_one()
        holidays = (
            self._cobranca_bank_holidays(today - timedelta(days=5 * 366), today + timedelta(days=366))
            if today
            else frozenset()
        )
        return CompanyPolicy(
            enabled=self.cobranca_dunning_enabled,
            upcoming_days=self.cobranca_dunning_upcoming_days,
            include_overdue=self.cobranca_dunning_include_overdue,
            include_upcoming=self.cobranca_dunning_include_upcoming,
            overdue_after_days=self.cobranca_dunning_overdue_after_days,
            interval_days=self.cobranca_dunning_interval_days,
            contact_filter=SelectionFilter(
                self.cobranca_dunning_contact_filter, frozenset(self.cobranca_dunning_contact_category_ids.ids)
            ),
            debt_state_filter=SelectionFilter(
                self.cobranca_dunning_debt_state_filter, frozenset(self.cobranca_dunning_debt_state_ids.ids)
            ),
            holidays=holidays,
        )

    def _cobranca_bank_holidays(self, start, end):
        """The days between ``start`` and ``end`` that are public holidays of the company's working
        schedule (its global time off, as Odoo's Time Off app shows them): banks accept a payment due
        on such a day on the next business day, like one due on a weekend."""
        self.ensure_one()
        calendar = self.resource_calendar_id
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    *self._cobranca_bank_holidays_domain(),
                    ("date_from", "<=", fields.Datetime.to_datetime(end) + timedelta(days=1)),
                    ("date_to", ">=", fields.Datetime.to_datetime(start) - timedelta(days=1)),
                ],
                ["date_from", "date_to"],
            )
        )
        zone = pytz.timezone(calendar.tz or self.partner_id.tz or "America/Sao_Paulo")
        days = set()
        for leave in leaves:
            first = pytz.utc.localize(leave.date_from).astimezone(zone).date()
            last = pytz.utc.localize(leave.date_to).astimezone(zone).date()
            days.update(first + timedelta(days=offset) for offset in range((last - first).days + 1))
        return frozenset(day for day in days if start <= day <= end)

    def _cobranca_bank_holidays_domain(self):
        """The company's public holidays: global time off of its working schedule, or of every one."""
        self.ensure_one()
        return [
            ("resource_id", "=", False),
            ("company_id", "in", [self.id, False]),
            ("calendar_id", "in", [self.resource_calendar_id.id, False]),
        ]

    def action_cobranca_bank_holidays(self):
        """Open the public holidays of the company's working schedule (global time off)."""
        self.ensure_one()
        check_companies(self.env, self)
        action = self.env["ir.actions.act_window"]._for_xml_id("resource.action_resource_calendar_leave_tree")
        calendar = self.resource_calendar_id
        action.update(
            {
                "name": _("Bank Holidays"),
                "display_name": _("Bank Holidays"),
                "domain": self._cobranca_bank_holidays_domain(),
                "context": {
                    "default_calendar_id": calendar.id,
                    "default_company_id": self.id,
                    "default_resource_id": False,
                },
            }
        )
        return action

    @api.depends_context("uid")
    def _compute_cobranca_shared_mail_server_ids(self):
        shared = self.env["ir.mail_server"].search([("company_link_ids", "=", False)])
        for company in self:
            company.cobranca_shared_mail_server_ids = shared

    def _cobranca_billing_purposes(self):
        """The billing purposes this company sends e-mail for: boletos when one of its wallets
        e-mails them, dunning letters and boleto notices when its dunning notices are on."""
        self.ensure_one()
        purposes = []
        wallets = (
            self.env["cobranca.wallet"].sudo().search([("company_id", "=", self.id), ("email_on_post", "=", True)])
        )
        if wallets:
            purposes.append(mail_purposes.BOLETO)
        if self.cobranca_dunning_enabled:
            purposes += [mail_purposes.DUNNING, mail_purposes.NOTICE]
        return purposes

    def _cobranca_mail_server_warning(self, purposes=None, chosen=None):
        """A translated warning naming the billing e-mail of this company that no mail server would
        send (default: every purpose it sends, ``_cobranca_billing_purposes``), or False.

        A purpose has a server when the company chose one in its settings, or a server is the default
        for it (``ir.mail_server._cobranca_resolve``), or Odoo's normal choice finds a server that may
        send for the company. Shown in Settings, in the dunning preview and in a run's result, before
        any e-mail is due. ``chosen``: ``{purpose: server}`` chosen in the settings, when not the
        saved ones (the settings form before it is saved).
        """
        self.ensure_one()
        Server = self.env["ir.mail_server"].sudo()
        if chosen is None:
            chosen = {
                mail_purposes.BOLETO: self.cobranca_boleto_mail_server_id,
                mail_purposes.DUNNING: self.cobranca_dunning_mail_server_id,
                mail_purposes.NOTICE: self.cobranca_dunning_mail_server_id,  # the settings' one choice for both
            }
        labels = dict(self.env["cobranca.email.log"]._fields["purpose"]._description_selection(self.env))
        missing = [
            labels[purpose]
            for purpose in (self._cobranca_billing_purposes() if purposes is None else purposes)
            if not (chosen.get(purpose) or Server._cobranca_resolve(purpose, self))
            and not Server.browse()._cobranca_message_values(purpose, self)["mail_server_id"]
        ]
        if not missing:
            return False
        return _(
            "No mail server sends the %(purposes)s of %(company)s: these e-mails would fail. Mark a mail server as "
            "the default for them (Invoicing > Configuration > Billing e-mail > Mail servers) or choose one here.",
            purposes=", ".join(missing),
            company=self.name,
        )

    def _cobranca_dunning_mail_template(self):
        self.ensure_one()
        return self.cobranca_dunning_mail_template_id or self.env.ref(
            "cobranca_email.mail_template_cobranca_dunning_notice"
        )

    def action_cobranca_use_parent_mail_servers(self):
        """Open the wizard giving this branch the mail servers of its parent company."""
        return self._cobranca_import_mail_servers("parent", _("Use the parent company's mail servers"))

    def action_cobranca_import_partner_mail_servers(self):
        """Open the wizard giving this company chosen mail servers of a partner company (seed 001)."""
        return self._cobranca_import_mail_servers("partner", _("Import the mail servers of a partner company"))

    def _cobranca_import_mail_servers(self, source, title):
        self.ensure_one()
        check_groups(
            self.env,
            [BILLING_MANAGER, SYSTEM],
            _("Only billing e-mail managers can import the mail servers of another company."),
        )
        check_companies(self.env, self)
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "cobranca.mail.server.branch.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_company_id": self.id, "default_source": source},
        }
