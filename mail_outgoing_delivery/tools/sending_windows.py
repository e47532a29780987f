"""Sending windows of the mail servers: the slots the mail queue takes before each batch.

The rule (what a per-minute, hourly or daily limit allows, in which time zone) is
``cobranca_core.limits``; this is its bookkeeping in the ``ir_mail_server`` rows.
"""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cobranca_core.limits import SendingLimits, WindowCounters

COUNTER_FIELDS = (
    "limit_minute_start",
    "limit_minute_count",
    "limit_hour_start",
    "limit_hour_count",
    "limit_day_start",
    "limit_day_count",
)
LIMIT_FIELDS = ("limit_per_minute", "limit_per_hour", "limit_per_day")


def reserve_slots(servers, mails_by_server, now=None):
    """Take sending slots from the windows of ``servers`` (``ir.mail_server``, sudo): ``mails_by_server``
    maps a server id to ``(mail id, SMTP messages)`` of the mails about to leave through it, in the
    order they should leave.

    The counters of all these servers are read once with their rows locked (two workers cannot
    both take the last slot; ``FOR NO KEY UPDATE`` blocks other senders, not the creation of
    mails that reference the server), updated in memory, written back once per server: the cost
    does not depend on how many mails were already sent.

    :return: ``{mail_id: datetime (UTC) the mail must wait until}`` for the mails over a limit
    """
    now = now or datetime.now(timezone.utc)
    cr = servers.env.cr
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
