from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_placeholder_mail_attachments_data(self, move, extra_edis=None):
        # Send & Print lists the boletos beside the invoice PDF; they are rendered when the mail leaves,
        # so the customer always gets the boletos that are active at that moment.
        placeholders = super()._get_placeholder_mail_attachments_data(move, extra_edis=extra_edis)
        if move._cobranca_active_boletos():
            filename = move._cobranca_boleto_filename()
            placeholders.append(
                {
                    "id": f"placeholder_{filename}",
                    "name": filename,
                    "mimetype": "application/pdf",
                    "placeholder": True,
                }
            )
        return placeholders

    @api.model
    def _get_mail_params(self, move, move_data):
        params = super()._get_mail_params(move, move_data)
        if not params or not move._cobranca_active_boletos():
            return params
        filename = move._cobranca_boleto_filename()
        removed = {data["name"] for data in move_data.get("mail_attachments_widget") or [] if data.get("skip")}
        if filename not in removed:
            params["attachments"].append((filename, move._cobranca_render_boletos()))
        return params
