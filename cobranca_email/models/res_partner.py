from odoo import _, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

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

    def _compute_cobranca_email_log_ids(self):
        Log = self.env["cobranca.email.log"]
        for partner in self:
            logs = Log.search(partner._cobranca_email_log_domain()) if partner.id else Log
            partner.cobranca_email_log_ids = logs
            partner.cobranca_email_log_count = len(logs)

    def action_view_cobranca_email_logs(self):
        self.ensure_one()
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
