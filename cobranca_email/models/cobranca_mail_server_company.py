from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.access_checks import SYSTEM, check_companies


class CobrancaMailServerCompany(models.Model):
    _name = "cobranca.mail.server.company"
    _description = "Company served by a billing mail server"
    _order = "mail_server_id, company_id"
    _rec_name = "company_id"

    mail_server_id = fields.Many2one(
        comodel_name="ir.mail_server",
        string="Mail server",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        ondelete="cascade",
        index=True,
    )
    purposes = fields.Char(related="mail_server_id.cobranca_purposes")
    company_vat = fields.Char(
        related="company_id.vat",
        string="CNPJ",
    )
    sender_name = fields.Char(
        string="Sender name",
        help="Name this company's customers see as sender. Empty: the server's sender name, else the company's name.",
    )

    _sql_constraints = [
        (
            "company_unique",
            "UNIQUE(mail_server_id, company_id)",
            "A company is linked to a mail server only once.",
        ),
    ]

    @api.constrains("mail_server_id", "company_id")
    def _check_purpose_default_unique(self):
        self.mail_server_id._check_purpose_default_unique()

    @api.model_create_multi
    def create(self, vals_list):
        if self._cobranca_other_companies_matter():
            servers = self.env["ir.mail_server"].browse({vals.get("mail_server_id") for vals in vals_list})
            # Another company's server (and its account) is not the user's to send with.
            servers._cobranca_check_serves_user()
            shared = servers.sudo().filtered(lambda server: not server.company_link_ids)[:1]
            if shared:
                raise AccessError(
                    _(
                        "The mail server “%(server)s” sends for every company: linking it to some of them takes it "
                        "away from the others. Only an administrator can do that.",
                        server=shared.name,
                    )
                )
        return super().create(vals_list)

    def write(self, vals):
        if self._cobranca_other_companies_matter():
            if "mail_server_id" in vals:
                raise AccessError(_("Only an administrator can move a company to another mail server."))
            if "company_id" in vals:
                check_companies(self.env, self.env["res.company"].browse(vals["company_id"]))
        return super().write(vals)

    def unlink(self):
        if self._cobranca_other_companies_matter():
            self.check_access("unlink")
            links = self.sudo()
            emptied = links.mail_server_id.filtered(lambda server: not server.company_link_ids - links)[:1]
            if emptied:
                raise AccessError(
                    _(
                        "Without its last company, the mail server “%(server)s” would send for every company. Only an "
                        "administrator can do that, or archive the server.",
                        server=emptied.name,
                    )
                )
        return super().unlink()

    def _cobranca_other_companies_matter(self):
        """Whether a change of these links must not reach other companies than the user's: a server
        linked to no company sends for every company, so linking its first company or unlinking its
        last one changes where the other companies' e-mail leaves from. Administrators may."""
        return not self.env.su and not self.env.user.has_group(SYSTEM)
