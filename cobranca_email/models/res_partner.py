from odoo import _, fields, models

from .res_company import DELIVERY_TYPES


class ResPartner(models.Model):
    _inherit = "res.partner"

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

    def _cobranca_one_line_address(self):
        """The address on one line, as boletos and debt statements print it (no empty parts)."""
        self.ensure_one()
        lines = self._display_address(without_company=True).splitlines()
        return " — ".join(part for part in (line.strip(" ,-") for line in lines) if part)

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
