from odoo import Command, _, api, fields, models
from odoo.tools.mail import email_split_and_format

from cobranca_core import mail_purposes

# mail.mail state -> e-mail log state
MAIL_STATES = {
    "outgoing": "queued",
    "sent": "sent",
    "received": "sent",
    "exception": "failed",
    "cancel": "failed",
}


class CobrancaEmailLog(models.Model):
    _name = "cobranca.email.log"
    _description = "Billing e-mail log"
    _order = "date desc, id desc"
    _rec_name = "subject"

    date = fields.Datetime(
        required=True,
        readonly=True,
        index=True,
        default=fields.Datetime.now,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        readonly=True,
        default=lambda self: self.env.user,
        help="User who sent the e-mail, or on whose action it was sent.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        readonly=True,
        index=True,
        ondelete="set null",
    )
    purpose = fields.Selection(
        selection=list(mail_purposes.LOG_PURPOSES),
        required=True,
        readonly=True,
        index=True,
    )
    mail_server_id = fields.Many2one(
        comodel_name="ir.mail_server",
        string="Mail server",
        readonly=True,
        ondelete="set null",
    )
    email_from = fields.Char(string="Sender", readonly=True)
    recipients = fields.Char(readonly=True)
    subject = fields.Char(readonly=True)
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="cobranca_email_log_account_move_rel",
        column1="log_id",
        column2="move_id",
        string="Invoices",
        readonly=True,
    )
    move_line_ids = fields.Many2many(
        comodel_name="account.move.line",
        relation="cobranca_email_log_account_move_line_rel",
        column1="log_id",
        column2="move_line_id",
        string="Installments",
        readonly=True,
    )
    state = fields.Selection(
        selection=[
            ("queued", "Queued"),
            ("deferred", "Deferred by sending limits"),
            ("retry", "Waiting to retry"),
            ("sent", "Sent"),
            ("failed", "Failed"),
        ],
        string="Status",
        required=True,
        readonly=True,
        index=True,
        default="queued",
    )
    failure_reason = fields.Text(string="Failure reason", readonly=True)
    scheduled_date = fields.Datetime(
        string="Deferred until",
        readonly=True,
        help="The mail server reached its sending limit: the e-mail waits in the queue until then.",
    )
    sent_date = fields.Datetime(string="Sent on", readonly=True)
    mail_mail_id = fields.Many2one(
        comodel_name="mail.mail",
        string="Outgoing e-mail",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="Empty once the e-mail was sent and deleted by the mail queue: this log keeps what happened.",
    )
    mail_message_id = fields.Many2one(
        comodel_name="mail.message",
        string="Message",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    @api.model
    def _log_message(self, message, purpose=None, partner=None, moves=None, move_lines=None):
        """Log rows of the e-mails a billing message produced: one per ``mail.mail``.

        Call it right after posting the message (``record.message_post(..., cobranca_purpose=...)``,
        ``message_post_with_source`` or ``mail.template.send_mail`` of a message with a purpose). The
        rows are created (state ``queued``) together with the ``mail.mail`` records and then follow
        their real outcome (``sent``, ``failed`` with the reason, ``deferred`` by the sending limits,
        back to ``queued`` on retry), even after the mail queue deletes the ``mail.mail``. This call
        completes them with the partner and the invoices / installments concerned and returns them.

        A message that produced no e-mail at all (no recipient) gets one ``failed`` row, so the
        attempt stays visible.

        :param message: ``mail.message`` record
        :param str purpose: purpose key; default: the message's ``cobranca_purpose``
        :param partner: ``res.partner`` the e-mail is about (the customer)
        :param moves: ``account.move`` records (invoices)
        :param move_lines: ``account.move.line`` records (installments)
        :return: ``cobranca.email.log`` records
        """
        message.ensure_one()
        sudo_self = self.sudo()
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        logs = sudo_self.search([("mail_message_id", "=", message.id)])
        unlogged = mails - logs.mail_mail_id
        if unlogged:
            logs |= sudo_self.create([sudo_self._values_from_mail(mail) for mail in unlogged])
        values = {}
        if purpose:
            values["purpose"] = purpose
        if partner:
            values["partner_id"] = partner.id
        if moves:
            values["move_ids"] = [Command.set(moves.ids)]
        if move_lines:
            values["move_line_ids"] = [Command.set(move_lines.ids)]
        if logs:
            logs.write(values)
        else:
            logs = sudo_self.create(
                {
                    "purpose": purpose or message.cobranca_purpose,
                    "company_id": (message.record_company_id or self.env.company).id,
                    "mail_message_id": message.id,
                    "subject": message.subject or message.record_name,
                    "email_from": message.email_from,
                    "mail_server_id": message.mail_server_id.id,
                    "state": "failed",
                    "failure_reason": _("No e-mail was created: the message had no recipient with an e-mail address."),
                    **values,
                }
            )
        return self.browse(logs.ids)

    @api.model
    def _log_failure(
        self,
        purpose,
        company,
        partner=None,
        moves=None,
        move_lines=None,
        reason=None,
        subject=None,
        recipients=None,
        user=None,
    ):
        """Record billing e-mail that could not even be created (state ``failed``, reason shown).

        For example a customer without a valid e-mail address, or a boleto whose PDF could not be
        generated: the finance team sees it in the e-mail log next to the e-mails that left.

        :param str purpose: purpose key
        :param company: ``res.company`` record
        :param partner: ``res.partner`` record the e-mail was meant for
        :param moves: ``account.move`` records
        :param move_lines: ``account.move.line`` records
        :param str reason: why nothing was sent (translated by the caller)
        :param user: ``res.users`` who asked for the e-mail (default: the current user)
        :return: ``cobranca.email.log`` record
        """
        log = self.sudo().create(
            {
                "user_id": (user or self.env.user).id,
                "purpose": purpose,
                "company_id": company.id,
                "partner_id": partner.id if partner else False,
                "move_ids": [Command.set(moves.ids)] if moves else [],
                "move_line_ids": [Command.set(move_lines.ids)] if move_lines else [],
                "subject": subject,
                "recipients": recipients or (partner.email if partner else False),
                "state": "failed",
                "failure_reason": reason,
            }
        )
        return self.browse(log.ids)

    @api.model
    def _create_for_mails(self, mails, described=None):
        """One queued row per new billing ``mail.mail`` (called by ``mail.mail.create``).

        ``described``: optional values per mail (same order), e.g. the partner and the invoices the
        caller already knows, overriding what is guessed from the mail's record.
        """
        described = described or [{}] * len(mails)
        return self.sudo().create(
            [{**self._values_from_mail(mail), **extra} for mail, extra in zip(mails, described, strict=True)]
        )

    @api.model
    def _values_from_mail(self, mail):
        message = mail.mail_message_id
        partner = mail.recipient_ids[:1]
        if not partner and message.model == "res.partner" and message.res_id:
            partner = self.env["res.partner"].browse(message.res_id)
        moves = self.env["account.move"]
        if message.model == "account.move" and message.res_id:
            moves = moves.browse(message.res_id)
            partner = partner or moves.partner_id
        return {
            "purpose": mail.cobranca_purpose,
            "company_id": (message.record_company_id or self.env.company).id,
            "partner_id": partner.id,
            "move_ids": [Command.set(moves.ids)],
            "mail_server_id": mail.mail_server_id.id,
            "email_from": mail.email_from,
            "recipients": self._recipients_of(mail),
            "subject": mail.subject,
            "mail_mail_id": mail.id,
            "mail_message_id": message.id,
            "state": MAIL_STATES.get(mail.state, "queued"),
            "scheduled_date": mail.scheduled_date,
        }

    @api.model
    def _recipients_of(self, mail):
        addresses = email_split_and_format(mail.email_to or "")
        addresses += [partner.email_formatted for partner in mail.recipient_ids if partner.email]
        addresses += email_split_and_format(mail.email_cc or "")
        return ", ".join(dict.fromkeys(addresses))
