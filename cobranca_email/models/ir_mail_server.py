import contextvars
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass

from cryptography import x509
from markupsafe import Markup

from odoo import _, api, fields, models, modules, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize, email_split, formataddr

from odoo.addons.base.models import ir_mail_server as base_ir_mail_server

from cobranca_core import mail_purposes, smtp_presets
from cobranca_core.smtp_presets import OAUTH_AUTHENTICATIONS

from ..tools.access_checks import BILLING_MANAGER, BILLING_USER, SYSTEM, check_groups

_logger = logging.getLogger(__name__)

#: purpose key -> boolean field marking a server as the default for it
PURPOSE_FIELDS = {key: f"purpose_{key}" for key in mail_purposes.SERVER_PURPOSE_KEYS}


# Written by Odoo's Gmail and Outlook modules when an administrator connects the account (again).
OAUTH_REFRESH_TOKEN_FIELDS = ("google_gmail_refresh_token", "microsoft_outlook_refresh_token")


@dataclass(frozen=True)
class _ConnectionOptions:
    timeout: float
    verify: bool


# Options of the server being connected to, published by IrMailServer.connect() for the duration
# of the call (per thread: contextvars), read by BillingSMTPConnection.
_CONNECTION_OPTIONS = contextvars.ContextVar("cobranca_email_smtp_options", default=None)
# The last connection failure of this thread, so the mail queue can explain it (see mail.mail).
LAST_CONNECT_FAILURE = contextvars.ContextVar("cobranca_email_connect_failure", default=None)


def _verifying_context(context):
    """TLS context that checks the server's certificate chain against the system's authorities.

    ``context`` is Odoo's own one for client-certificate authentication (pyOpenSSL), or None.
    """
    if context is None:
        # CERT_REQUIRED, host name checked, system trust store: what smtplib should do.
        return ssl.create_default_context()
    context.verify_mode = ssl.CERT_REQUIRED
    # pyOpenSSL's context has no load_default_certs(); the system's authorities all the same (it
    # checks the chain, not the host name: _check_peer_host_name does).
    context.set_default_verify_paths()
    return context


def _check_peer_host_name(sock, host):
    """Refuse a pyOpenSSL connection whose certificate is not issued for ``host`` (Python's ssl
    module checks it itself; pyOpenSSL, used for client-certificate authentication, does not)."""
    connection = getattr(sock, "connection", None)  # urllib3's WrappedSocket around pyOpenSSL
    if connection is None:
        return
    certificate = connection.get_peer_certificate().to_cryptography()
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names = None
    dns = names.get_values_for_type(x509.DNSName) if names else []
    ips = [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] if names else []
    wanted = host.lower()
    if wanted in ips or any(
        name.lower() == wanted
        or (name.startswith("*.") and "." in wanted and wanted.split(".", 1)[1] == name[2:].lower())
        for name in dns
    ):
        return
    raise _verification_error(f"Hostname mismatch, certificate is not valid for '{host}'")


def _verification_error(message):
    """The error Python's ssl module raises for a certificate that fails the check (what the SMTP
    diagnosis recognizes), for the same failure seen through pyOpenSSL."""
    error = ssl.SSLCertVerificationError(f"certificate verify failed: {message}")
    error.verify_message = message
    error.verify_code = None
    return error


def _pyopenssl_verified(connect, smtp_of, host):
    """Run ``connect`` (a TLS handshake), then check the host name; a pyOpenSSL handshake refused
    for the certificate is raised as Python's certificate error."""
    try:
        result = connect()
    except ssl.SSLError as error:
        if "certificate verify failed" in str(error) and not isinstance(error, ssl.SSLCertVerificationError):
            raise _verification_error("the server's certificate is not issued by a trusted authority") from error
        raise
    _check_peer_host_name(smtp_of(result).sock, host)
    return result


class BillingSMTPConnection(base_ir_mail_server.SMTPConnection):
    """Odoo's SMTP connection, with the timeout and certificate check of the server in use.

    Odoo 18 opens every connection with one module-level timeout (60 s) and, for STARTTLS and
    SSL/TLS, without checking the server's certificate. ``IrMailServer.connect`` publishes the
    server's own options while it runs; Odoo looks ``SMTPConnection`` up when it connects, so this
    class takes over only then. Without published options it is exactly Odoo's connection.
    """

    def __init__(self, server, port, encryption, context=None):
        options = _CONNECTION_OPTIONS.get()
        if options is None:
            super().__init__(server, port, encryption, context=context)
            return
        if options.verify and encryption in ("ssl", "starttls"):
            context = _verifying_context(context)
        self._cobranca_tls_context = context
        self._cobranca_host = server
        if encryption == "ssl" and options.verify:
            self.__obj__ = _pyopenssl_verified(
                lambda: smtplib.SMTP_SSL(server, port, timeout=options.timeout, context=context),
                lambda smtp: smtp,
                server,
            )
        elif encryption == "ssl":
            self.__obj__ = smtplib.SMTP_SSL(server, port, timeout=options.timeout, context=context)
        else:
            self.__obj__ = smtplib.SMTP(server, port, timeout=options.timeout)

    @property
    def starttls(self):
        starttls = self.__obj__.starttls
        verifying = getattr(self, "_cobranca_tls_context", None)
        if verifying is None:
            return starttls

        def starttls_verified(*args, context=None, **kwargs):
            return _pyopenssl_verified(
                lambda: starttls(*args, context=context or verifying, **kwargs),
                lambda _reply: self.__obj__,
                self._cobranca_host,
            )

        return starttls_verified


# Odoo resolves this name when it connects (see the class docstring).
base_ir_mail_server.SMTPConnection = BillingSMTPConnection


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    smtp_provider = fields.Selection(
        selection=[(preset.key, preset.name) for preset in smtp_presets.PRESETS.values()],
        string="Provider",
        help="Fills in the host, port, encryption and published sending limits of a known provider.",
    )
    smtp_provider_note = fields.Text(
        string="Provider notes",
        compute="_compute_smtp_provider_note",
    )
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
    sender_name = fields.Char(
        string="Sender name",
        help="Name customers see as sender of billing e-mail. Each linked company can have its own; "
        "when both are empty, the company's name is used.",
    )
    sender_email = fields.Char(
        string="Sender e-mail",
        help="Address billing e-mail is sent from (usually the account's own address). Empty: the company's e-mail.",
    )
    cc_emails = fields.Char(
        string="Copy to (CC)",
        help="Addresses, separated by commas, that receive a copy of every billing e-mail sent through this server.",
    )
    # Billing managers configure the billing servers without being system administrators: Odoo keeps
    # the account's user name and password for administrators. The user name is shown; the password
    # is written only, never read back (not even by administrators through this field).
    cobranca_smtp_user = fields.Char(
        string="Username (billing)",
        compute="_compute_cobranca_smtp_password",
        inverse="_inverse_cobranca_smtp_user",
        groups="cobranca_email.group_cobranca_manager",
    )
    cobranca_smtp_password = fields.Char(
        string="New password",
        compute="_compute_cobranca_smtp_password",
        inverse="_inverse_cobranca_smtp_password",
        groups="cobranca_email.group_cobranca_manager",
        help="Type the account's password to replace it. The saved password is never shown.",
    )
    cobranca_has_password = fields.Boolean(
        string="Password saved",
        compute="_compute_cobranca_smtp_password",
        groups="cobranca_email.group_cobranca_manager",
    )
    test_email_to = fields.Char(
        string="Test recipient",
        help="Address that receives the test e-mail. Empty: the server's own address (its sender e-mail, else its "
        "user name when that is an address).",
    )
    purpose_boleto = fields.Boolean(
        string="Default for boletos",
        help="Boletos of the linked companies are sent through this server.",
    )
    purpose_dunning = fields.Boolean(
        string="Default for dunning letters",
        help="Dunning letters (cartas de cobrança) of the linked companies are sent through this server.",
    )
    purpose_notice = fields.Boolean(
        string="Default for boleto notices",
        help="Notices of boletos coming due and overdue are sent through this server.",
    )
    purpose_contract_approval = fields.Boolean(
        string="Default for contract approval",
        help="E-mails asking approvers to approve contracts are sent through this server.",
    )
    purpose_sales_notification = fields.Boolean(
        string="Default for overdue sales notification",
        help="Notifications of overdue sales are sent through this server.",
    )
    purpose_agreement_approval = fields.Boolean(
        string="Default for agreement approval",
        help="E-mails asking approvers to approve payment agreements (acordos) are sent through this server.",
    )
    purpose_expense_approval = fields.Boolean(
        string="Default for expense approval",
        help="E-mails asking approvers to approve expenses are sent through this server.",
    )
    cobranca_oauth_error = fields.Text(
        string="OAuth problem",
        readonly=True,
        copy=False,
        help="Why the provider last refused to renew the OAuth access of this server's account. Cleared when "
        "the account is connected again or a login succeeds.",
    )
    cobranca_oauth_error_date = fields.Datetime(string="OAuth problem since", readonly=True, copy=False)
    company_link_ids = fields.One2many(
        comodel_name="cobranca.mail.server.company",
        inverse_name="mail_server_id",
        string="Companies",
        copy=False,
    )
    linked_company_ids = fields.Many2many(
        comodel_name="res.company",
        string="Linked companies",
        compute="_compute_linked_company_ids",
        search="_search_linked_company_ids",
    )
    cobranca_purposes = fields.Char(
        string="Default for",
        compute="_compute_cobranca_purposes",
        help="The billing e-mail this server sends by default.",
    )
    company_count = fields.Integer(
        string="Companies served",
        compute="_compute_linked_company_ids",
    )
    company_vat = fields.Char(
        string="Company CNPJ",
        compute="_compute_company_vat",
        search="_search_company_vat",
    )

    _sql_constraints = [
        (
            "cobranca_timeout_positive",
            "CHECK(smtp_timeout > 0)",
            "The timeout must be at least one second.",
        ),
    ]

    def _compute_cobranca_smtp_password(self):
        for server in self:
            server.cobranca_smtp_user = server.sudo().smtp_user
            server.cobranca_smtp_password = False
            server.cobranca_has_password = bool(server.sudo().smtp_pass)

    def _inverse_cobranca_smtp_user(self):
        for server in self:
            server.sudo().smtp_user = server.cobranca_smtp_user

    def _inverse_cobranca_smtp_password(self):
        for server in self:
            if server.cobranca_smtp_password:
                server.sudo().smtp_pass = server.cobranca_smtp_password

    def _auto_init(self):
        # Servers that existed before this module keep Odoo's behaviour (no certificate check) until
        # an administrator turns the check on; new servers check by default.
        if not tools.sql.column_exists(self.env.cr, self._table, "smtp_verify_certificate"):
            tools.sql.create_column(self.env.cr, self._table, "smtp_verify_certificate", "boolean")
        return super()._auto_init()

    @api.depends("smtp_provider")
    def _compute_smtp_provider_note(self):
        for server in self:
            preset = smtp_presets.PRESETS.get(server.smtp_provider)
            server.smtp_provider_note = self._cobranca_preset_note(preset) if preset else False

    @api.depends(*PURPOSE_FIELDS.values())
    def _compute_cobranca_purposes(self):
        labels = dict(self.env["cobranca.email.log"]._fields["purpose"]._description_selection(self.env))
        for server in self:
            server.cobranca_purposes = ", ".join(
                labels[purpose] for purpose, field_name in PURPOSE_FIELDS.items() if server[field_name]
            )

    @api.depends("company_link_ids.company_id")
    def _compute_linked_company_ids(self):
        for server in self:
            server.linked_company_ids = server.company_link_ids.company_id
            server.company_count = len(server.company_link_ids)

    def _search_linked_company_ids(self, operator, value):
        return [("company_link_ids.company_id", operator, value)]

    def _compute_company_vat(self):
        for server in self:
            server.company_vat = ", ".join(filter(None, server.company_link_ids.company_id.mapped("vat")))

    def _search_company_vat(self, operator, value):
        if operator not in ("ilike", "like", "=", "=ilike") or not isinstance(value, str):
            return [("company_link_ids.company_id.vat", operator, value)]
        # Match the digits, whatever punctuation the CNPJ was typed or stored with.
        digits = re.sub(r"\D", "", value)
        if not digits:
            return [("company_link_ids.company_id.vat", operator, value)]
        companies = self.env["res.company"].sudo().search([("vat", "!=", False)])
        matching = companies.filtered(lambda company: digits in re.sub(r"\D", "", company.vat))
        return [("company_link_ids.company_id", "in", matching.ids)]

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

    @api.constrains("cc_emails", "sender_email", "test_email_to")
    def _check_cobranca_addresses(self):
        for server in self:
            for field_name in ("cc_emails", "sender_email", "test_email_to"):
                invalid = server._cobranca_invalid_addresses(server[field_name])
                if invalid:
                    raise ValidationError(
                        _(
                            "%(field)s of the mail server “%(server)s” has invalid e-mail addresses: %(addresses)s",
                            field=self._fields[field_name]._description_string(self.env),
                            server=server.name,
                            addresses=", ".join(invalid),
                        )
                    )
            if server.sender_email and len(server._cobranca_split(server.sender_email)) > 1:
                raise ValidationError(
                    _("The mail server “%(server)s” can have only one sender e-mail.", server=server.name)
                )

    @api.constrains("active", "company_link_ids", *PURPOSE_FIELDS.values())
    def _check_purpose_default_unique(self):
        """At most one active default server per purpose and company (and one without company)."""
        purpose_labels = dict(self.env["cobranca.email.log"]._fields["purpose"]._description_selection(self.env))
        for server in self.sudo().filtered("active"):
            companies = server.company_link_ids.company_id
            for purpose, field_name in PURPOSE_FIELDS.items():
                if not server[field_name]:
                    continue
                domain = [("id", "!=", server.id), (field_name, "=", True)]
                if companies:
                    other = self.sudo().search([*domain, ("company_link_ids.company_id", "in", companies.ids)], limit=1)
                    if other:
                        company = (other.company_link_ids.company_id & companies)[:1]
                        raise ValidationError(
                            _(
                                "The mail server “%(other)s” is already the default for %(purpose)s of %(company)s, "
                                "so “%(server)s” cannot be. Uncheck it on “%(other)s” first, or unlink %(company)s "
                                "from one of them.",
                                other=other.name,
                                purpose=purpose_labels[purpose],
                                company=company.name,
                                server=server.name,
                            )
                        )
                else:
                    other = self.sudo().search([*domain, ("company_link_ids", "=", False)], limit=1)
                    if other:
                        raise ValidationError(
                            _(
                                "The mail server “%(other)s” is already the default for %(purpose)s of the companies "
                                "without a linked server, so “%(server)s” cannot be. Uncheck it on “%(other)s” "
                                "first, or link “%(server)s” to its companies.",
                                other=other.name,
                                purpose=purpose_labels[purpose],
                                server=server.name,
                            )
                        )

    def write(self, vals):
        # The account connected again (Odoo's OAuth modules write a new refresh token), or the server no
        # longer logs in through OAuth: its last OAuth problem is over.
        reconnected = any(vals.get(field_name) for field_name in OAUTH_REFRESH_TOKEN_FIELDS)
        left_oauth = "smtp_authentication" in vals and vals["smtp_authentication"] not in OAUTH_AUTHENTICATIONS
        if reconnected or left_oauth:
            vals = {**vals, "cobranca_oauth_error": False, "cobranca_oauth_error_date": False}
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_linked_to_companies(self):
        for server in self.sudo():
            if server.company_link_ids:
                raise UserError(
                    _(
                        "The mail server “%(server)s” still sends for %(companies)s. Unlink these companies first, "
                        "or archive the server to stop using it.",
                        server=server.name,
                        companies=", ".join(server.company_link_ids.company_id.mapped("name")),
                    )
                )

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    def action_cobranca_send_test_email(self):
        """Send a real message through this server to its test recipient and tell the user how it went.

        Billing users may run it: the account (user name, password) is read with sudo and never
        shown. The attempt is recorded in the e-mail log (purpose ``test``). Only through a server of
        the current company.
        """
        self.ensure_one()
        check_groups(self.env, [BILLING_USER, SYSTEM], _("Only billing e-mail users can send test e-mails."))
        self._cobranca_check_serves_user()
        if not self._cobranca_serves(self.env.company):
            raise UserError(
                _(
                    "The mail server “%(server)s” does not send for %(company)s: switch to a company it is linked "
                    "to before sending the test e-mail.",
                    server=self.name,
                    company=self.env.company.name,
                )
            )
        server = self.sudo()
        # Seed 001: without a test recipient, the test goes to the account's own address.
        recipient = (
            server.test_email_to
            or email_normalize(server.sender_email or "")
            or email_normalize(server.smtp_user or "")
        )
        if not recipient:
            raise UserError(
                _(
                    "Fill in the test recipient of the mail server “%s” first (or its sender e-mail, which receives "
                    "the test when no test recipient is set).",
                    server.name,
                )
            )
        company = self.env.company
        email_from = server._cobranca_message_values(mail_purposes.TEST, company)["email_from"]
        email_from = email_from or self.env.user.email_formatted
        subject = _("Test e-mail from %(server)s", server=server.name)
        body = Markup("<p>%s</p>") % _(
            "This message was sent through the mail server “%(server)s” (%(host)s, port %(port)s) to check that "
            "billing e-mail can leave from it. No reply is needed.",
            server=server.name,
            host=server.smtp_host or "",
            port=server.smtp_port,
        )
        Log = self.env["cobranca.email.log"]
        log_values = {
            "purpose": mail_purposes.TEST,
            "company_id": company.id,
            "mail_server_id": server.id,
            "email_from": email_from,
            "recipients": recipient,
            "subject": subject,
        }
        smtp = None
        try:
            message = server.build_email(
                email_from=email_from,
                email_to=email_split(recipient),
                subject=subject,
                body=body,
                subtype="html",
            )
            smtp = server.connect(mail_server_id=server.id, allow_archived=True, smtp_from=email_from)
            server.send_email(message, mail_server_id=server.id, smtp_session=smtp)
        except Exception as error:  # every failure is reported to the user, none is raised
            diagnosis = smtp_presets.diagnose(error, server.smtp_host, server.smtp_port, server.smtp_encryption)
            hint = server._cobranca_hint_message(diagnosis)
            if diagnosis.key == smtp_presets.UNKNOWN:
                _logger.warning("Test e-mail through mail server %s failed", server.id, exc_info=True)
            else:
                _logger.info("Test e-mail through mail server %s failed: %s", server.id, diagnosis.detail)
            Log.sudo().create({**log_values, "state": "failed", "failure_reason": f"{hint}\n{diagnosis.detail}"})
            return self._cobranca_notification(
                _(
                    "The test e-mail could not be sent through “%(server)s”. %(hint)s Server's answer: %(detail)s",
                    server=server.name,
                    hint=hint,
                    detail=diagnosis.detail,
                ),
                "danger",
            )
        finally:
            if smtp:
                try:
                    smtp.quit()
                except (OSError, smtplib.SMTPException):
                    _logger.debug("closing the test session failed", exc_info=True)
        Log.sudo().create({**log_values, "state": "sent", "sent_date": fields.Datetime.now()})
        return self._cobranca_notification(
            _(
                "The test e-mail left through “%(server)s” for %(recipient)s. Check that it arrived "
                "(look in the spam folder too).",
                server=server.name,
                recipient=recipient,
            ),
            "success",
        )

    def action_cobranca_link_companies(self):
        self.ensure_one()
        check_groups(
            self.env, [BILLING_MANAGER, SYSTEM], _("Only billing e-mail managers can link companies to mail servers.")
        )
        self._cobranca_check_serves_user()
        return {
            "type": "ir.actions.act_window",
            "name": _("Link companies"),
            "res_model": "cobranca.mail.server.link.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_mail_server_id": self.id},
        }

    def test_smtp_connection(self, autodetect_max_email_size=False):
        # Billing users read mail servers (this addon's access rights) and Odoo's test connects with the
        # server's account as superuser: only through a server of their companies.
        self.check_access("read")
        self._cobranca_check_serves_user()
        return super().test_smtp_connection(autodetect_max_email_size=autodetect_max_email_size)

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
        """Odoo's connection, with this server's timeout and certificate check enforced."""
        server = self.env["ir.mail_server"]
        if mail_server_id:
            server = self.sudo().browse(mail_server_id)
        elif not host and not modules.module.current_test:
            server = self.sudo()._find_mail_server(smtp_from)[0] or server
        options = None
        if server and server.smtp_authentication != "cli":
            options = _ConnectionOptions(
                timeout=server.smtp_timeout or base_ir_mail_server.SMTP_TIMEOUT,
                verify=server.smtp_verify_certificate,
            )
        token = _CONNECTION_OPTIONS.set(options)
        try:
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
            LAST_CONNECT_FAILURE.set((server.id, error))
            raise
        finally:
            _CONNECTION_OPTIONS.reset(token)

    def _smtp_login(self, connection, smtp_user, smtp_password):
        """Odoo's login. For an OAuth server (Odoo's Gmail and Outlook modules renew its access token
        here), a provider that refuses to renew it is remembered on the server, shown on its form until
        the account is connected again, and raised as ``OAuthTokenRefused`` so that the test e-mail and
        the mail queue say what to do; a network failure on the way to the provider is left as it is
        (the mail queue retries it)."""
        if len(self) != 1 or self.smtp_authentication not in OAUTH_AUTHENTICATIONS:
            return super()._smtp_login(connection, smtp_user, smtp_password)
        try:
            super()._smtp_login(connection, smtp_user, smtp_password)
        except UserError as error:
            # The only UserError of these modules' login: the token endpoint refused, or no account.
            detail = str(error)
            _logger.warning("Mail server %s: the OAuth access token could not be renewed: %s", self.id, detail)
            self.sudo().write({"cobranca_oauth_error": detail, "cobranca_oauth_error_date": fields.Datetime.now()})
            raise smtp_presets.OAuthTokenRefused(detail) from error
        if self.cobranca_oauth_error:
            self.sudo().write({"cobranca_oauth_error": False, "cobranca_oauth_error_date": False})

    @api.model
    def _cobranca_resolve(self, purpose, company):
        """The mail server billing e-mail of ``purpose`` leaves from for ``company``.

        The one rule every feature that sends billing e-mail uses:

        1. the active server marked as default for ``purpose`` and linked to ``company``;
        2. otherwise the active server marked as default for ``purpose`` and linked to no company
           (the default of every company without its own);
        3. otherwise nothing (an empty recordset): Odoo's normal choice of server applies, limited by
           :meth:`_cobranca_message_values` to servers not linked to other companies.

        A server linked only to other companies is never returned. Constraints keep at most one
        server per purpose and company in 1., and one in 2.

        :param str purpose: a key of ``cobranca_core.mail_purposes.SERVER_PURPOSE_KEYS``
        :param company: ``res.company`` record
        :return: ``ir.mail_server`` record, possibly empty
        """
        field_name = PURPOSE_FIELDS.get(purpose)
        if not field_name:
            raise ValueError(f"unknown billing purpose {purpose!r}")
        candidates = self.sudo().search([(field_name, "=", True)], order="sequence, id")
        linked = candidates.filtered(lambda server: company in server.company_link_ids.company_id)
        chosen = linked[:1] or candidates.filtered(lambda server: not server.company_link_ids)[:1]
        return self.browse(chosen.ids)

    def _cobranca_serves(self, company):
        """Whether this server may send for ``company``: linked to it, or to no company at all."""
        self.ensure_one()
        # Every link, also those to companies the user may not read.
        links = self.sudo().company_link_ids
        return not links or company in links.company_id

    def _cobranca_check_serves_user(self):
        """Refuse these servers unless each sends for one of the user's companies (or for every company):
        the buttons and wizards that call this use the server's account as superuser. Billing users
        read every server (not its account); administrators may use any."""
        if self.env.su or self.env.user.has_group(SYSTEM):
            return
        companies = self.env.user.company_ids
        for server in self:
            links = server.sudo().company_link_ids
            if links and not links.company_id & companies:
                raise AccessError(
                    _(
                        "The mail server “%(server)s” sends for other companies than yours: you cannot use it.",
                        server=server.name,
                    )
                )

    @api.model
    def _cobranca_sender(self, purpose, company, server=None):
        """``mail_server_id`` and ``email_from`` of billing e-mail of ``purpose`` for ``company``, for
        the billing mail queue: through ``server`` when the company chose one in its settings, else
        through the server :meth:`_cobranca_resolve` gives. Unset values are left out; the mail layer
        adds the server's copy list itself (the purpose is on the message)."""
        if server and not server._cobranca_serves(company):
            # Checked again here, not only when the setting is saved: the server's links may have
            # changed since.
            raise UserError(
                _(
                    "Mail server %(server)s, chosen in the settings of %(company)s, is linked to other companies "
                    "only: the e-mail was not sent. Choose one of the company's servers in Settings > Billing "
                    "E-mail, or link this server to the company.",
                    server=server.display_name,
                    company=company.display_name,
                )
            )
        values = (server or self._cobranca_resolve(purpose, company))._cobranca_message_values(purpose, company)
        return {key: values[key] for key in ("mail_server_id", "email_from") if values[key]}

    def _cobranca_message_values(self, purpose, company):
        """Sending values of billing e-mail of ``purpose`` for ``company`` through this server.

        Call it on the result of :meth:`_cobranca_resolve` (a server, or an empty recordset). Returns::

            {
                "mail_server_id": int or False,
                "email_from": '"Sender name" <sender@e-mail>' or False,
                "email_cc": "a@x.com, b@y.com" (the server's copy list, possibly ""),
            }

        The sender name is the one of ``company``'s link to the server, else the server's, else the
        company's name; the address is the server's sender e-mail, else the company's. With no server,
        the company's address is used and Odoo's normal choice of server is made among the servers
        that are not linked to other companies (``mail_server_id`` False when there is none left).

        Pass ``mail_server_id``, ``email_from`` and ``cobranca_purpose=purpose`` to
        ``record.message_post()`` (or ``mail.template.send_mail(email_values=...)``): every mail.mail of
        a message with a billing purpose gets the server's copy list in its CC automatically, and the
        server's sending limits apply to it.
        """
        server = self.sudo()[:1]
        if server:
            link = server.company_link_ids.filtered(lambda link: link.company_id == company)[:1]
            name = link.sender_name or server.sender_name or company.name
            address = email_normalize(server.sender_email or company.email or "")
            return {
                "mail_server_id": server.id,
                "email_from": formataddr((name, address)) if address else False,
                "email_cc": ", ".join(server._cobranca_cc_list()),
            }
        email_from = company.email_formatted or False
        allowed = self.sudo().search([], order="sequence, id").filtered(lambda server: server._cobranca_serves(company))
        chosen = False
        if allowed:
            chosen = allowed._find_mail_server(email_from or self.env.user.email, allowed)[0]
        return {"mail_server_id": chosen.id if chosen else False, "email_from": email_from, "email_cc": ""}

    def _cobranca_cc_list(self):
        """The server's copy addresses, normalized, without duplicates."""
        self.ensure_one()
        return list(dict.fromkeys(filter(None, map(email_normalize, self._cobranca_split(self.cc_emails)))))

    @api.model
    def _cobranca_split(self, text):
        return [part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()]

    @api.model
    def _cobranca_invalid_addresses(self, text):
        return [part for part in self._cobranca_split(text) if not email_normalize(part, strict=True)]

    def _cobranca_preset_note(self, preset):
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

    def _cobranca_hint_message(self, diagnosis):
        """What the user can do about a failure (``cobranca_core.smtp_presets.Diagnosis``), translated.

        Called on the server involved (or an empty recordset when unknown).
        """
        server = self[:1]
        diagnosis = smtp_presets.for_authentication(diagnosis, server.smtp_authentication)
        preset = smtp_presets.PRESETS.get(diagnosis.provider)
        hints = {
            smtp_presets.AUTH_REFUSED: _(
                "The server refused the user name or password. Check both (the user name is usually the full "
                "e-mail address) and that the account is allowed to send through SMTP."
            ),
            smtp_presets.AUTH_APP_PASSWORD_REQUIRED: _(
                "%(provider)s refused the password: it does not accept the account's normal password from other "
                "programs. Create an app password (with 2-step verification turned on) and use it here, or "
                "connect through OAuth with Odoo's Gmail or Outlook integration. On Microsoft 365 the "
                "administrator must also enable SMTP AUTH for this mailbox.",
                provider=preset.name if preset else server.smtp_host,
            ),
            smtp_presets.AUTH_REQUIRED: _("The server requires authentication: fill in the user name and password."),
            smtp_presets.AUTH_UNSUPPORTED: _(
                "The server does not offer login on this connection. Most servers offer it only once the "
                "connection is encrypted: choose TLS (STARTTLS) for port 587 or SSL/TLS for port 465."
            ),
            smtp_presets.CERTIFICATE_INVALID: _(
                "The server's certificate is not valid for “%(host)s”. Use exactly the host name the provider "
                "gives (not an alias of your own domain). Only for a server you trust that uses a self-signed "
                "certificate, turn off “Validate server certificate”.",
                host=server.smtp_host,
            ),
            smtp_presets.TLS_MISMATCH: _(
                "The encryption does not match the port: port 465 uses SSL/TLS, port 587 uses TLS (STARTTLS). "
                "Check the port and encryption your provider gives."
            ),
            smtp_presets.TIMEOUT: _(
                "The server did not answer within %(timeout)s seconds. Check the host and port, and that the "
                "network lets Odoo reach it (hosting companies often block port 25: use 587 or 465).",
                timeout=server.smtp_timeout or base_ir_mail_server.SMTP_TIMEOUT,
            ),
            smtp_presets.UNKNOWN_HOST: _(
                "The server “%(host)s” could not be found. Check the host name for typos.",
                host=server.smtp_host,
            ),
            smtp_presets.CONNECTION_REFUSED: _(
                "“%(host)s” refused the connection on port %(port)s. Check the port your provider gives.",
                host=server.smtp_host,
                port=server.smtp_port,
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
            smtp_presets.OAUTH_TOKEN_REFUSED: _(
                "%(provider)s refused the OAuth access of the mail server “%(server)s” (access revoked, password "
                "changed or authorization expired): nothing leaves through it until an administrator connects the "
                "account again, on the server's form (“Connect your %(provider)s account”, or the gear next to "
                "“%(provider)s Token Valid”).",
                provider=smtp_presets.OAUTH_NAMES.get(server.smtp_authentication, "OAuth"),
                server=server.name,
            ),
            smtp_presets.UNKNOWN: _("Unexpected error."),
        }
        return hints[diagnosis.key]

    def _cobranca_notification(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Test e-mail"),
                "message": message,
                "type": kind,
                "sticky": kind != "success",
            },
        }
