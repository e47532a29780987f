"""What the user reads about a provider preset and about an SMTP failure, translated.

The rules (which preset, which failure) are in ``cobranca_core.smtp_presets``; these are their
words, in the user's language (``env._``), for the server's form, the test e-mail and the reason
of a failed e-mail.
"""

from odoo.addons.base.models.ir_mail_server import SMTP_TIMEOUT

from cobranca_core import smtp_presets


def preset_note(env, preset):
    """How to log in through ``preset`` (a ``smtp_presets.Preset``), its limits and how sure we are."""
    _ = env._
    authentication = {
        smtp_presets.AUTH_APP_PASSWORD: _(
            "Use an app password (created in the account's security settings, with 2-step verification "
            "turned on), not the account's normal password. Gmail also accepts OAuth through Odoo's Gmail "
            "integration."
        ),
        smtp_presets.AUTH_MICROSOFT: _(
            "Use OAuth: Microsoft turns basic authentication (user name and password) for SMTP off by default "
            "from the end of 2026. Turn on “Use an Outlook Server” in Settings > General Settings, then choose "
            "“Outlook OAuth Authentication” here and connect the account. Until then, a password login needs "
            "SMTP AUTH enabled for this mailbox by the Microsoft 365 administrator, and an app password for "
            "accounts with multi-factor authentication."
        ),
        smtp_presets.AUTH_OAUTH_ONLY: _(
            "Microsoft no longer accepts passwords of personal Outlook.com accounts from other programs: "
            "connect through OAuth with Odoo's Outlook integration, or use another provider."
        ),
        smtp_presets.AUTH_SES: _(
            "Use the SMTP credentials created in the Amazon SES console (not your AWS login) and a verified "
            "sender address or domain."
        ),
        smtp_presets.AUTH_PANEL_USER: _(
            "Use the SMTP user shown in the provider's panel (not an e-mail address); the sender's domain "
            "must be validated there."
        ),
        smtp_presets.AUTH_MAILBOX: _("Use the full mailbox address as user name, and its password."),
    }[preset.authentication]
    limits = []
    if preset.per_hour:
        limits.append(_("%s per hour", preset.per_hour))
    if preset.per_day:
        limits.append(_("%s per day", preset.per_day))
    lines = [authentication]
    if limits:
        lines.append(
            _(
                "Published sending limits: %(limits)s. They were filled in below; adjust them to your plan.",
                limits=", ".join(limits),
            )
        )
    else:
        lines.append(_("The provider publishes no fixed sending limit: ask for the one of your plan."))
    lines.append(
        {
            smtp_presets.DOC: _("These settings were read in the provider's documentation."),
            smtp_presets.THIRD_PARTY: _(
                "These settings come from third-party pages: confirm them in the provider's help pages."
            ),
            smtp_presets.PUBLIC_CONFIG: _(
                "These settings were only seen in public configurations: confirm them in the provider's help pages."
            ),
            smtp_presets.UNCONFIRMED: _("These settings are not confirmed: check them with the provider."),
        }[preset.confidence]
    )
    return "\n".join(lines)


def hint_message(env, server, diagnosis):
    """What the user can do about a failure (a ``smtp_presets.Diagnosis``) of ``server`` (an
    ``ir.mail_server`` record, empty when unknown)."""
    _ = env._
    server = server[:1]
    diagnosis = smtp_presets.for_authentication(diagnosis, server.smtp_authentication)
    preset = smtp_presets.PRESETS.get(diagnosis.provider)
    key = diagnosis.key
    if key == smtp_presets.AUTH_REFUSED:
        return _(
            "The server refused the user name or password. Check both (the user name is usually the full "
            "e-mail address) and that the account is allowed to send through SMTP."
        )
    if key == smtp_presets.AUTH_APP_PASSWORD_REQUIRED:
        return _(
            "%(provider)s refused the password: it does not accept the account's normal password from other "
            "programs. Create an app password (with 2-step verification turned on) and use it here, or "
            "connect through OAuth with Odoo's Gmail or Outlook integration. On Microsoft 365 the "
            "administrator must also enable SMTP AUTH for this mailbox.",
            provider=preset.name if preset else server.smtp_host,
        )
    if key == smtp_presets.CERTIFICATE_INVALID:
        return _(
            "The server's certificate is not valid for “%(host)s”. Use exactly the host name the provider "
            "gives (not an alias of your own domain). Only for a server you trust that uses a self-signed "
            "certificate, turn off “Validate server certificate”.",
            host=server.smtp_host,
        )
    if key == smtp_presets.TIMEOUT:
        return _(
            "The server did not answer within %(timeout)s seconds. Check the host and port, and that the "
            "network lets Odoo reach it (hosting companies often block port 25: use 587 or 465).",
            timeout=server.smtp_timeout or SMTP_TIMEOUT,
        )
    if key == smtp_presets.UNKNOWN_HOST:
        return _("The server “%(host)s” could not be found. Check the host name for typos.", host=server.smtp_host)
    if key == smtp_presets.CONNECTION_REFUSED:
        return _(
            "“%(host)s” refused the connection on port %(port)s. Check the port your provider gives.",
            host=server.smtp_host,
            port=server.smtp_port,
        )
    if key == smtp_presets.OAUTH_TOKEN_REFUSED:
        return _(
            "%(provider)s refused the OAuth access of the mail server “%(server)s” (access revoked, password "
            "changed or authorization expired): nothing leaves through it until an administrator connects the "
            "account again, on the server's form (“Connect your %(provider)s account”, or the gear next to "
            "“%(provider)s Token Valid”).",
            provider=smtp_presets.OAUTH_NAMES.get(server.smtp_authentication, "OAuth"),
            server=server.name,
        )
    return {
        smtp_presets.AUTH_REQUIRED: _("The server requires authentication: fill in the user name and password."),
        smtp_presets.AUTH_UNSUPPORTED: _(
            "The server does not offer login on this connection. Most servers offer it only once the "
            "connection is encrypted: choose TLS (STARTTLS) for port 587 or SSL/TLS for port 465."
        ),
        smtp_presets.TLS_MISMATCH: _(
            "The encryption does not match the port: port 465 uses SSL/TLS, port 587 uses TLS (STARTTLS). "
            "Check the port and encryption your provider gives."
        ),
        smtp_presets.DISCONNECTED: _(
            "The server closed the connection before accepting the message. It may limit the message size "
            "or the sending rate, or refuse the sender: check the provider's limits and the sender e-mail."
        ),
        smtp_presets.SENDER_REFUSED: _(
            "The server refused the sender address. Send from the account's own address, or from a domain "
            "validated with the provider."
        ),
        smtp_presets.RECIPIENT_REFUSED: _("The server refused the recipient address: check it."),
        smtp_presets.MESSAGE_REFUSED: _("The server refused the message."),
        smtp_presets.NETWORK: _("The network could not reach the server."),
    }.get(key) or _("Unexpected error.")


def explain(env, server, error):
    """``(hint, diagnosis)`` of ``error`` raised connecting or sending through ``server``: the
    translated advice, and the ``smtp_presets.Diagnosis`` (its ``detail`` is the server's words)."""
    server = server[:1]
    diagnosis = smtp_presets.diagnose(error, server.smtp_host, server.smtp_port, server.smtp_encryption)
    return hint_message(env, server, diagnosis), diagnosis
