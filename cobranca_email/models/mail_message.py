from odoo import fields, models

from cobranca_core import mail_purposes


class MailMessage(models.Model):
    _inherit = "mail.message"

    cobranca_purpose = fields.Selection(
        selection=list(mail_purposes.LOG_PURPOSES),
        string="Billing purpose",
        index="btree_not_null",
        help="Set on billing e-mail (boletos, dunning letters, notices...): its e-mails get the copy list and "
        "the sending limits of their mail server, and are recorded in the e-mail log.",
    )
