from odoo import _, fields, models

DELIVERY_TYPES = [("email", "E-mail"), ("printed", "Printed")]


class ResCompany(models.Model):
    _inherit = "res.company"

    cobranca_wallet_id = fields.Many2one(
        comodel_name="cobranca.wallet",
        string="Default Billing Wallet",
        domain="[('company_id', '=', id)]",
        help="Customer invoices of this company take their boletos from this wallet, unless the customer "
        "has a wallet of its own.",
    )
    cobranca_delivery_type = fields.Selection(
        selection=DELIVERY_TYPES,
        string="Default Boleto Delivery",
        default="email",
        required=True,
        help="How customers without a choice of their own receive their boletos. E-mail: sent automatically "
        "when the invoice is posted, if its billing wallet says so. Printed: never e-mailed automatically.",
    )
    cobranca_boleto_mail_server_id = fields.Many2one(
        comodel_name="ir.mail_server",
        string="Mail Server for Boletos and Invoices",
        help="The server the boleto e-mails of this company leave from. Empty: the server marked as default "
        "for boletos for this company (Settings > Technical > Outgoing Mail Servers), then Odoo's usual choice.",
    )
    cobranca_boleto_mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="Boleto E-mail Template",
        domain="[('model', '=', 'account.move')]",
        default=lambda self: self.env.ref("cobranca_email.mail_template_cobranca_boleto", raise_if_not_found=False),
        help="Subject and body of the e-mail that carries the boletos of an invoice.",
    )

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
