from odoo import api, fields, models, tools

from cobranca_core import mail_purposes


class CobrancaMailPurposeModel(models.Model):
    """Which documents' e-mails a purpose of seed 000 sends: a server marked as the default for
    "contract approval" sends the e-mails of contracts, "overdue sales notification" those of sales
    orders, "expense approval" those of expense reports, when those modules are installed.

    A system administrator adds rows for other documents (Invoicing > Configuration > Billing e-mail >
    Purposes of other documents). A purpose with no installed document is not offered on the
    server's form. The routing itself is ``mail.mail._cobranca_route_other_purposes``.
    """

    _name = "cobranca.mail.purpose.model"
    _description = "Documents whose e-mails a mail server purpose sends"
    _order = "purpose, model"
    _rec_name = "model"

    purpose = fields.Selection(
        selection=[
            (key, label) for key, label in mail_purposes.SERVER_PURPOSES if key in mail_purposes.OTHER_PURPOSE_KEYS
        ],
        required=True,
    )
    model = fields.Char(
        string="Document model",
        required=True,
        help="Technical name of the documents (for example sale.order) whose e-mails leave through the "
        "server marked as default for this purpose, for the document's company.",
    )
    installed = fields.Boolean(
        compute="_compute_installed",
        help="Whether a module of this database provides these documents.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("model_unique", "UNIQUE(model)", "A document model sends its e-mails for one purpose only."),
    ]

    @api.depends("model")
    def _compute_installed(self):
        for row in self:
            row.installed = bool(row.model) and row.model in self.env

    @api.model
    @tools.ormcache()
    def _purpose_of_models(self):
        """``((model, purpose), ...)`` of the active rows whose documents exist in this database
        (cached: asked each time e-mails are created)."""
        rows = self.sudo().search_read([], ["model", "purpose"])
        return tuple((row["model"], row["purpose"]) for row in rows if row["model"] in self.env)

    @api.model_create_multi
    def create(self, vals_list):
        rows = super().create(vals_list)
        self.env.registry.clear_cache()
        return rows

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
