import base64
import contextvars
import logging
import smtplib
import ssl
from datetime import timedelta

import idna
from markupsafe import Markup
from OpenSSL import crypto as SSLCrypto
from OpenSSL.crypto import FILETYPE_PEM
from OpenSSL.crypto import Error as SSLCryptoError
from OpenSSL.SSL import Error as SSLError
from urllib3.contrib.pyopenssl import PyOpenSSLContext

from odoo import _, api, fields, models, modules, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize, email_split

from odoo.addons.base.models.ir_mail_server import SMTP_TIMEOUT
from odoo.addons.base.models.res_partner import _tz_get

from cobranca_core import smtp_presets
from cobranca_core.mail_retry import RetryPolicy
from cobranca_core.smtp_presets import OAUTH_AUTHENTICATIONS

from ..tools.sending_windows import LIMIT_FIELDS, reserve_slots
from ..tools.smtp_connection import DeliverySMTPConnection
from ..tools.smtp_hints import explain, preset_note

_logger = logging.getLogger(__name__)


# Written by Odoo's Gmail and Outlook modules when an administrator connects the account (again).
OAUTH_REFRESH_TOKEN_FIELDS = ("google_gmail_refresh_token", "microsoft_outlook_refresh_token")

# ``(Message-Id or None, error, server id or None)`` of the last failed send (or connection: no
# Message-Id) of this thread, for mail.mail to tell a temporary failure from a permanent one and to
# explain it: Odoo keeps only the error's text.
LAST_DELIVERY_ERROR = contextvars.ContextVar("mail_outgoing_delivery_last_error", default=None)


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    smtp_provider = fields.Selection(
        selection=[(preset.key, preset.name) for preset in smtp_presets.PRESETS.values()],
        string="Provider",
        help="Fills in the host, port, encryption and published sending limits of a known provider.",
    )
    smtp_provider_note = fields.Text(string="Provider notes", compute="_compute_smtp_provider_note")
    smtp_timeout = fields.Integer(
        string="Timeout (seconds)",
        default=60,
        help="How long to wait for the server to answer before giving up.",
    )
    smtp_verify_certificate = fields.Boolean(
        string="Validate server certificate",
        default=True,
        help="With TLS (STARTTLS) or SSL/TLS, refuse to connect unless the server presents a certificate "
        "issued by a trusted authority for this host name. Turn off only for a server you trust that uses "
        "a self-signed certificate.",
    )
    test_email_to = fields.Char(
        string="Test recipient",
        help="Address that receives the test e-mail. Empty: the server's own address (its user name when that is "
        "an address, or the sender address other modules give it).",
    )
    delivery_oauth_error = fields.Text(
        string="OAuth problem",
        readonly=True,
        copy=False,
        help="Why the provider last refused to renew the OAuth access of this server's account. Cleared when "
        "the account is connected again or a login succeeds.",
    )
    delivery_oauth_error_date = fields.Datetime(string="OAuth problem since", readonly=True, copy=False)

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
            "delivery_timeout_positive",
            "CHECK(smtp_timeout > 0)",
            "The timeout must be at least one second.",
        ),
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

    def _auto_init(self):
        # Servers that existed before this module keep Odoo's behaviour (no certificate check) until
        # an administrator turns the check on; new servers check by default.
        if not tools.sql.column_exists(self.env.cr, self._table, "smtp_verify_certificate"):
            tools.sql.create_column(self.env.cr, self._table, "smtp_verify_certificate", "boolean")
        return super()._auto_init()

    # ------------------------------------------------------------------------------------------
    # connection: the server's timeout and certificate check, OAuth problems remembered
    # ------------------------------------------------------------------------------------------

    def connect(
        self,
        host=None,
        port=None,
        user=None,
        password=None,
        encryption=None,
        smtp_from=None,
        ssl_certificate=None,
        ssl_private_key=None,
        smtp_debug=False,
        mail_server_id=None,
        allow_archived=False,
    ):
        """Odoo's connection. A configured server's (the one given, or the one Odoo would choose for
        ``smtp_from``) is opened by :meth:`_delivery_connect`, with the server's own timeout and
        certificate check; explicit parameters and the command line's server are left to Odoo."""
        server = self.env["ir.mail_server"]
        try:
            if not modules.module.current_test:
                if mail_server_id:
                    server = self.sudo().browse(mail_server_id)
                elif not host:
                    server, smtp_from = self.sudo()._find_mail_server(smtp_from)
            if server and server.smtp_authentication != "cli":
                return server._delivery_connect(smtp_from, smtp_debug, allow_archived)
            return super().connect(
                host=host,
                port=port,
                user=user,
                password=password,
                encryption=encryption,
                smtp_from=smtp_from,
                ssl_certificate=ssl_certificate,
                ssl_private_key=ssl_private_key,
                smtp_debug=smtp_debug,
                mail_server_id=mail_server_id,
                allow_archived=allow_archived,
            )
        except Exception as error:
            LAST_DELIVERY_ERROR.set((None, error, server.id or None))
            raise

    def _delivery_connect(self, smtp_from, smtp_debug=False, allow_archived=False):
        """An authenticated connection through this server, as Odoo's ``connect`` makes it, opened
        with this server's timeout and, when on, the check of its certificate."""
        self.ensure_one()
        if not allow_archived and not self.active:
            raise UserError(_("The server “%s” cannot be used because it is archived.", self.display_name))
        certificate_login = self.smtp_authentication == "certificate"
        ssl_context = self._delivery_client_certificate_context() if certificate_login else None
        connection = DeliverySMTPConnection(
            self.smtp_host,
            self.smtp_port,
            self.smtp_encryption,
            context=ssl_context,
            timeout=self.smtp_timeout or SMTP_TIMEOUT,
            verify=self.smtp_verify_certificate,
        )
        connection.set_debuglevel(smtp_debug or self.smtp_debug)
        if self.smtp_encryption == "starttls":
            connection.starttls(context=ssl_context)
        smtp_user = not certificate_login and self.smtp_user
        if smtp_user:
            local, at, domain = smtp_user.rpartition("@")
            if at:
                smtp_user = local + at + idna.encode(domain).decode("ascii")
            self._delivery_login(connection, smtp_user, self.smtp_pass or "")
        connection.ehlo_or_helo_if_needed()
        connection.from_filter = self.from_filter
        connection.smtp_from = smtp_from
        return connection

    def _delivery_client_certificate_context(self):
        """The TLS context presenting this server's client certificate (Odoo's certificate login)."""
        try:
            context = PyOpenSSLContext(ssl.PROTOCOL_TLS)
            certificate = SSLCrypto.load_certificate(FILETYPE_PEM, base64.b64decode(self.smtp_ssl_certificate))
            private_key = SSLCrypto.load_privatekey(FILETYPE_PEM, base64.b64decode(self.smtp_ssl_private_key))
            context._ctx.use_certificate(certificate)
            context._ctx.use_privatekey(private_key)
            context._ctx.check_privatekey()  # the private key matches the certificate
        except (SSLCryptoError, SSLError, ValueError) as error:
            raise UserError(
                _(
                    "The SSL certificate or private key of the mail server “%(server)s” cannot be used: %(error)s",
                    server=self.name,
                    error=error,
                )
            ) from error
        return context

    def _delivery_login(self, connection, smtp_user, smtp_password):
        """Odoo's login (``_smtp_login``, which other modules override). For an OAuth server (Odoo's
        Gmail and Outlook modules renew its access token there), a provider that refuses to renew it
        is remembered on the server, shown on its form until the account is connected again, and
        raised as ``OAuthTokenRefused`` so that the test e-mail and the mail queue say what to do; a
        network failure on the way to the provider is left as it is (the mail queue retries it).
        Done here rather than in an override of ``_smtp_login``, which those modules may not pass on."""
        if self.smtp_authentication not in OAUTH_AUTHENTICATIONS:
            return self._smtp_login(connection, smtp_user, smtp_password)
        try:
            self._smtp_login(connection, smtp_user, smtp_password)
        except UserError as error:
            # The only UserError of these modules' login: the token endpoint refused, or no account.
            detail = str(error)
            _logger.warning("Mail server %s: the OAuth access token could not be renewed: %s", self.id, detail)
            self.sudo().write({"delivery_oauth_error": detail, "delivery_oauth_error_date": fields.Datetime.now()})
            raise smtp_presets.OAuthTokenRefused(detail) from error
        if self.delivery_oauth_error:
            self.sudo().write({"delivery_oauth_error": False, "delivery_oauth_error_date": False})
        return None

    def send_email(self, message, *args, **kwargs):
        try:
            return super().send_email(message, *args, **kwargs)
        except Exception as error:
            LAST_DELIVERY_ERROR.set((message["Message-Id"], error, kwargs.get("mail_server_id")))
            raise

    # ------------------------------------------------------------------------------------------
    # provider presets
    # ------------------------------------------------------------------------------------------

    @api.depends("smtp_provider")
    def _compute_smtp_provider_note(self):
        for server in self:
            preset = smtp_presets.PRESETS.get(server.smtp_provider)
            server.smtp_provider_note = preset_note(self.env, preset) if preset else False

    @api.onchange("smtp_provider")
    def _onchange_smtp_provider(self):
        preset = smtp_presets.PRESETS.get(self.smtp_provider)
        if not preset:
            return
        self.smtp_host = preset.host
        self.smtp_port = preset.port
        self.smtp_encryption = preset.encryption
        available = self._fields["smtp_authentication"].get_values(self.env)
        self.smtp_authentication = smtp_presets.preset_authentication(preset, self.smtp_authentication, available)
        if preset.per_hour and not self.limit_per_hour:
            self.limit_per_hour = preset.per_hour
        if preset.per_day and not self.limit_per_day:
            self.limit_per_day = preset.per_day

    @api.onchange("smtp_host")
    def _onchange_smtp_host_copy_settings(self):
        """A host another server already uses brings that server's connection settings along."""
        host = (self.smtp_host or "").strip()
        if not host:
            return
        same_host = (
            self.sudo()
            .with_context(active_test=False)
            .search([("smtp_host", "=ilike", host), ("id", "!=", self._origin.id or 0)], limit=1)
        )
        if same_host:
            # An OAuth server keeps its login, and the port and encryption Odoo's module requires.
            if self.smtp_authentication not in OAUTH_AUTHENTICATIONS:
                self.smtp_port = same_host.smtp_port
                self.smtp_encryption = same_host.smtp_encryption
                self.smtp_authentication = same_host.smtp_authentication
            self.smtp_timeout = same_host.smtp_timeout
            self.smtp_verify_certificate = same_host.smtp_verify_certificate
        elif not self.smtp_provider:
            preset = smtp_presets.preset_for_host(host)
            if preset:
                self.smtp_provider = preset.key

    @api.onchange("smtp_port")
    def _onchange_smtp_port_suggest_encryption(self):
        suggested = smtp_presets.suggest_encryption(self.smtp_port)
        if suggested and suggested != self.smtp_encryption:
            self.smtp_encryption = suggested

    @api.onchange("smtp_encryption")
    def _onchange_encryption(self):
        # Odoo resets the port to 465 or 25; keep a port that already fits, and use 587 for STARTTLS.
        port = self.smtp_port
        result = super()._onchange_encryption()
        self.smtp_port = smtp_presets.suggest_port(self.smtp_encryption, port)
        return result

    @api.constrains("test_email_to")
    def _check_test_email_to(self):
        for server in self.filtered("test_email_to"):
            invalid = [
                part
                for part in email_split(server.test_email_to) or [server.test_email_to]
                if not email_normalize(part, strict=True)
            ]
            if invalid:
                raise ValidationError(
                    _(
                        "%(field)s of the mail server “%(server)s” has invalid e-mail addresses: %(addresses)s",
                        field=self._fields["test_email_to"]._description_string(self.env),
                        server=server.name,
                        addresses=", ".join(invalid),
                    )
                )

    # ------------------------------------------------------------------------------------------
    # test e-mail
    # ------------------------------------------------------------------------------------------

    def action_send_test_email(self):
        """Send a real message through this server to its test recipient and tell the user how it
        went: delivered, or what failed and what to do about it (never raised)."""
        self.ensure_one()
        self._delivery_check_test_email()
        server = self.sudo()
        recipient = server._delivery_test_recipient()
        if not recipient:
            raise UserError(
                _(
                    "Fill in the test recipient of the mail server “%s” first: without it, the test goes to the "
                    "server's own address, and it has none.",
                    server.name,
                )
            )
        email_from = server._delivery_test_sender() or self.env.user.email_formatted
        subject = _("Test e-mail from %(server)s", server=server.name)
        body = Markup("<p>%s</p>") % _(
            "This message was sent through the mail server “%(server)s” (%(host)s, port %(port)s) to check that "
            "e-mail can leave from it. No reply is needed.",
            server=server.name,
            host=server.smtp_host or "",
            port=server.smtp_port,
        )
        smtp = None
        failure = None
        try:
            message = server.build_email(email_from, email_split(recipient), subject, body, subtype="html")
            smtp = server.connect(mail_server_id=server.id, allow_archived=True, smtp_from=email_from)
            server.send_email(message, mail_server_id=server.id, smtp_session=smtp)
        except Exception as error:  # every failure is reported to the user, none is raised
            hint, diagnosis = explain(self.env, server, error)
            failure = (hint, diagnosis.detail)
            if diagnosis.key == smtp_presets.UNKNOWN:
                _logger.warning("Test e-mail through mail server %s failed", server.id, exc_info=True)
            else:
                _logger.info("Test e-mail through mail server %s failed: %s", server.id, diagnosis.detail)
        finally:
            if smtp:
                try:
                    smtp.quit()
                except (OSError, smtplib.SMTPException):
                    _logger.debug("closing the test session failed", exc_info=True)
        server._delivery_test_email_done(email_from, recipient, subject, failure)
        if failure:
            message = _(
                "The test e-mail could not be sent through “%(server)s”. %(hint)s Server's answer: %(detail)s",
                server=server.name,
                hint=failure[0],
                detail=failure[1],
            )
        else:
            message = _(
                "The test e-mail left through “%(server)s” for %(recipient)s. Check that it arrived "
                "(look in the spam folder too).",
                server=server.name,
                recipient=recipient,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Test e-mail"),
                "message": message,
                "type": "danger" if failure else "success",
                "sticky": bool(failure),
            },
        }

    def _delivery_check_test_email(self):
        """Refuse the test e-mail to users who may not use this server (it connects as superuser)."""
        self.check_access("write")

    def _delivery_test_recipient(self):
        """Where the test e-mail goes: the test recipient, else the account's own address (seed 001)."""
        return self.test_email_to or email_normalize(self.smtp_user or "")

    def _delivery_test_sender(self):
        """The test e-mail's From (empty: the user's address)."""
        return email_normalize(self.smtp_user or "") or False

    def _delivery_test_email_done(self, email_from, recipient, subject, failure):
        """Called after each test e-mail, ``failure`` ``(hint, server's answer)`` or None: other
        modules record it."""

    # Sending limits: counted per SMTP message, in windows kept with the server

    @api.model_create_multi
    def create(self, vals_list):
        servers = super().create(vals_list)
        if any(vals.get(field_name) for vals in vals_list for field_name in LIMIT_FIELDS):
            self.env.registry.clear_cache()  # _delivery_limited_server_ids
        return servers

    def write(self, vals):
        # The account connected again (Odoo's OAuth modules write a new refresh token), or the server no
        # longer logs in through OAuth: its last OAuth problem is over.
        reconnected = any(vals.get(field_name) for field_name in OAUTH_REFRESH_TOKEN_FIELDS)
        left_oauth = "smtp_authentication" in vals and vals["smtp_authentication"] not in OAUTH_AUTHENTICATIONS
        if reconnected or left_oauth:
            vals = {**vals, "delivery_oauth_error": False, "delivery_oauth_error_date": False}
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
        """Take sending slots from the windows of each server (see ``tools.sending_windows``).

        :return: ``{mail_id: datetime (UTC) the mail must wait until}`` for the mails over a limit
        """
        return reserve_slots(self.sudo().browse(list(mails_by_server)), mails_by_server, now)
