"""The registration gate of the dunning notices: a debt whose boleto the bank has not registered
yet (in a wallet that requires registration before sending) is left out of the run until it is, so
that no notice attaches a boleto the bank would refuse. A debt whose boleto the bank rejected or
wrote off waits too: it cannot be paid with that boleto. Boletos the wallet never sent through CNAB
(issued before it had a layout; no registration state) are not held."""

from odoo import api, models


class CobrancaDunning(models.AbstractModel):
    _inherit = "cobranca.dunning"

    @api.model
    def _installments_to_plan(self, ctx, installments):
        installments = super()._installments_to_plan(ctx, installments)
        wallet_ids = self.env["cobranca.wallet"]._cnab_gated_wallet_ids(ctx.company.id)
        if not wallet_ids or not installments:
            return installments  # no query at all for companies without such a wallet
        self.env["cobranca.boleto"].flush_model(["move_line_id", "wallet_id", "state", "cnab_state"])
        self.env.cr.execute(
            """SELECT boleto.move_line_id
                 FROM cobranca_boleto boleto
                 JOIN cobranca_wallet wallet ON wallet.id = boleto.wallet_id
                WHERE boleto.move_line_id = ANY(%s)
                  AND boleto.wallet_id = ANY(%s)
                  AND boleto.state = 'active'
                  AND boleto.cnab_state != 'registered'
                  AND NOT (wallet.cnab_release_on = 'sent' AND boleto.cnab_state = 'sent')""",
            [[item.id for item in installments], list(wallet_ids)],
        )
        held = {row[0] for row in self.env.cr.fetchall()}
        return [item for item in installments if item.id not in held]
