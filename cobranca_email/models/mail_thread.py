from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _get_message_create_valid_field_names(self):
        # message_post(..., cobranca_purpose="boleto") marks the message as billing e-mail.
        return super()._get_message_create_valid_field_names() | {"cobranca_purpose"}
