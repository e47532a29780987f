from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from cobranca_core.limits import SendingLimits, WindowCounters, day_window_start

UTC = timezone.utc
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def at(hour, minute=0, day=23):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def send(limits, counters, now, n):
    """Try n messages at `now`; return (sent, deferred_until values)."""
    sent, deferred = 0, []
    for _ in range(n):
        until = limits.reserve(counters, now)
        if until is None:
            sent += 1
        else:
            deferred.append(until)
    return sent, deferred


def test_hourly_limit_defers_to_next_hour():
    limits, counters = SendingLimits(per_hour=10), WindowCounters()
    sent, deferred = send(limits, counters, at(14, 25), 12)
    assert sent == 10
    assert deferred == [at(15, 0)] * 2
    # The next hour opens a fresh window: the two deferred ones go.
    assert send(limits, counters, at(15, 0), 2) == (2, [])


def test_daily_limit_defers_to_local_midnight():
    limits, counters = SendingLimits(per_hour=100, per_day=3, tz=SAO_PAULO), WindowCounters()
    now = datetime(2026, 11, 23, 22, 0, tzinfo=SAO_PAULO)  # 01:00 UTC the next day
    sent, deferred = send(limits, counters, now, 5)
    assert sent == 3
    assert deferred == [datetime(2026, 11, 24, 0, 0, tzinfo=SAO_PAULO).astimezone(UTC)] * 2
    # Still the same local day an hour later: the hourly window reset does not free the daily one.
    assert send(limits, counters, now + timedelta(hours=1), 1)[0] == 0


def test_day_window_follows_timezone_not_utc():
    # 01:00 UTC on the 24th is still the 23rd in São Paulo.
    assert day_window_start(at(1, day=24), SAO_PAULO) == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_no_limit_counts_but_never_blocks():
    limits, counters = SendingLimits(), WindowCounters()
    assert not limits.limited
    assert send(limits, counters, at(9), 1000) == (1000, [])
    assert limits.remaining(counters, at(9)) is None


def test_remaining_is_the_tighter_window():
    limits, counters = SendingLimits(per_hour=10, per_day=12), WindowCounters()
    send(limits, counters, at(9), 8)
    assert limits.remaining(counters, at(9, 30)) == 2
    assert limits.remaining(counters, at(10, 30)) == 4  # hour reset, day is the limit now


def test_negative_limit_refused():
    with pytest.raises(ValueError, match="per_hour"):
        SendingLimits(per_hour=-1)


def test_thirty_one_messages_with_thirty_a_minute():
    """Microsoft 365 refuses more than 30 messages a minute: the 31st waits for the next minute."""
    limits, counters = SendingLimits(per_minute=30, per_hour=10_000), WindowCounters()
    sent, deferred = send(limits, counters, at(14, 25).replace(second=40), 31)
    assert sent == 30
    assert deferred == [at(14, 26)]
    assert limits.remaining(counters, at(14, 25).replace(second=50)) == 0
    assert send(limits, counters, at(14, 26), 1) == (1, []), "the next minute it leaves"
    assert counters.hour_count == 31


def test_a_mail_counts_one_slot_per_smtp_message():
    limits, counters = SendingLimits(per_hour=10), WindowCounters()
    assert limits.reserve(counters, at(9), messages=8) is None
    assert limits.reserve(counters, at(9, 5), messages=3) == at(10), "8 + 3 over 10: the whole mail waits"
    assert limits.reserve(counters, at(9, 6), messages=2) is None
    assert counters.hour_count == 10
    # A mail bigger than the limit still leaves, alone, at the start of a window.
    assert limits.reserve(counters, at(10), messages=25) is None
    assert limits.reserve(counters, at(10, 1)) == at(11)
