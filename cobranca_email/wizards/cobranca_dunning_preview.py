from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from cobranca_core import dunning

from ..tools.access_checks import BILLING_USER, check_companies, check_groups
from ..tools.dunning_presenter import DunningPresenter
from ..tools.dunning_values import Outcome


class CobrancaDunningPreview(models.TransientModel):
    """Who gets a dunning notice today, with which debts and why (or why not); sends on confirmation."""

    _name = "cobranca.dunning.preview"
    _description = "Dunning Notices: Preview and Send"

    company_id = fields.Many2one(comodel_name="res.company", required=True, readonly=True)
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    partner_ids = fields.Many2many(
        comodel_name="res.partner",
        string="Chosen Customers",
        readonly=True,
        help="Only these customers; empty: every customer with open debts.",
    )
    line_ids = fields.One2many(
        comodel_name="cobranca.dunning.preview.line",
        inverse_name="preview_id",
        string="Plan",
        readonly=True,
    )
    send_count = fields.Integer(string="Notices to Send", readonly=True)
    skip_count = fields.Integer(string="Customers Without Notice", readonly=True)
    enabled = fields.Boolean(related="company_id.cobranca_dunning_enabled")
    mail_server_warning = fields.Char(compute="_compute_mail_server_warning")

    @api.depends("company_id")
    def _compute_mail_server_warning(self):
        for preview in self:
            preview.mail_server_warning = preview.company_id and preview.company_id._cobranca_mail_server_warning(
                ["dunning", "notice"]
            )

    @api.model
    def _action_open(self, company, partners=None):
        self._check_caller(company)
        preview = self.create({"company_id": company.id, "partner_ids": [(6, 0, partners.ids if partners else [])]})
        preview._plan()
        return {
            "type": "ir.actions.act_window",
            "name": _("Dunning Notices of %s", format_date(self.env, preview.date)),
            "res_model": self._name,
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
        }

    def _plan(self):
        self.ensure_one()
        Dunning = self.env["cobranca.dunning"].with_company(self.company_id)
        partner_ids = self.partner_ids.ids or None
        result = Dunning._run(self.company_id, today=self.date, partner_ids=partner_ids, dry_run=True)
        # Chosen customers without any open debt get a line too, so nobody is silently left out.
        seen = {outcome.partner_id for outcome in result.outcomes}
        nothing_open = [
            Outcome(partner.id, dunning.Skip(partner.id, dunning.NOTHING_DUE, None))
            for partner in self.partner_ids
            if partner.id not in seen
        ]
        presenter = DunningPresenter(self.env)
        lines = [self._line_values(presenter, outcome) for outcome in result.outcomes + nothing_open]
        lines.sort(key=lambda values: (not values["will_send"], values["partner_id"]))
        self.line_ids = [(5, 0, 0)] + [(0, 0, values) for values in lines]
        self.send_count = len(result.to_send)
        self.skip_count = len(lines) - self.send_count

    def _line_values(self, presenter, outcome):
        currency = self.company_id.currency_id
        debts = []
        for item in outcome.installments:
            debts.append(
                f"{format_date(self.env, item.due_date)} {format_amount(self.env, float(item.residual), currency)}"
            )
        values = {
            "partner_id": outcome.partner_id,
            "will_send": outcome.sendable,
            "reason": presenter.reason(outcome),
            "debts": ", ".join(debts) or False,
            "next_notice_date": outcome.entry.next_notice_date,
        }
        if outcome.planned:
            values.update(
                {
                    "purpose": outcome.entry.purpose,
                    "overdue_count": len(outcome.entry.overdue),
                    "upcoming_count": len(outcome.entry.upcoming),
                    "amount": float(sum(item.residual for item in outcome.installments)),
                    "recipients": ", ".join(outcome.recipients) if outcome.sendable else False,
                }
            )
        return values

    def action_refresh(self):
        self._check_caller(self.company_id)
        self._plan()
        return self._reopen()

    def action_send(self):
        """Send today's notices of these customers (planned again now: the preview may be stale)."""
        self.ensure_one()
        self._check_caller(self.company_id)
        if not self.company_id.cobranca_dunning_enabled:
            raise UserError(
                _("Dunning notices are disabled for %s: enable them in the settings first.", self.company_id.name)
            )
        result = (
            self.env["cobranca.dunning"]
            .with_company(self.company_id)
            ._run(self.company_id, partner_ids=self.partner_ids.ids or None)
        )
        if result.errors:
            raise UserError("\n".join(result.errors))
        message = _(
            "%(sent)s dunning notice(s) queued, %(failed)s not sent.", sent=len(result.sent), failed=len(result.failed)
        )
        if result.warnings:
            message += " " + " ".join(result.warnings)
        if result.busy:
            message += " " + _(
                "%(count)s customer(s) were being handled by another run at the same time and were left to it.",
                count=len(result.busy),
            )
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranca_email.cobranca_dunning_notice_action")
        action["domain"] = [("id", "in", [outcome.notice_id for outcome in result.sent])]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Dunning notices"),
                "message": message,
                "type": "success" if not (result.failed or result.warnings) else "warning",
                "sticky": bool(result.failed or result.warnings),
                "next": action if result.sent else {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _check_caller(self, company):
        """Only billing users of ``company`` plan or send its notices: the run reads every customer's
        debts by SQL, whatever the user's access rights."""
        check_groups(self.env, [BILLING_USER], _("Only billing e-mail users can preview and send dunning notices."))
        check_companies(self.env, company)

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


class CobrancaDunningPreviewLine(models.TransientModel):
    _name = "cobranca.dunning.preview.line"
    _description = "Dunning Notices Preview: Customer"
    _order = "will_send desc, id"

    preview_id = fields.Many2one(comodel_name="cobranca.dunning.preview", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="preview_id.company_id.currency_id")
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer", readonly=True)
    will_send = fields.Boolean(string="Notice Today", readonly=True)
    purpose = fields.Selection(
        selection=[("dunning", "Dunning letter"), ("notice", "Boleto notice")],
        string="Kind",
        readonly=True,
    )
    reason = fields.Char(string="Why", readonly=True)
    overdue_count = fields.Integer(string="Overdue", readonly=True)
    upcoming_count = fields.Integer(string="Coming Due", readonly=True)
    amount = fields.Monetary(string="Amount Open", readonly=True)
    debts = fields.Char(string="Debts (due date, amount)", readonly=True)
    recipients = fields.Char(readonly=True)
    next_notice_date = fields.Date(string="Next Notice", readonly=True)
