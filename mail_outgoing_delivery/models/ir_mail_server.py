import contextvars
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo import api, fields, models, tools

from odoo.addons.base.models.res_partner import _tz_get

from cobranca_core.limits import SendingLimits, WindowCounters
from cobranca_core.mail_retry import RetryPolicy

COUNTER_FIELDS = (
    "limit_minute_start",
    "limit_minute_count",
    "limit_hour_start",
    "limit_hour_count",
    "limit_day_start",
    "limit_day_count",
)
LIMIT_FIELDS = ("limit_per_minute", "limit_per_hour", "limit_per_day")

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

    limit_per_minute = fields.Integer(
        string="Per minute limit",
        help="Most messages this server may send in one clock minute (0: no limit); Microsoft 365 refuses over "
        "30. Messages over the limit wait in the queue for the next minute.",
    )
    limit_per_hour = fields.Integer(
        string="Hourly limit",
        help="Most messages this server may send in one clock hour (0: no limit). "
        "Messages over the limit wait in the queue for the next hour.",
    )
    limit_per_day = fields.Integer(
        string="Daily limit",
        help="Most messages this server may send in one day (0: no limit). "
        "Messages over the limit wait in the queue for the next day.",
    )
    limit_tz = fields.Selection(
        selection=_tz_get,
        string="Time zone of the daily limit",
        default=lambda self: self.env.user.tz or "America/Sao_Paulo",
        help="The daily limit starts again at midnight in this time zone.",
    )
    limit_minute_start = fields.Datetime(string="Current minute since", readonly=True, copy=False)
    limit_minute_count = fields.Integer(string="Sent this minute", readonly=True, copy=False)
    limit_hour_start = fields.Datetime(string="Current hour since", readonly=True, copy=False)
    limit_hour_count = fields.Integer(string="Sent this hour", readonly=True, copy=False)
    limit_day_start = fields.Datetime(string="Current day since", readonly=True, copy=False)
    limit_day_count = fields.Integer(string="Sent this day", readonly=True, copy=False)

    _sql_constraints = [
        (
            "retry_values_possible",
            "CHECK(retry_max_attempts >= 1 AND retry_first_delay >= 1 AND retry_max_delay >= retry_first_delay)",
            "Delivery attempts must be at least 1, the first retry at least a minute after the first attempt, and "
            "the longest wait at least the first one.",
        ),
        (
            "limits_not_negative",
            "CHECK(limit_per_minute >= 0 AND limit_per_hour >= 0 AND limit_per_day >= 0)",
            "Sending limits cannot be negative: use 0 for no limit.",
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

    # Sending limits: counted per SMTP message, in windows kept with the server

    @api.model_create_multi
    def create(self, vals_list):
        servers = super().create(vals_list)
        if any(vals.get(field_name) for vals in vals_list for field_name in LIMIT_FIELDS):
            self.env.registry.clear_cache()  # _delivery_limited_server_ids
        return servers

    def write(self, vals):
        result = super().write(vals)
        if {*LIMIT_FIELDS, "active"} & set(vals):
            self.env.registry.clear_cache()
        return result

    @api.model
    @tools.ormcache()
    def _delivery_limited_server_ids(self):
        """Ids of the servers with a sending limit (cached: asked for every batch of the mail queue)."""
        servers = self.sudo().search(["|", "|", *((field_name, ">", 0) for field_name in LIMIT_FIELDS)])
        return frozenset(servers.ids)

    def _delivery_reserve_slots(self, mails_by_server, now=None):
        """Take sending slots from the windows of each server: ``mails_by_server`` maps a server id to
        ``(mail id, SMTP messages)`` of the mails about to leave through it, in the order they should
        leave.

        The counters of all these servers are read once with their rows locked (two workers cannot
        both take the last slot; ``FOR NO KEY UPDATE`` blocks other senders, not the creation of
        mails that reference the server), updated in memory, written back once per server: the cost
        does not depend on how many mails were already sent.

        :return: ``{mail_id: datetime (UTC) the mail must wait until}`` for the mails over a limit
        """
        now = now or datetime.now(timezone.utc)
        cr = self.env.cr
        servers = self.sudo().browse(list(mails_by_server))
        servers.flush_recordset([*LIMIT_FIELDS, "limit_tz", *COUNTER_FIELDS])
        cr.execute(
            f"""SELECT id, limit_tz, {", ".join(LIMIT_FIELDS)}, {", ".join(COUNTER_FIELDS)}
                  FROM ir_mail_server
                 WHERE id = ANY(%s)
                 ORDER BY id
                   FOR NO KEY UPDATE""",
            [servers.ids],
            log_exceptions=False,
        )
        deferred = {}
        for row in cr.dictfetchall():
            limits = SendingLimits(
                row["limit_per_hour"] or None,
                row["limit_per_day"] or None,
                _zone(row["limit_tz"]),
                row["limit_per_minute"] or None,
            )
            counters = WindowCounters(
                _aware(row["limit_hour_start"]),
                row["limit_hour_count"] or 0,
                _aware(row["limit_day_start"]),
                row["limit_day_count"] or 0,
                _aware(row["limit_minute_start"]),
                row["limit_minute_count"] or 0,
            )
            for mail_id, messages in mails_by_server[row["id"]]:
                until = limits.reserve(counters, now, messages) if limits.limited else None
                if until:
                    deferred[mail_id] = until
            cr.execute(
                """UPDATE ir_mail_server
                      SET limit_minute_start = %s, limit_minute_count = %s, limit_hour_start = %s,
                          limit_hour_count = %s, limit_day_start = %s, limit_day_count = %s
                    WHERE id = %s""",
                [
                    _naive(counters.minute_start),
                    counters.minute_count,
                    _naive(counters.hour_start),
                    counters.hour_count,
                    _naive(counters.day_start),
                    counters.day_count,
                    row["id"],
                ],
            )
        servers.invalidate_recordset(list(COUNTER_FIELDS))
        return deferred


def _aware(value):
    return value.replace(tzinfo=timezone.utc) if value else None


def _naive(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value else None


def _zone(name):
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc
