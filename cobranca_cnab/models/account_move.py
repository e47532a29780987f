"""The registration gate of the boleto e-mail, and the registration shown on the invoice.

A wallet that requires registration before sending holds the boleto e-mail of its invoices in a
state of its own, *Waiting for the bank*, instead of *To send*: the scheduled action "Send generated
boletos" only takes invoices *To send*, so nothing is e-mailed before the bank knows the boletos.
When a retorno confirms them (or, per wallet, when they went into a remessa) the invoice becomes *To
send* and the scheduled action is woken up; when the bank rejects one, the e-mail *Failed* with the
bank's reason.
"""

from odoo import _, api, fields, models

from odoo.addons.cobranca_email.tools.access_checks import BILLING_USER, check_groups


class AccountMove(models.Model):
    _inherit = "account.move"

    cobranca_mail_state = fields.Selection(
        selection_add=[("waiting", "Waiting for the bank")],
        ondelete={"waiting": "set null"},
    )
    cnab_rejected_count = fields.Integer(
        string="Boletos Rejected by the Bank",
        compute="_compute_cnab_registration",
    )
    cnab_registration_note = fields.Char(
        string="Bank Registration",
        compute="_compute_cnab_registration",
    )

    @api.depends("cobranca_boleto_ids.cnab_state", "cobranca_boleto_ids.state")
    def _compute_cnab_registration(self):
        labels = dict(self.env["cobranca.boleto"]._fields["cnab_state"]._description_selection(self.env))
        for move in self:
            boletos = move._cobranca_active_boletos().filtered("cnab_state")
            rejected = boletos.filtered(lambda boleto: boleto.cnab_state == "rejected")
            move.cnab_rejected_count = len(rejected)
            if rejected:
                move.cnab_registration_note = "; ".join(
                    _("Boleto %(boleto)s rejected by the bank: %(reason)s", boleto=boleto.nosso_numero_formatted,
                      reason=boleto.cnab_reason or "-")
                    for boleto in rejected
                )  # fmt: skip
            elif boletos:
                states = sorted({labels[state] for state in boletos.mapped("cnab_state")})
                move.cnab_registration_note = ", ".join(states)
            else:
                move.cnab_registration_note = False

    # The gate

    def _cobranca_queue_boleto_emails(self):
        result = super()._cobranca_queue_boleto_emails()
        self.filtered(
            lambda move: move.cobranca_mail_state == "pending" and move._cnab_waits_for_bank()
        )._cobranca_set_mail_state("waiting")
        return result

    def _cobranca_drop_pending_email(self):
        result = super()._cobranca_drop_pending_email()
        self.filtered(lambda move: move.cobranca_mail_state == "waiting")._cobranca_set_mail_state(False)
        return result

    def action_cobranca_send_boletos_email(self):
        """Send Boletos by E-mail: the invoices whose boletos the bank does not know yet wait for it."""
        check_groups(self.env, [BILLING_USER], _("Only billing e-mail users can send boletos by e-mail."))
        held = self.filtered(lambda move: move.state == "posted" and move._cnab_waits_for_bank())
        if not held:
            return super().action_cobranca_send_boletos_email()
        self.check_access("write")
        held.filtered(lambda move: move.cobranca_mail_state != "waiting")._cobranca_set_mail_state("waiting")
        message = _(
            "%s invoice(s) wait for the bank to register their boletos: they are e-mailed as soon as it does.",
            len(held),
        )
        if self - held:
            super(AccountMove, self - held).action_cobranca_send_boletos_email()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": "info", "sticky": False},
        }

    def _cnab_waits_for_bank(self):
        """Whether this invoice's boletos may not be e-mailed yet: a wallet requiring registration, and a
        boleto the bank has not registered (or, per wallet, not received in a remessa)."""
        self.ensure_one()
        boletos = self._cobranca_active_boletos()
        return any(not boleto._cnab_ready_to_send() for boleto in boletos)

    def _cnab_release_boleto_emails(self):
        """Invoices *Waiting for the bank*: *To send* once every boleto is ready (the scheduled action is
        woken up), *Failed* when the bank rejected one."""
        waiting = self.filtered(lambda move: move.cobranca_mail_state == "waiting")
        ready = self.browse()
        for move in waiting:
            rejected = move._cobranca_active_boletos().filtered(lambda boleto: boleto.cnab_state == "rejected")
            if rejected:
                move._cobranca_boleto_email_failed(
                    _(
                        "Boleto %(boleto)s was rejected by the bank: %(reason)s",
                        boleto=rejected[0].nosso_numero_formatted,
                        reason=rejected[0].cnab_reason or "-",
                    )
                )
            elif not move._cnab_waits_for_bank():
                ready |= move
        if ready:
            # Still requested by whoever posted the invoice (the e-mail log and the chatter name them).
            for user in ready.cobranca_mail_user_id:
                requested = ready.filtered(lambda move, user=user: move.cobranca_mail_user_id == user)
                requested.with_user(user)._cobranca_set_mail_state("pending")
            (ready.filtered(lambda move: not move.cobranca_mail_user_id))._cobranca_set_mail_state("pending")
            self.env.ref("cobranca_email.ir_cron_send_boleto_emails").sudo()._trigger()
        return ready
