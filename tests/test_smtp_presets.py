import smtplib
import socket
import ssl

import pytest

from cobranca_core import mail_purposes
from cobranca_core.smtp_presets import (
    AUTH_APP_PASSWORD_REQUIRED,
    AUTH_REFUSED,
    AUTH_REQUIRED,
    AUTH_UNSUPPORTED,
    CERTIFICATE_INVALID,
    CONNECTION_REFUSED,
    DISCONNECTED,
    DOC,
    HINT_KEYS,
    MESSAGE_REFUSED,
    NETWORK,
    OAUTH_GMAIL,
    OAUTH_OUTLOOK,
    OAUTH_TOKEN_REFUSED,
    PRESETS,
    PUBLIC_CONFIG,
    RECIPIENT_REFUSED,
    SENDER_REFUSED,
    THIRD_PARTY,
    TIMEOUT,
    TLS_MISMATCH,
    UNCONFIRMED,
    UNKNOWN,
    UNKNOWN_HOST,
    OAuthTokenRefused,
    diagnose,
    for_authentication,
    preset_authentication,
    preset_for_host,
    suggest_encryption,
    suggest_port,
)


class MailDeliveryException(Exception):
    """Shaped like Odoo's: a message, and the original error as the second argument."""


def wrapped(error):
    """Raise `error` and wrap it the way Odoo's send_email does (`raise ... ` inside `except`)."""
    try:
        try:
            raise error
        except Exception as exc:
            raise MailDeliveryException("Mail Delivery Failed", f"{exc.__class__.__name__}: {exc}") from None
    except MailDeliveryException as outer:
        outer.__context__ = error
        return outer


# --- presets -----------------------------------------------------------------------------------


def test_every_provider_of_the_brief_has_a_preset():
    names = " ".join(preset.name for preset in PRESETS.values())
    for provider in ("Gmail", "Microsoft 365", "Outlook", "Zoho", "Amazon SES", "Locaweb", "UOL Host", "KingHost"):
        assert provider in names
    assert "Hostinger" in names


@pytest.mark.parametrize("preset", PRESETS.values(), ids=lambda p: p.key)
def test_presets_are_coherent(preset):
    assert preset.encryption in ("starttls", "ssl"), "every listed provider encrypts"
    # The port of a preset is the one the port suggestion would give back for its encryption.
    assert suggest_port(preset.encryption, preset.port) == preset.port
    for port, encryption in preset.other_ports:
        assert encryption in ("starttls", "ssl")
        assert port != preset.port
    assert preset.confidence in (DOC, THIRD_PARTY, PUBLIC_CONFIG, UNCONFIRMED)
    assert preset.source
    assert preset.per_hour is None or preset.per_hour > 0
    assert preset.per_day is None or preset.per_day > 0
    if preset.per_hour or preset.per_day:
        assert preset.limits_note, "a published limit says what it counts"


def test_preset_for_host_knows_regional_and_suffix_hosts():
    assert preset_for_host("SMTP.GMAIL.COM").key == "gmail"
    assert preset_for_host("smtp.zoho.eu").key == "zoho"
    assert preset_for_host("email-smtp.us-east-1.amazonaws.com").key == "amazon_ses"
    assert preset_for_host("smtp.uni5.net").key == "kinghost"
    assert preset_for_host("mail.example.com.br") is None
    assert preset_for_host("") is None
    assert preset_for_host(None) is None


def test_google_and_microsoft_presets_have_odoos_oauth_login():
    assert {key: preset.oauth for key, preset in PRESETS.items() if preset.oauth} == {
        "gmail": OAUTH_GMAIL,
        "google_workspace": OAUTH_GMAIL,
        "microsoft365": OAUTH_OUTLOOK,
        "outlook": OAUTH_OUTLOOK,
    }


@pytest.mark.parametrize(
    ("preset", "current", "expected"),
    [
        ("gmail", "gmail", "gmail"),
        ("google_workspace", "gmail", "gmail"),
        ("microsoft365", "outlook", "outlook"),
        ("outlook", "outlook", "outlook"),
        # Still OAuth, the new provider's.
        ("microsoft365", "gmail", "outlook"),
        ("google_workspace", "outlook", "gmail"),
        # No OAuth login in Odoo for this provider; every other login becomes a password one.
        ("zoho", "gmail", "login"),
        ("gmail", "login", "login"),
        ("outlook", "login", "login"),
        ("hostinger", "certificate", "login"),
        ("gmail", None, "login"),
    ],
)
def test_choosing_a_preset_keeps_an_oauth_login(preset, current, expected):
    available = ("login", "certificate", "cli", "gmail", "outlook")
    assert preset_authentication(PRESETS[preset], current, available) == expected


def test_oauth_login_needs_odoos_integration_installed():
    # Odoo without microsoft_outlook: a Gmail OAuth server turned into a Microsoft 365 one uses a password.
    assert preset_authentication(PRESETS["microsoft365"], "gmail", ("login", "gmail")) == "login"


def test_port_suggests_encryption_and_back():
    assert suggest_encryption(587) == "starttls"
    assert suggest_encryption(465) == "ssl"
    assert suggest_encryption(2465) == "ssl"
    assert suggest_encryption(25) is None
    assert suggest_encryption(None) is None
    assert suggest_port("ssl", 587) == 465
    assert suggest_port("ssl", 2465) == 2465
    assert suggest_port("starttls", 465) == 587
    assert suggest_port("starttls", 25) == 25
    assert suggest_port("none", 465) == 25
    assert suggest_port("none", 2525) == 2525


# --- diagnosis ---------------------------------------------------------------------------------


def test_wrong_password_is_an_authentication_hint():
    error = smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")
    found = diagnose(error, host="mail.example.com.br", port=587, encryption="starttls")
    assert found.key == AUTH_REFUSED
    assert found.detail == "535 5.7.8 Authentication credentials invalid"
    assert found.provider is None


@pytest.mark.parametrize("host", ["smtp.gmail.com", "smtp.office365.com", "smtp-mail.outlook.com", "smtppro.zoho.com"])
def test_providers_refusing_plain_passwords_ask_for_an_app_password(host):
    error = smtplib.SMTPAuthenticationError(534, b"5.7.9 Application-specific password required")
    found = diagnose(wrapped(error), host=host, port=587, encryption="starttls")
    assert found.key == AUTH_APP_PASSWORD_REQUIRED
    assert found.provider == preset_for_host(host).key


def test_certificate_failure_keeps_the_verification_message():
    error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    error.verify_message = "self-signed certificate"
    found = diagnose(error)
    assert (found.key, found.detail) == (CERTIFICATE_INVALID, "self-signed certificate")


@pytest.mark.parametrize(
    ("error", "port", "encryption"),
    [
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), 587, "ssl"),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), 465, "starttls"),
        (smtplib.SMTPSenderRefused(530, b"Must issue a STARTTLS command first", "a@b.c"), 587, "none"),
        # Plain text to an SSL port: the client waits for a greeting that never comes.
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed: timed out"), 465, "starttls"),
        (TimeoutError("timed out"), 465, "none"),
    ],
)
def test_encryption_not_matching_the_port(error, port, encryption):
    assert diagnose(error, port=port, encryption=encryption).key == TLS_MISMATCH


def test_timeout_on_a_port_without_mismatch_is_a_timeout():
    assert diagnose(TimeoutError("timed out"), port=587, encryption="starttls").key == TIMEOUT
    assert diagnose(TimeoutError("timed out"), port=2525, encryption="none").key == TIMEOUT
    closed = smtplib.SMTPServerDisconnected("Connection unexpectedly closed: The read operation timed out")
    assert diagnose(closed, port=587, encryption="starttls").key == TIMEOUT


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (socket.gaierror(-2, "Name or service not known"), UNKNOWN_HOST),
        (ConnectionRefusedError(111, "Connection refused"), CONNECTION_REFUSED),
        (OSError(101, "Network is unreachable"), NETWORK),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), DISCONNECTED),
        (smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server."), AUTH_UNSUPPORTED),
        (smtplib.SMTPException("No suitable authentication method found."), AUTH_UNSUPPORTED),
        (smtplib.SMTPSenderRefused(530, b"5.7.0 Authentication required", "a@b.c"), AUTH_REQUIRED),
        (smtplib.SMTPSenderRefused(553, b"5.7.1 Sender address rejected", "a@b.c"), SENDER_REFUSED),
        (smtplib.SMTPRecipientsRefused({"x@y.z": (550, b"5.1.1 No such user")}), RECIPIENT_REFUSED),
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected"), MESSAGE_REFUSED),
        (ValueError("something else"), UNKNOWN),
    ],
)
def test_each_failure_has_its_hint(error, key):
    found = diagnose(wrapped(error), port=587, encryption="starttls")
    assert found.key == key
    assert found.key in HINT_KEYS
    assert found.detail


def test_recipient_refusal_names_the_address():
    error = smtplib.SMTPRecipientsRefused({"x@y.z": (550, b"5.1.1 No such user")})
    assert diagnose(error).detail == "x@y.z: 550 5.1.1 No such user"


def test_error_passed_as_argument_is_found():
    # Odoo's mail queue raises MailDeliveryException(_('Unable to connect to SMTP Server'), exc).
    error = MailDeliveryException("Unable to connect", socket.gaierror(-2, "Name or service not known"))
    assert diagnose(error).key == UNKNOWN_HOST


def test_oauth_token_the_provider_will_not_renew():
    refused = OAuthTokenRefused("An error occurred when fetching the access token. AADSTS70000: grant revoked")
    found = diagnose(refused, host="smtp.office365.com", port=587, encryption="starttls")
    assert (found.key, found.detail) == (OAUTH_TOKEN_REFUSED, str(refused))
    assert found.key in HINT_KEYS
    # As the mail queue raises it: MailDeliveryException(_('Unable to connect to SMTP Server'), exc).
    assert diagnose(MailDeliveryException("Unable to connect", refused)).key == OAUTH_TOKEN_REFUSED


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPAuthenticationError(535, b"5.7.3 Authentication unsuccessful"),
        # Odoo ignores the answer to AUTH XOAUTH2: the refusal comes with the sender.
        smtplib.SMTPSenderRefused(530, b"5.7.57 Client not authenticated to send mail", "a@b.c"),
    ],
)
def test_login_refused_on_an_oauth_server_is_its_token(error):
    found = diagnose(wrapped(error), host="smtp.office365.com", port=587, encryption="starttls")
    assert for_authentication(found, OAUTH_OUTLOOK).key == OAUTH_TOKEN_REFUSED
    assert for_authentication(found, OAUTH_OUTLOOK).detail == found.detail
    assert for_authentication(found, "login") == found
    assert for_authentication(diagnose(TimeoutError("timed out"), port=587), OAUTH_GMAIL).key == TIMEOUT


# --- purposes ----------------------------------------------------------------------------------


def test_other_purposes_are_the_server_purposes_that_are_not_billing():
    assert mail_purposes.OTHER_PURPOSE_KEYS == (
        "contract_approval",
        "sales_notification",
        "agreement_approval",
        "expense_approval",
    )


def test_purpose_keys_are_the_contract():
    assert mail_purposes.SERVER_PURPOSE_KEYS == (
        "boleto",
        "dunning",
        "notice",
        "contract_approval",
        "sales_notification",
        "agreement_approval",
        "expense_approval",
    )
    assert [key for key, _label in mail_purposes.LOG_PURPOSES][-1] == "test"
