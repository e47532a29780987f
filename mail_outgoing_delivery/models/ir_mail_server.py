import contextvars
from datetime import timedelta

from odoo import fields, models

from cobranca_core.mail_retry import RetryPolicy

# ``(Message-Id or None, error)`` of the last failed send (or connection: None) of this thread, for
# mail.mail to tell a temporary failure from a permanent one: Odoo keeps only the error's text.
LAST_DELIVERY_ERROR = contextvars.ContextVar("mail_outgoing_delivery_last_error", default=None)


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    retry_max_attempts = fields.Integer(
        string="Delivery attempts",
        default=5,
        help="How many times in all an e-mail is tried when the server answers with a temporary failure "
        "(4xx, connection refused or lost, timeout). 1: never retried. A permanent failure (5xx) fails at once.",
    )
    retry_first_delay = fields.Integer(
        string="First retry after (minutes)",
        default=5,
        help="Wait before the second attempt; each later wait is twice the previous one.",
    )
    retry_max_delay = fields.Integer(
        string="Longest wait (minutes)",
        default=240,
        help="The waits between attempts never grow beyond this.",
    )

    limit_per_connection = fields.Integer(
        string="Messages per connection",
        default=0,
        help="Most messages sent through one connection: some providers close the connection after a number of "
        "messages (0: Odoo's batch size). The queue opens a new connection for the next ones.",
    )

    _sql_constraints = [
        (
            "retry_values_possible",
            "CHECK(retry_max_attempts >= 1 AND retry_first_delay >= 1 AND retry_max_delay >= retry_first_delay)",
            "Delivery attempts must be at least 1, the first retry at least a minute after the first attempt, and "
            "the longest wait at least the first one.",
        ),
        (
            "limit_per_connection_not_negative",
            "CHECK(limit_per_connection >= 0)",
            "The messages per connection cannot be negative: use 0 for no limit.",
        ),
    ]

    def _retry_policy(self):
        """The retry policy of this server; Odoo's own when no server is set (command-line SMTP)."""
        if not self:
            return RetryPolicy()
        self.ensure_one()
        return RetryPolicy(
            self.retry_max_attempts,
            timedelta(minutes=self.retry_first_delay),
            timedelta(minutes=self.retry_max_delay),
        )

    def connect(self, *args, **kwargs):
        try:
            return super().connect(*args, **kwargs)
        except Exception as error:
            LAST_DELIVERY_ERROR.set((None, error))
            raise

    def send_email(self, message, *args, **kwargs):
        try:
            return super().send_email(message, *args, **kwargs)
        except Exception as error:
            LAST_DELIVERY_ERROR.set((message["Message-Id"], error))
            raise
