from odoo import fields, models


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

    def action_cobranca_bank_holidays(self):
        self.ensure_one()
        return self.company_id.action_cobranca_bank_holidays()

    def action_cobranca_dunning_preview(self):
        """Preview today's dunning notices of the company (the settings are saved by then)."""
        self.ensure_one()
        return self.env["cobranca.dunning.preview"]._action_open(self.company_id)
