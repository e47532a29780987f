import logging

from odoo import _, fields, models
from odoo.tools import format_datetime

from cobranca_core.mail_retry import classify, next_attempt

from .ir_mail_server import LAST_DELIVERY_ERROR

_logger = logging.getLogger(__name__)


class MailMail(models.Model):
    """Odoo fails an e-mail for good at the first error. Here an e-mail the server refused for now (4xx,
    connection refused, timed out or lost) goes back to the queue, scheduled for a later attempt with
    its count and the server's answer, until its server's last attempt; a permanent failure (5xx)
    fails at once, with the server's words, as in Odoo."""

    _inherit = "mail.mail"

    delivery_attempts = fields.Integer(
        string="Failed attempts",
        readonly=True,
        copy=False,
        help="Attempts that failed for a reason that may pass (the server said to try later, or could not be "
        "reached). The e-mail is tried again at its scheduled date, up to its server's number of attempts.",
    )
    delivery_last_answer = fields.Char(string="Last answer", readonly=True, copy=False)

    def send(self, auto_commit=False, raise_exception=False, post_send_callback=None):
        LAST_DELIVERY_ERROR.set(None)  # an error of an earlier call (a connection test) is not these mails'
        return super().send(
            auto_commit=auto_commit, raise_exception=raise_exception, post_send_callback=post_send_callback
        )

    def _split_by_mail_configuration(self):
        """Odoo's batches (one connection each), cut to the messages per connection of their server."""
        servers = self.env["ir.mail_server"].sudo()
        for server_id, alias_domain_id, smtp_from, batch_ids in super()._split_by_mail_configuration():
            limit = servers.browse(server_id).limit_per_connection if server_id else 0
            if not limit:
                yield server_id, alias_domain_id, smtp_from, batch_ids
                continue
            chunk, messages = [], 0
            for mail in self.browse(batch_ids):
                count = mail._delivery_smtp_messages()
                if chunk and messages + count > limit:
                    yield server_id, alias_domain_id, smtp_from, chunk
                    chunk, messages = [], 0
                chunk.append(mail.id)
                messages += count
            if chunk:
                yield server_id, alias_domain_id, smtp_from, chunk

    def _delivery_smtp_messages(self):
        """How many SMTP messages this mail makes: Odoo sends one per recipient partner, and one for
        its plain addresses (To and CC together)."""
        self.ensure_one()
        return max(1, len(self.recipient_ids) + bool(self.email_to or self.email_cc))

    def mark_outgoing(self):
        # Retry by hand: the server's number of attempts starts again.
        self.write({"delivery_attempts": 0})
        return super().mark_outgoing()

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        later = self._delivery_retry_later()
        if later == self:
            return True
        return super(MailMail, self - later)._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )

    def _delivery_retry_later(self):
        """Put back in the queue, for a later attempt, the failed mails of this call whose error was
        temporary and whose server allows another attempt; returns them."""
        recorded = LAST_DELIVERY_ERROR.get()
        failed = self.filtered(lambda mail: mail.state == "exception")
        if not recorded or not failed:
            return self.browse()
        message_id, error = recorded
        concerned = failed if message_id is None else failed.filtered(lambda mail: mail.message_id == message_id)
        if not concerned:
            return self.browse()
        LAST_DELIVERY_ERROR.set(None)
        failure = classify(error)
        if not failure.temporary:
            concerned.write({"delivery_last_answer": failure.answer})  # fails at once, as in Odoo
            return self.browse()
        now = fields.Datetime.now()
        later = self.browse()
        for mail in concerned:
            server = mail.mail_server_id.sudo()
            policy = server._retry_policy()
            attempts = mail.delivery_attempts + 1
            when = next_attempt(policy, attempts, now)
            if when is None:
                mail.write(
                    {
                        "delivery_attempts": attempts,
                        "delivery_last_answer": failure.answer,
                        "failure_reason": _(
                            "Not delivered after %(attempts)s attempts; the server's last answer: %(answer)s",
                            attempts=attempts,
                            answer=failure.answer,
                        ),
                    }
                )
                continue
            mail.write(
                {
                    "state": "outgoing",
                    "scheduled_date": when,
                    "delivery_attempts": attempts,
                    "delivery_last_answer": failure.answer,
                    "failure_type": False,
                    "failure_reason": _(
                        "Temporary failure (attempt %(attempt)s of %(attempts)s), tried again on %(when)s: %(answer)s",
                        attempt=attempts,
                        attempts=policy.max_attempts,
                        when=format_datetime(self.env, when),
                        answer=failure.answer,
                    ),
                }
            )
            later |= mail
        if later:
            _logger.info("%s e-mail(s) to try again after a temporary failure: %s", len(later), failure.answer)
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger(min(later.mapped("scheduled_date")))
        return later
