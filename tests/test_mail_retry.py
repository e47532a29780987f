"""Which SMTP failures are tried again, and when."""

import smtplib
import socket
import ssl
from datetime import datetime, timedelta

import pytest

from cobranca_core.mail_retry import RetryPolicy, classify, next_attempt

NOW = datetime(2026, 12, 2, 10, 0)


@pytest.mark.parametrize(
    ("error", "temporary", "answer"),
    [
        (smtplib.SMTPDataError(451, b"4.3.0 try again later"), True, "451 4.3.0 try again later"),
        (smtplib.SMTPDataError(550, b"5.7.1 message refused"), False, "550 5.7.1 message refused"),
        (smtplib.SMTPSenderRefused(421, b"4.7.0 too busy", "a@x.com"), True, "421 4.7.0 too busy"),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), False, "535 5.7.8 bad credentials"),
        # Some providers refuse a burst of logins with a 5xx code that only means "later".
        (smtplib.SMTPAuthenticationError(554, b"5.7.0 Too many login attempts"), True, "Too many login attempts"),
        (smtplib.SMTPConnectError(421, b"Service not available"), True, "421 Service not available"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True, "unexpectedly closed"),
        (ConnectionRefusedError(111, "Connection refused"), True, "Connection refused"),
        (TimeoutError("timed out"), True, "timed out"),
        (OSError(101, "Network is unreachable"), True, "unreachable"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), False, "not known"),
        (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), True, "Temporary"),
        (ssl.SSLCertVerificationError("certificate verify failed"), False, "verify failed"),
        (AssertionError("No valid recipient"), False, "No valid recipient"),
    ],
)
def test_temporary_failures_are_retried_permanent_ones_are_not(error, temporary, answer):
    failure = classify(error)
    assert failure.temporary is temporary
    assert answer in failure.answer


def test_recipients_refused_is_temporary_only_when_every_refusal_is():
    greylisted = smtplib.SMTPRecipientsRefused({"a@x.com": (450, b"4.2.0 greylisted"), "b@y.com": (451, b"later")})
    failure = classify(greylisted)
    assert failure.temporary
    assert failure.answer == "a@x.com: 450 4.2.0 greylisted; b@y.com: 451 later"
    mixed = smtplib.SMTPRecipientsRefused({"a@x.com": (450, b"greylisted"), "b@y.com": (550, b"no such user")})
    assert not classify(mixed).temporary
    assert classify(mixed).code == 450


def test_backoff_doubles_up_to_the_cap_then_gives_up():
    policy = RetryPolicy(max_attempts=6, first_delay=timedelta(minutes=5), max_delay=timedelta(minutes=30))
    delays = [next_attempt(policy, attempts, NOW) - NOW for attempts in range(1, 6)]
    assert delays == [timedelta(minutes=minutes) for minutes in (5, 10, 20, 30, 30)]
    assert next_attempt(policy, 6, NOW) is None, "the sixth attempt was the last"
    assert next_attempt(RetryPolicy(max_attempts=1), 1, NOW) is None, "1: never retried"


@pytest.mark.parametrize(
    "values",
    [
        {"max_attempts": 0},
        {"first_delay": timedelta(0)},
        {"first_delay": timedelta(minutes=10), "max_delay": timedelta(minutes=5)},
    ],
)
def test_policy_refuses_impossible_values(values):
    with pytest.raises(ValueError):
        RetryPolicy(**values)


class MailDeliveryException(Exception):
    """Stands for Odoo's: raised from inside the ``except`` of the SMTP error, with its own text."""


def _wrapped(error):
    try:
        try:
            raise error
        except Exception as inner:
            raise MailDeliveryException("Mail Delivery Failed", f"{type(inner).__name__}: {inner}")  # noqa: B904
    except MailDeliveryException as outer:
        return outer


def test_an_error_wrapping_the_smtp_one_is_judged_by_it():
    failure = classify(_wrapped(smtplib.SMTPDataError(451, b"4.3.0 try again later")))
    assert failure.temporary
    assert failure.answer == "451 4.3.0 try again later"
    assert not classify(_wrapped(smtplib.SMTPDataError(554, b"5.7.1 spam"))).temporary
    assert not classify(_wrapped(ValueError("bad header"))).temporary
