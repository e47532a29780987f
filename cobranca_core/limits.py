"""Per-minute, hourly and daily sending limits of a mail server.

Providers cap how many messages an account may send per hour and per day; past the cap they
refuse messages or block the account. The mail queue asks a :class:`SendingLimits` before each
message: the answer costs O(1) (three counters kept with the server, no counting of sent mail), and a
refused message is not failed but deferred to the start of the next window. Limits count what the
provider counts: SMTP messages (a mail to three recipient partners is three messages), not records.

Windows are fixed clock windows: an hour starts on the hour, a day at midnight in the time zone
given (the company's, so "per day" means the day the finance team sees). A provider that counts a
rolling 24 hours can still see up to twice the daily limit across midnight; set the limit to half
of the provider's rolling figure when that matters.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

UTC = timezone.utc


@dataclass
class WindowCounters:
    """What a server has sent in its current windows (kept with the server, updated per batch)."""

    hour_start: datetime | None = None
    hour_count: int = 0
    day_start: datetime | None = None
    day_count: int = 0
    minute_start: datetime | None = None
    minute_count: int = 0


def minute_window_start(now: datetime) -> datetime:
    """Start of the clock minute holding ``now`` (aware datetime), in UTC."""
    return now.astimezone(UTC).replace(second=0, microsecond=0)


def hour_window_start(now: datetime) -> datetime:
    """Start of the clock hour holding ``now`` (aware datetime), in UTC."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _midnight(day: date, tz: tzinfo) -> datetime:
    """Midnight starting ``day`` in ``tz`` (a ``zoneinfo`` zone or fixed offset), in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def day_window_start(now: datetime, tz: tzinfo = UTC) -> datetime:
    """Midnight starting the day of ``now`` in time zone ``tz``, returned in UTC."""
    return _midnight(now.astimezone(tz).date(), tz)


def next_day_start(now: datetime, tz: tzinfo = UTC) -> datetime:
    """Midnight starting the day after ``now`` in ``tz``, in UTC."""
    return _midnight(now.astimezone(tz).date() + timedelta(days=1), tz)


@dataclass(frozen=True)
class SendingLimits:
    """Limits of one server; ``None`` or 0 means no limit for that window."""

    per_hour: int | None = None
    per_day: int | None = None
    tz: tzinfo = UTC
    per_minute: int | None = None

    def __post_init__(self):
        for name in ("per_minute", "per_hour", "per_day"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be zero (no limit) or positive, not {value}")

    @property
    def limited(self) -> bool:
        return bool(self.per_minute or self.per_hour or self.per_day)

    def roll(self, counters: WindowCounters, now: datetime) -> WindowCounters:
        """Reset the counters whose window has passed; returns the same object."""
        minute = minute_window_start(now)
        if counters.minute_start != minute:
            counters.minute_start, counters.minute_count = minute, 0
        hour = hour_window_start(now)
        if counters.hour_start != hour:
            counters.hour_start, counters.hour_count = hour, 0
        day = day_window_start(now, self.tz)
        if counters.day_start != day:
            counters.day_start, counters.day_count = day, 0
        return counters

    def reserve(self, counters: WindowCounters, now: datetime, messages: int = 1) -> datetime | None:
        """Take ``messages`` slots for a mail sent at ``now``.

        Returns ``None`` and counts them when the mail may leave now; otherwise returns the (UTC)
        moment the blocking window ends, and leaves the counters as they were. A mail of more
        messages than a limit leaves alone at the start of a window (else it would never leave).
        """
        self.roll(counters, now)

        def full(limit, count):
            return bool(limit) and count > 0 and count + messages > limit

        blocked_until = None
        if full(self.per_day, counters.day_count):
            blocked_until = next_day_start(now, self.tz)
        elif full(self.per_hour, counters.hour_count):
            blocked_until = counters.hour_start + timedelta(hours=1)
        elif full(self.per_minute, counters.minute_count):
            blocked_until = counters.minute_start + timedelta(minutes=1)
        if blocked_until is None:
            counters.minute_count += messages
            counters.hour_count += messages
            counters.day_count += messages
        return blocked_until

    def remaining(self, counters: WindowCounters, now: datetime) -> int | None:
        """How many messages may still leave in the current windows (``None``: unlimited)."""
        self.roll(counters, now)
        left = [
            limit - count
            for limit, count in (
                (self.per_minute, counters.minute_count),
                (self.per_hour, counters.hour_count),
                (self.per_day, counters.day_count),
            )
            if limit
        ]
        return max(0, min(left)) if left else None
