"""Outgoing mail (SMTP) settings of common providers, and what an SMTP failure means.

Plain logic the addon uses to save typing and explain failures:

- :data:`PRESETS`: host, port, encryption, how to authenticate and the published sending limits
  of the providers Brazilian companies use most, each with where the figures were read and how
  sure we are of them (:attr:`SmtpPreset.confidence`).
- :func:`suggest_encryption` and :func:`suggest_port`: port 587 goes with STARTTLS, 465 with
  SSL/TLS (implicit TLS), and back.
- :func:`preset_authentication`: how a server logs in once a preset is chosen; an OAuth login
  (Odoo's Gmail and Outlook integrations) survives the choice of its provider's preset.
- :func:`diagnose`: turns an exception raised while connecting or sending (``smtplib``, ``ssl``,
  ``socket``, :class:`OAuthTokenRefused`, possibly wrapped by the caller) into a hint key and the
  server's own words. The addon maps each key to a translated, actionable message.

Nothing here opens a connection.
"""

import dataclasses
import smtplib
import socket
import ssl
from dataclasses import dataclass

NONE, STARTTLS, SSL = "none", "starttls", "ssl"

# How sure we are of a preset's figures.
DOC = "doc"  # read in the provider's own documentation
THIRD_PARTY = "third_party"  # read on a third-party page
PUBLIC_CONFIG = "public_config"  # only seen in public configurations
UNCONFIRMED = "unconfirmed"

# How a provider wants the account to authenticate (the addon explains each key).
AUTH_APP_PASSWORD = "app_password"  # app password (2-step verification) or OAuth
AUTH_MICROSOFT = "microsoft_smtp_auth"  # SMTP AUTH enabled per mailbox, OAuth on new tenants
AUTH_OAUTH_ONLY = "oauth_only"  # password login ended: only OAuth works
AUTH_SES = "ses_credentials"  # SES SMTP credentials, not the console password
AUTH_PANEL_USER = "panel_user"  # SMTP user of the provider's panel, validated sender domain
AUTH_MAILBOX = "mailbox_password"  # the mailbox address and its password

# How Odoo logs in to a server (its ``smtp_authentication`` values): user name and password, or
# OAuth through Odoo's google_gmail and microsoft_outlook modules, which refresh the access token.
LOGIN = "login"
OAUTH_GMAIL = "gmail"
OAUTH_OUTLOOK = "outlook"
OAUTH_AUTHENTICATIONS = frozenset({OAUTH_GMAIL, OAUTH_OUTLOOK})
#: the provider's name for each OAuth login, as Odoo's integrations call it
OAUTH_NAMES = {OAUTH_GMAIL: "Gmail", OAUTH_OUTLOOK: "Outlook"}


@dataclass(frozen=True)
class SmtpPreset:
    """Published outgoing settings of one provider."""

    key: str
    name: str
    host: str
    port: int
    encryption: str
    authentication: str
    confidence: str
    source: str
    #: other (port, encryption) pairs the provider accepts
    other_ports: tuple = ()
    #: published limits (messages); None when the provider publishes none or it depends on the plan
    per_hour: int | None = None
    per_day: int | None = None
    #: what the published limits mean, in a few English words (shown next to the figures)
    limits_note: str = ""
    #: host names (exact, or suffixes starting with a dot) that belong to this provider
    hosts: tuple = ()
    #: the OAuth login Odoo offers for this provider (:data:`OAUTH_GMAIL`, :data:`OAUTH_OUTLOOK`)
    oauth: str | None = None

    def matches_host(self, host: str) -> bool:
        host = (host or "").strip().lower().rstrip(".")
        if not host:
            return False
        for known in (self.host, *self.hosts):
            if known.startswith(".") and host.endswith(known):
                return True
            if host == known:
                return True
        return False


PRESETS = {
    preset.key: preset
    for preset in (
        SmtpPreset(
            key="gmail",
            name="Gmail",
            host="smtp.gmail.com",
            port=587,
            encryption=STARTTLS,
            other_ports=((465, SSL),),
            authentication=AUTH_APP_PASSWORD,
            per_day=500,
            limits_note="personal Gmail account, rolling 24 hours",
            confidence=THIRD_PARTY,
            source="Google help pages quoted by third parties; Google refuses plain passwords since 2025",
            oauth=OAUTH_GMAIL,
        ),
        SmtpPreset(
            key="google_workspace",
            name="Google Workspace",
            host="smtp.gmail.com",
            port=587,
            encryption=STARTTLS,
            other_ports=((465, SSL),),
            authentication=AUTH_APP_PASSWORD,
            per_day=2000,
            limits_note="per user, rolling 24 hours; 10,000 recipients a day, 100 per message over SMTP",
            confidence=DOC,
            source="Google Workspace Admin Help, Gmail sending limits",
            oauth=OAUTH_GMAIL,
        ),
        SmtpPreset(
            key="microsoft365",
            name="Microsoft 365 (Exchange Online)",
            host="smtp.office365.com",
            port=587,
            encryption=STARTTLS,
            authentication=AUTH_MICROSOFT,
            per_hour=1800,
            per_day=10000,
            limits_note="30 messages a minute, 10,000 recipients a day, 500 recipients per message",
            confidence=THIRD_PARTY,
            source="Exchange Online limits as quoted by third parties; SMTP AUTH notice MC786329 (basic "
            "authentication off by default from the end of 2026)",
            hosts=("smtp-legacy.office365.com",),
            oauth=OAUTH_OUTLOOK,
        ),
        SmtpPreset(
            key="outlook",
            name="Outlook.com (personal)",
            host="smtp-mail.outlook.com",
            port=587,
            encryption=STARTTLS,
            authentication=AUTH_OAUTH_ONLY,
            confidence=THIRD_PARTY,
            source="Microsoft ended password login for personal accounts in September 2024 (third parties)",
            hosts=("smtp.live.com",),
            oauth=OAUTH_OUTLOOK,
        ),
        SmtpPreset(
            key="zoho",
            name="Zoho Mail (free and personal)",
            host="smtp.zoho.com",
            port=465,
            encryption=SSL,
            other_ports=((587, STARTTLS),),
            authentication=AUTH_APP_PASSWORD,
            per_hour=50,
            limits_note="external recipients: 50 to 500 an hour depending on the account's reputation",
            confidence=DOC,
            source="Zoho Mail help, SMTP configuration and sending limits",
            hosts=("smtp.zoho.eu", "smtp.zoho.in", "smtp.zoho.com.au"),
        ),
        SmtpPreset(
            key="zoho_pro",
            name="Zoho Mail (paid, own domain)",
            host="smtppro.zoho.com",
            port=465,
            encryption=SSL,
            other_ports=((587, STARTTLS),),
            authentication=AUTH_APP_PASSWORD,
            per_hour=50,
            limits_note="external recipients: 50 to 500 an hour depending on the account's reputation",
            confidence=DOC,
            source="Zoho Mail help, SMTP configuration and sending limits",
            hosts=("smtppro.zoho.eu", "smtppro.zoho.in", "smtppro.zoho.com.au"),
        ),
        SmtpPreset(
            key="amazon_ses",
            name="Amazon SES (São Paulo region)",
            host="email-smtp.sa-east-1.amazonaws.com",
            port=587,
            encryption=STARTTLS,
            other_ports=((2587, STARTTLS), (25, STARTTLS), (465, SSL), (2465, SSL)),
            authentication=AUTH_SES,
            per_day=200,
            limits_note="sandbox: 200 a day and 1 a second; production limits are set per account",
            confidence=DOC,
            source="Amazon SES Developer Guide, Connecting to an Amazon SES SMTP endpoint; quotas",
            hosts=(".amazonaws.com",),
        ),
        SmtpPreset(
            key="locaweb_smtp",
            name="Locaweb (SMTP Locaweb)",
            host="smtplw.com.br",
            port=587,
            encryption=STARTTLS,
            other_ports=((465, SSL),),
            authentication=AUTH_PANEL_USER,
            limits_note="depends on the plan",
            confidence=PUBLIC_CONFIG,
            source="public configurations; validated sender domain required since June 2025 (Locaweb help)",
        ),
        SmtpPreset(
            key="locaweb_hosting",
            name="Locaweb (e-mail hosting)",
            host="email-ssl.com.br",
            port=465,
            encryption=SSL,
            other_ports=((587, STARTTLS),),
            authentication=AUTH_MAILBOX,
            limits_note="depends on the plan",
            confidence=PUBLIC_CONFIG,
            source="public configurations",
        ),
        SmtpPreset(
            key="uol_host",
            name="UOL Host",
            host="smtps.uhserver.com",
            port=465,
            encryption=SSL,
            authentication=AUTH_MAILBOX,
            limits_note="depends on the plan",
            confidence=PUBLIC_CONFIG,
            source="public configurations",
        ),
        SmtpPreset(
            key="kinghost",
            name="KingHost",
            host="smtp.kinghost.net",
            port=587,
            encryption=STARTTLS,
            other_ports=((465, SSL),),
            authentication=AUTH_MAILBOX,
            limits_note="depends on the plan",
            confidence=PUBLIC_CONFIG,
            source="public configurations; resellers use smtp.uni5.net",
            hosts=("smtp.uni5.net",),
        ),
        SmtpPreset(
            key="hostinger",
            name="Hostinger",
            host="smtp.hostinger.com",
            port=465,
            encryption=SSL,
            authentication=AUTH_MAILBOX,
            per_day=1000,
            limits_note="Business Starter plan, rolling 24 hours (Premium: 3,000); 100 recipients per message",
            confidence=THIRD_PARTY,
            source="Hostinger help (limits); port and encryption from third parties",
        ),
    )
}

#: Providers that refuse an account's normal password from other programs.
APP_PASSWORD_PROVIDERS = frozenset({"gmail", "google_workspace", "microsoft365", "outlook", "zoho", "zoho_pro"})

SSL_PORTS = frozenset({465, 2465})
STARTTLS_PORTS = frozenset({587, 2587})


def preset_for_host(host: str) -> SmtpPreset | None:
    """The preset whose host (or one of its known hosts) is ``host``, first declared wins."""
    return next((preset for preset in PRESETS.values() if preset.matches_host(host)), None)


def preset_authentication(preset: SmtpPreset, current: str | None, available=()) -> str:
    """How a server logs in once ``preset`` is chosen, ``current`` being how it logs in now.

    An OAuth login stays an OAuth login: the provider's own one (a Gmail OAuth server keeps it for
    Gmail and Google Workspace, and becomes an Outlook OAuth server for Microsoft 365 or
    Outlook.com), as long as it is among the ``available`` logins (the Odoo integration is
    installed). Otherwise, and for every other login, the preset's user name and password.
    """
    if current in OAUTH_AUTHENTICATIONS and preset.oauth in available:
        return preset.oauth
    return LOGIN


def suggest_encryption(port: int | None) -> str | None:
    """Encryption a port is meant for: 465 (and 2465) SSL/TLS, 587 (and 2587) STARTTLS.

    ``None`` for other ports (25 may be either; anything else is the provider's choice).
    """
    if port in SSL_PORTS:
        return SSL
    if port in STARTTLS_PORTS:
        return STARTTLS
    return None


def suggest_port(encryption: str, port: int | None) -> int:
    """Port to use with ``encryption``, keeping ``port`` when it already fits."""
    if encryption == SSL:
        return port if port in SSL_PORTS else 465
    if encryption == STARTTLS:
        return port if port in STARTTLS_PORTS or port == 25 else 587
    return 25 if not port or port in SSL_PORTS else port


# Hint keys returned by diagnose(); the addon has one translated message per key.
AUTH_REFUSED = "auth_refused"
AUTH_APP_PASSWORD_REQUIRED = "auth_app_password"
AUTH_REQUIRED = "auth_required"
AUTH_UNSUPPORTED = "auth_unsupported"
CERTIFICATE_INVALID = "certificate_invalid"
TLS_MISMATCH = "tls_mismatch"
TIMEOUT = "timeout"
UNKNOWN_HOST = "unknown_host"
CONNECTION_REFUSED = "connection_refused"
DISCONNECTED = "disconnected"
SENDER_REFUSED = "sender_refused"
RECIPIENT_REFUSED = "recipient_refused"
MESSAGE_REFUSED = "message_refused"
NETWORK = "network"
OAUTH_TOKEN_REFUSED = "oauth_token_refused"
UNKNOWN = "unknown"

HINT_KEYS = (
    AUTH_REFUSED,
    AUTH_APP_PASSWORD_REQUIRED,
    AUTH_REQUIRED,
    AUTH_UNSUPPORTED,
    CERTIFICATE_INVALID,
    TLS_MISMATCH,
    TIMEOUT,
    UNKNOWN_HOST,
    CONNECTION_REFUSED,
    DISCONNECTED,
    SENDER_REFUSED,
    RECIPIENT_REFUSED,
    MESSAGE_REFUSED,
    NETWORK,
    OAUTH_TOKEN_REFUSED,
    UNKNOWN,
)
# What a password login's refusal means (the hints speak of the user name and password).
AUTHENTICATION_KEYS = frozenset({AUTH_REFUSED, AUTH_APP_PASSWORD_REQUIRED, AUTH_REQUIRED})


class OAuthTokenRefused(Exception):
    """The provider would not give an OAuth server a new access token (the refresh token was revoked
    or expired, the account's password changed, or it was never connected): the account must be
    connected again. Raised by the addon, with the provider's words, from Odoo's own error."""


@dataclass(frozen=True)
class Diagnosis:
    """What went wrong: a hint key, the server's or library's words, and the provider if known."""

    key: str
    detail: str
    provider: str | None = None


def _chain(error):
    """The error and the errors it wraps (cause, context, exceptions passed as arguments)."""
    seen, todo = set(), [error]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
        todo.extend((current.__cause__, current.__context__))


def _detail(error):
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        return f"{error.smtp_code} {text}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
            for address, (code, reply) in error.recipients.items()
        )
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return error.verify_message
    return str(error) or error.__class__.__name__


def _mismatched(port, encryption):
    expected = suggest_encryption(port)
    return bool(expected and encryption and expected != encryption)


def _classify(error, provider, port, encryption):
    """Hint key for one exception of the chain, or None when it says nothing specific."""
    text = str(error).lower()
    if isinstance(error, OAuthTokenRefused):
        return OAUTH_TOKEN_REFUSED
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return AUTH_APP_PASSWORD_REQUIRED if provider in APP_PASSWORD_PROVIDERS else AUTH_REFUSED
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return AUTH_UNSUPPORTED if "auth" in text else TLS_MISMATCH
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return RECIPIENT_REFUSED
    if isinstance(error, smtplib.SMTPResponseException):
        reply = _detail(error).lower()
        if "starttls" in reply:
            return TLS_MISMATCH
        if error.smtp_code == 530 or "authentication required" in reply:
            return AUTH_REQUIRED
        if isinstance(error, smtplib.SMTPSenderRefused):
            return SENDER_REFUSED
        if isinstance(error, smtplib.SMTPDataError):
            return MESSAGE_REFUSED
        return None
    if isinstance(error, smtplib.SMTPServerDisconnected):
        if "timed out" in text:
            return TLS_MISMATCH if _mismatched(port, encryption) else TIMEOUT
        return TLS_MISMATCH if _mismatched(port, encryption) else DISCONNECTED
    if isinstance(error, smtplib.SMTPException):
        return AUTH_UNSUPPORTED if "authentication method" in text else None
    if isinstance(error, ssl.SSLCertVerificationError):
        return CERTIFICATE_INVALID
    if isinstance(error, ssl.SSLError):
        return TLS_MISMATCH
    if isinstance(error, socket.gaierror | UnicodeError):
        return UNKNOWN_HOST
    if isinstance(error, ConnectionRefusedError):
        return CONNECTION_REFUSED
    if isinstance(error, TimeoutError):
        return TLS_MISMATCH if _mismatched(port, encryption) else TIMEOUT
    if isinstance(error, OSError):
        return NETWORK
    return None


def diagnose(error: BaseException, host: str | None = None, port: int | None = None, encryption: str | None = None):
    """Explain an exception raised while connecting to or sending through an SMTP server.

    ``error`` may be wrapped by the caller (Odoo's ``MailDeliveryException``, a ``UserError``...):
    the wrapped exceptions (``__cause__``, ``__context__``, exception arguments) are searched, the
    outermost specific one wins. ``host``, ``port`` and ``encryption`` (``none``/``starttls``/
    ``ssl``) refine the hint: a timeout on port 465 without SSL/TLS is an encryption mismatch, an
    authentication refused by Gmail asks for an app password.

    Returns a :class:`Diagnosis` whose ``key`` is one of :data:`HINT_KEYS`.
    """
    preset = preset_for_host(host)
    provider = preset.key if preset else None
    for current in _chain(error):
        key = _classify(current, provider, port, encryption)
        if key:
            return Diagnosis(key, _detail(current), provider)
    return Diagnosis(UNKNOWN, _detail(error), provider)


def for_authentication(diagnosis: Diagnosis, authentication: str | None) -> Diagnosis:
    """``diagnosis`` of a server that logs in with ``authentication`` (Odoo's ``smtp_authentication``).

    An OAuth server has no password: a login refused, or required because the provider ignored the
    access token, means the provider refused that token, and the account must be connected again.
    """
    if authentication in OAUTH_AUTHENTICATIONS and diagnosis.key in AUTHENTICATION_KEYS:
        return dataclasses.replace(diagnosis, key=OAUTH_TOKEN_REFUSED)
    return diagnosis
