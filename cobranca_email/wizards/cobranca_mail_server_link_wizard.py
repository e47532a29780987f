from odoo import _, fields, models

from ..tools.access_checks import BILLING_MANAGER, SYSTEM, check_companies, check_groups


class CobrancaMailServerLinkWizard(models.TransientModel):
    _name = "cobranca.mail.server.link.wizard"
    _description = "Link companies to a billing mail server"

    mail_server_id = fields.Many2one(
        comodel_name="ir.mail_server",
        string="Mail server",
        required=True,
        ondelete="cascade",
    )
    company_ids = fields.Many2many(
        comodel_name="res.company",
        relation="cobranca_mail_server_link_wizard_company_rel",
        column1="wizard_id",
        column2="company_id",
        string="Companies",
        required=True,
    )
    sender_name = fields.Char(
        string="Sender name",
        help="Name these companies' customers see as sender. Empty: the server's sender name, else each "
        "company's name.",
    )

    def action_link(self):
        """Link the chosen companies (those not linked yet) to the server: a server of the user's
        companies, companies that are theirs."""
        self.ensure_one()
        check_groups(
            self.env, [BILLING_MANAGER, SYSTEM], _("Only billing e-mail managers can link companies to mail servers.")
        )
        self.mail_server_id._cobranca_check_serves_user()
        check_companies(self.env, self.company_ids)
        linked = self.mail_server_id.sudo().company_link_ids.company_id
        self.env["cobranca.mail.server.company"].create(
            [
                {
                    "mail_server_id": self.mail_server_id.id,
                    "company_id": company.id,
                    "sender_name": self.sender_name,
                }
                for company in self.company_ids - linked
            ]
        )
        return {"type": "ir.actions.act_window_close"}
