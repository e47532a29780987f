"""Whether an e-mail the SMTP server did not take is tried again, and when.

A server answers 4xx when the failure is temporary (greylisting, "451 4.3.0 try again later", a
full mailbox at the moment, too many connections or login attempts) and 5xx when it is permanent
(no such mailbox, message refused). Odoo fails both for good; the mail queue of the transport addon
asks :func:`classify` which one it is and :func:`next_attempt` when to try again: exponential
backoff from a first delay, capped, up to a number of attempts, all set per mail server.

Connection problems are temporary too (refused, reset, timed out, the server hanging up in the
middle of a message): the server may be down for a while. A certificate that fails verification, an
unknown host name or an error Odoo raises while building the message are not: they need someone to
change a setting, and retrying would only hide them.
"""

import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta

# Texts some servers send with a 5xx code for what is in fact a temporary refusal.
TEMPORARY_HINTS = ("too many login attempts", "too many connections", "try again later", "rate limit")


@dataclass(frozen=True)
class Failure:
    """One failed attempt: ``temporary`` ones are tried again."""

    temporary: bool
    answer: str  # the server's words ("451 4.3.0 try again later"), or the error's
    code: int | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """How a mail server retries: at most ``max_attempts`` attempts in all (the first included),
    waiting ``first_delay``, then twice as long each time, never more than ``max_delay``."""

    max_attempts: int = 5
    first_delay: timedelta = timedelta(minutes=5)
    max_delay: timedelta = timedelta(hours=4)

    def __post_init__(self):
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1 (1: never retry)")
        if self.first_delay <= timedelta(0) or self.max_delay < self.first_delay:
            raise ValueError("delays must be positive, and the longest at least the first")


def _answer(code, message):
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{code} {message}".strip() if code else str(message)


def _by_code(code, answer):
    temporary = 400 <= code < 500 or any(hint in answer.lower() for hint in TEMPORARY_HINTS)
    return Failure(temporary, answer, code)


def _cause(error):
    """The error that ``error`` wraps, if any: Odoo raises its own exception from the SMTP one."""
    return error.__cause__ or (None if error.__suppress_context__ else error.__context__)


def classify(error: BaseException) -> Failure:
    """Whether ``error``, raised while connecting or sending one e-mail, is worth another attempt.

    An error that wraps another (Odoo's MailDeliveryException around smtplib's) is judged by the
    innermost one that says something.
    """
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        failure = _classify_one(error)
        inner = _cause(error)
        if failure is not None or inner is None:
            return failure or Failure(False, str(error) or type(error).__name__)
        error = inner
    return Failure(False, str(error))


def _classify_one(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # Every recipient refused (else smtplib would have sent to the others): temporary only when
        # each refusal is.
        refusals = [(code, _answer(code, message)) for code, message in error.recipients.values()]
        answer = "; ".join(
            f"{address}: {text}" for address, (_code, text) in zip(error.recipients, refusals, strict=True)
        )
        temporary = bool(refusals) and all(_by_code(code, text).temporary for code, text in refusals)
        return Failure(temporary, answer, refusals[0][0] if refusals else None)
    if isinstance(error, smtplib.SMTPResponseException):
        return _by_code(error.smtp_code, _answer(error.smtp_code, error.smtp_error))
    if isinstance(error, ssl.SSLCertVerificationError):
        return Failure(False, str(error))
    if isinstance(error, socket.gaierror):
        # The name does not resolve: a typo in the host, unless the resolver itself failed.
        return Failure(error.errno == socket.EAI_AGAIN, str(error))
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError):
        return Failure(True, str(error) or type(error).__name__)
    if isinstance(error, OSError) and not isinstance(error, ssl.SSLError):
        return Failure(True, str(error))  # network unreachable, no route to host...
    return None


def next_attempt(policy: RetryPolicy, attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed attempts (1 after the first), or None when the
    last allowed one failed."""
    if attempts >= policy.max_attempts:
        return None
    delay = min(policy.first_delay * 2 ** (attempts - 1), policy.max_delay)
    return now + delay
