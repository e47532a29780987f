from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.access_checks import BILLING_MANAGER, SYSTEM, check_groups
from .ir_mail_server import PURPOSE_FIELDS


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
    cobranca_dunning_enabled = fields.Boolean(related="company_id.cobranca_dunning_enabled", readonly=False)
    cobranca_dunning_mail_server_id = fields.Many2one(
        related="company_id.cobranca_dunning_mail_server_id", readonly=False
    )
    cobranca_dunning_mail_template_id = fields.Many2one(
        related="company_id.cobranca_dunning_mail_template_id", readonly=False
    )
    cobranca_dunning_include_upcoming = fields.Boolean(
        related="company_id.cobranca_dunning_include_upcoming", readonly=False
    )
    cobranca_dunning_upcoming_days = fields.Integer(related="company_id.cobranca_dunning_upcoming_days", readonly=False)
    cobranca_dunning_include_overdue = fields.Boolean(
        related="company_id.cobranca_dunning_include_overdue", readonly=False
    )
    cobranca_dunning_overdue_after_days = fields.Integer(
        related="company_id.cobranca_dunning_overdue_after_days", readonly=False
    )
    cobranca_dunning_interval_days = fields.Integer(related="company_id.cobranca_dunning_interval_days", readonly=False)
    cobranca_dunning_contact_filter = fields.Selection(
        related="company_id.cobranca_dunning_contact_filter", readonly=False
    )
    cobranca_dunning_contact_category_ids = fields.Many2many(
        related="company_id.cobranca_dunning_contact_category_ids", readonly=False
    )
    cobranca_dunning_debt_state_filter = fields.Selection(
        related="company_id.cobranca_dunning_debt_state_filter", readonly=False
    )
    cobranca_dunning_debt_state_ids = fields.Many2many(
        related="company_id.cobranca_dunning_debt_state_ids", readonly=False
    )

    cobranca_mail_server_warning = fields.Char(
        string="Mail Server Warning", compute="_compute_cobranca_mail_server_warning"
    )

    @api.depends(
        "company_id",
        "cobranca_boleto_mail_server_id",
        "cobranca_dunning_mail_server_id",
        "cobranca_dunning_enabled",
    )
    def _compute_cobranca_mail_server_warning(self):
        for settings in self:
            company = settings.company_id
            if not company:
                settings.cobranca_mail_server_warning = False
                continue
            # What the form shows, saved or not.
            purposes = [purpose for purpose in company._cobranca_billing_purposes() if purpose == "boleto"]
            if settings.cobranca_dunning_enabled:
                purposes += ["dunning", "notice"]
            chosen = {
                "boleto": settings.cobranca_boleto_mail_server_id,
                "dunning": settings.cobranca_dunning_mail_server_id,
                "notice": settings.cobranca_dunning_mail_server_id,
            }
            settings.cobranca_mail_server_warning = company._cobranca_mail_server_warning(purposes, chosen)

    def action_cobranca_bank_holidays(self):
        self.ensure_one()
        return self.company_id.action_cobranca_bank_holidays()

    def action_cobranca_dunning_preview(self):
        """Preview today's dunning notices of the company (the settings are saved by then)."""
        self.ensure_one()
        return self.env["cobranca.dunning.preview"]._action_open(self.company_id)

    def action_cobranca_mail_servers(self):
        """Seed 000's "Conf. Email", beside each server choice: the mail servers, filtered on the
        purpose of that choice (``cobranca_purpose`` in the context); a server created from there is
        the default for it and linked to this company."""
        self.ensure_one()
        check_groups(
            self.env,
            [BILLING_MANAGER, SYSTEM],
            _("Only billing e-mail managers and administrators configure the mail servers."),
        )
        field_name = PURPOSE_FIELDS.get(self.env.context.get("cobranca_purpose"))
        if not field_name:
            raise UserError(_("No billing purpose was given for the mail servers to show."))
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranca_email.ir_mail_server_action")
        action["context"] = {
            f"search_default_{field_name}": 1,
            f"default_{field_name}": True,
            "default_company_link_ids": [(0, 0, {"company_id": self.company_id.id})],
        }
        return action
