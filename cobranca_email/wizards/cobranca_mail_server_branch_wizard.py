from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.access_checks import BILLING_MANAGER, SYSTEM, check_companies, check_groups


class CobrancaMailServerBranchWizard(models.TransientModel):
    """Seed 001's "Importar da matriz" and "Importar do parceiro": a company takes the mail servers of
    its parent company, or chosen servers of a partner company (the accounting office that keeps
    the mailboxes of the companies it serves), changing only the sender name."""

    _name = "cobranca.mail.server.branch.wizard"
    _description = "Import the mail servers of the parent or of a partner company"

    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        ondelete="cascade",
    )
    source = fields.Selection(
        selection=[("parent", "Parent company"), ("partner", "Partner company")],
        string="Import from",
        required=True,
        default="parent",
    )
    parent_company_id = fields.Many2one(
        related="company_id.parent_id",
        string="Parent company",
    )
    source_company_id = fields.Many2one(
        comodel_name="res.company",
        string="Servers of",
        compute="_compute_source_company_id",
        store=True,
        precompute=True,
        readonly=False,
        ondelete="cascade",
        domain="[('id', '!=', company_id)]",
        help="The company whose mail servers are imported: the parent company, or a partner company.",
    )
    source_link_ids = fields.Many2many(
        comodel_name="cobranca.mail.server.company",
        relation="cobranca_mail_server_branch_wizard_link_rel",
        column1="wizard_id",
        column2="link_id",
        string="Mail servers to import",
        compute="_compute_source_link_ids",
        store=True,
        precompute=True,
        readonly=False,
        help="The servers of that company this company will send through (remove those it should not use).",
    )
    sender_name = fields.Char(
        string="Sender name",
        compute="_compute_sender_name",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        help="The only setting the company changes: the name its customers see as sender.",
    )

    @api.depends("company_id", "source")
    def _compute_source_company_id(self):
        for wizard in self:
            if wizard.source == "parent":
                wizard.source_company_id = wizard.company_id.parent_id
            elif wizard.source_company_id == wizard.company_id.parent_id:
                wizard.source_company_id = False

    @api.depends("source_company_id")
    def _compute_source_link_ids(self):
        Link = self.env["cobranca.mail.server.company"]
        for wizard in self:
            source = wizard.source_company_id
            links = Link.search([("company_id", "=", source.id)]) if source else Link
            wizard.source_link_ids = links.filtered("mail_server_id.active")

    @api.depends("company_id")
    def _compute_sender_name(self):
        for wizard in self:
            wizard.sender_name = wizard.company_id.name

    def action_import(self):
        """Link the company to the chosen active servers of the source company, with its own sender name.

        For billing managers of both companies: the company's customers get e-mail from the source's
        servers, read here as superuser.
        """
        self.ensure_one()
        check_groups(
            self.env,
            [BILLING_MANAGER, SYSTEM],
            _("Only billing e-mail managers can import the mail servers of another company."),
        )
        company, source = self.company_id, self.source_company_id
        if self.source == "parent" and not company.parent_id:
            raise UserError(_("%(company)s is not a branch: it has no parent company.", company=company.name))
        if not source:
            raise UserError(
                _("Choose the partner company whose mail servers %(company)s imports.", company=company.name)
            )
        if source == company:
            raise UserError(_("%(company)s cannot import its own mail servers.", company=company.name))
        check_companies(self.env, company | source)
        source_links = (
            self.env["cobranca.mail.server.company"]
            .sudo()
            .search([("company_id", "=", source.id)])
            .filtered("mail_server_id.active")
        )
        if not source_links:
            raise UserError(
                _(
                    "%(origin)s has no billing mail server linked: link one to %(origin)s first.",
                    origin=source.name,
                )
            )
        # Only servers the source really has (the list may have been edited by hand, or changed meanwhile).
        chosen = source_links & self.sudo().source_link_ids
        if not chosen:
            raise UserError(_("Choose at least one mail server of %(origin)s to import.", origin=source.name))
        Link = self.env["cobranca.mail.server.company"]
        own_links = Link.search([("company_id", "=", company.id)])
        for server in chosen.mail_server_id:
            existing = own_links.filtered(lambda link, server=server: link.mail_server_id == server)
            if existing:
                existing.sender_name = self.sender_name
            else:
                Link.create({"mail_server_id": server.id, "company_id": company.id, "sender_name": self.sender_name})
        return {"type": "ir.actions.act_window_close"}
