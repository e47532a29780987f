from odoo import _, models


class ResCompany(models.Model):
    _inherit = "res.company"

    def action_cobranca_use_parent_mail_servers(self):
        """Open the wizard giving this branch the mail servers of its parent company."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Use the parent company's mail servers"),
            "res_model": "cobranca.mail.server.branch.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_company_id": self.id},
        }
