from odoo import api, fields, models


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
