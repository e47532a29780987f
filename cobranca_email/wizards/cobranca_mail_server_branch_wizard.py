from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.access_checks import BILLING_MANAGER, SYSTEM, check_companies, check_groups


class CobrancaMailServerBranchWizard(models.TransientModel):
    _name = "cobranca.mail.server.branch.wizard"
    _description = "Give a branch the mail servers of its parent company"

    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Branch",
        required=True,
        ondelete="cascade",
        domain=[("parent_id", "!=", False)],
    )
    parent_company_id = fields.Many2one(
        related="company_id.parent_id",
        string="Parent company",
    )
    parent_link_ids = fields.Many2many(
        comodel_name="cobranca.mail.server.company",
        string="Mail servers of the parent company",
        compute="_compute_parent_link_ids",
    )
    sender_name = fields.Char(
        string="Sender name",
        compute="_compute_sender_name",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        help="The only setting the branch changes: the name its customers see as sender.",
    )

    @api.depends("company_id")
    def _compute_parent_link_ids(self):
        for wizard in self:
            parent = wizard.company_id.parent_id
            links = self.env["cobranca.mail.server.company"].search([("company_id", "=", parent.id)]) if parent else []
            wizard.parent_link_ids = links

    @api.depends("company_id")
    def _compute_sender_name(self):
        for wizard in self:
            wizard.sender_name = wizard.company_id.name

    def action_import(self):
        """Link the branch to every active server of its parent, with the branch's sender name.

        For billing managers of both companies: the branch's customers get e-mail from the parent's
        servers, read here as superuser.
        """
        self.ensure_one()
        check_groups(
            self.env,
            [BILLING_MANAGER, SYSTEM],
            _("Only billing e-mail managers can give a branch the mail servers of its parent company."),
        )
        branch, parent = self.company_id, self.company_id.parent_id
        check_companies(self.env, branch | parent)
        if not parent:
            raise UserError(_("%(company)s is not a branch: it has no parent company.", company=branch.name))
        parent_links = (
            self.env["cobranca.mail.server.company"]
            .sudo()
            .search([("company_id", "=", parent.id)])
            .filtered("mail_server_id.active")
        )
        if not parent_links:
            raise UserError(
                _(
                    "%(parent)s has no billing mail server linked: link one to %(parent)s first.",
                    parent=parent.name,
                )
            )
        Link = self.env["cobranca.mail.server.company"]
        branch_links = Link.search([("company_id", "=", branch.id)])
        for server in parent_links.mail_server_id:
            existing = branch_links.filtered(lambda link, server=server: link.mail_server_id == server)
            if existing:
                existing.sender_name = self.sender_name
            else:
                Link.create({"mail_server_id": server.id, "company_id": branch.id, "sender_name": self.sender_name})
        return {"type": "ir.actions.act_window_close"}
