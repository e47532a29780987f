"""Mail servers that log in through OAuth with Odoo's own google_gmail and microsoft_outlook modules.

The provider is played on 127.0.0.1: its SMTP server (aiosmtpd, STARTTLS, AUTH XOAUTH2 accepting the
access tokens it is told) and its OAuth token endpoint (an HTTP server answering what the test
chooses). Microsoft's endpoint is a system parameter of microsoft_outlook; Google's is a constant of
google_gmail, so its requests are sent to the local endpoint by Odoo's test hook for outgoing HTTP
requests (``_request_handler``), which blocks every other external request.
"""

import http.server
import json
import threading
import time
import unittest
import urllib.parse
from base64 import b64decode

from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .smtp_server import Inbox, SmtpCase, free_port
from .test_mail_server_smtp import resolve_as_local

try:
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError:  # smtp_server.SmtpServerMixin.setup_smtp says how to install it
    AuthResult = LoginPassword = None

GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
REVOKED = {
    "error": "invalid_grant",
    "error_description": "AADSTS70000: The provided grant has expired due to it being revoked.",
}
# How each OAuth login is set up here: its SMTP host (Gmail's name, which the test certificate
# covers, resolved to 127.0.0.1), the prefix of its token fields, and the path of its token endpoint.
PROVIDERS = {
    "gmail": {"name": "Gmail", "host": "smtp.gmail.com", "fields": "google_gmail", "path": "/google/token"},
    "outlook": {"name": "Outlook", "host": "127.0.0.1", "fields": "microsoft_outlook", "path": "/microsoft/token"},
}
MODULE_LOGGERS = (
    "odoo.addons.cobranca_email.models.ir_mail_server",
    "odoo.addons.google_gmail.models.google_gmail_mixin",
    "odoo.addons.microsoft_outlook.models.microsoft_outlook_mixin",
)


class OAuthInbox(Inbox):
    """The provider's SMTP server: AUTH XOAUTH2 with one of ``tokens`` as bearer, nothing else."""

    def __init__(self, tokens, **kwargs):
        super().__init__(**kwargs)
        self.tokens = set(tokens)

    async def auth_XOAUTH2(self, server, args):
        # The client's initial response: base64 of "user=<address>\x01auth=Bearer <token>\x01\x01".
        pairs = dict(part.split("=", 1) for part in b64decode(args[1]).decode().split("\x01") if part)
        token = pairs.get("auth", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return AuthResult(success=False, handled=False)  # 535, as Gmail and Exchange answer
        return AuthResult(success=True, auth_data=LoginPassword(pairs["user"].encode(), token.encode()))


class TokenEndpoint(http.server.ThreadingHTTPServer):
    """OAuth token endpoints on 127.0.0.1: every POST is kept in ``received`` (path, form) and
    answered with ``answer`` (HTTP status, JSON body)."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _TokenRequest)
        self.received = []
        self.answer = (400, REVOKED)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}"


class _TokenRequest(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.received.append((self.path, dict(urllib.parse.parse_qsl(body))))
        status, answer = self.server.answer
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # http.server logs every request to stderr
        pass


@tagged("post_install", "-at_install")
class TestOAuthMailServers(SmtpCase):
    """OAuth servers: kept by the provider presets, sending test and billing e-mail, and a token that
    no longer refreshes reported on the server and in the e-mail log."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        logins = cls.env["ir.mail_server"]._fields["smtp_authentication"].get_values(cls.env)
        if not set(PROVIDERS) <= set(logins):
            raise unittest.SkipTest(
                "Odoo's google_gmail and microsoft_outlook are not installed (tools/addon_tests.py)"
            )
        cls.endpoint = TokenEndpoint()
        threading.Thread(target=cls.endpoint.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.endpoint.server_close)
        cls.addClassCleanup(cls.endpoint.shutdown)
        cls.env["ir.config_parameter"].set_param("microsoft_outlook.endpoint", f"{cls.endpoint.url}/microsoft/")

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        if request.url == GOOGLE_TOKEN_URL:
            request.url = cls.endpoint.url + PROVIDERS["gmail"]["path"]
        return super()._request_handler(session, request, **kwargs)

    def setUp(self):
        super().setUp()
        self.endpoint.received.clear()
        self.endpoint.answer = (400, REVOKED)

    def oauth_server(self, login, port, access_token="access-1", expires_in=3600, **values):
        """An OAuth server of ``login`` ("gmail", "outlook") on ``port``, connected to the account by an
        administrator: its refresh token, and an access token valid ``expires_in`` more seconds."""
        provider = PROVIDERS[login]
        prefix = provider["fields"]
        return self.create_server(
            port,
            "starttls",
            name=f"{provider['name']} da Cobrança",
            smtp_host=provider["host"],
            smtp_authentication=login,
            smtp_user="cobranca@acme.com.br",
            **{
                f"{prefix}_refresh_token": "refresh-1",
                f"{prefix}_access_token": access_token,
                f"{prefix}_access_token_expiration": int(time.time()) + expires_in,
            },
            **values,
        )

    def send_test(self, server, user=None):
        with resolve_as_local("smtp.gmail.com"):
            return server.with_user(user or self.env.user).action_cobranca_send_test_email()["params"]

    def queue_boleto(self, server):
        """A boleto e-mail queued through ``server`` the way billing queues them; returns its log row."""
        customer = self.env["res.partner"].create({"name": "Cliente OAuth", "email": "cliente@example.com"})
        sender = self.env["ir.mail_server"]._cobranca_sender("boleto", self.company, server)
        values = {"record": customer, "partners": customer, "subject": "Seu boleto", "body": "<p>Segue.</p>"}
        values.update(purpose="boleto", company=self.company, partner=customer, **sender)
        mail = self.env["mail.mail"]._cobranca_queue_billing_mails([values])
        return self.env["cobranca.email.log"].search([("mail_mail_id", "=", mail.id)])

    def process_queue(self):
        with resolve_as_local("smtp.gmail.com"):
            self.env["mail.mail"].process_email_queue()

    def test_presets_keep_the_oauth_login(self):
        # Another Gmail account on the same host, logging in with an app password over SSL/TLS.
        self.create_server(465, "ssl", name="Gmail senha", smtp_host="smtp.gmail.com", smtp_user="outra@acme.com.br")
        with Form(self.env["ir.mail_server"]) as form:
            form.name = "Gmail OAuth"
            form.smtp_authentication = "gmail"  # Odoo fills in smtp.gmail.com, 587, STARTTLS
            self.assertEqual(form.smtp_authentication, "gmail", "the other server's login is not copied")
            self.assertEqual(
                (form.smtp_host, form.smtp_port, form.smtp_encryption), ("smtp.gmail.com", 587, "starttls")
            )
            form.smtp_provider = "google_workspace"
            self.assertEqual((form.smtp_authentication, form.limit_per_day), ("gmail", 2000))
            form.smtp_provider = "microsoft365"
            self.assertEqual(form.smtp_authentication, "outlook", "still OAuth, Microsoft's")
            self.assertIn("end of 2026", form.smtp_provider_note)
            self.assertIn("Outlook OAuth Authentication", form.smtp_provider_note)
            form.smtp_provider = "outlook"
            self.assertEqual(form.smtp_authentication, "outlook")
            form.smtp_provider = "zoho"
            self.assertEqual(form.smtp_authentication, "login", "Zoho has no OAuth login in Odoo")
            form.smtp_provider = "gmail"
            self.assertEqual(form.smtp_authentication, "login", "a password login stays one")
            form.smtp_user = "cobranca@acme.com.br"
        with Form(self.env["ir.mail_server"]) as form:
            form.name = "Microsoft 365 OAuth"
            form.smtp_authentication = "outlook"
            form.smtp_provider = "microsoft365"
            self.assertEqual((form.smtp_authentication, form.smtp_host), ("outlook", "smtp.office365.com"))
            form.smtp_user = "cobranca@acme.com.br"
        self.assertEqual(form.record.smtp_authentication, "outlook")

    def test_test_email_and_billing_email_through_oauth_servers(self):
        """A valid access token: no call to the token endpoint, the message leaves with it."""
        for login in PROVIDERS:
            inbox = OAuthInbox({"access-1"})
            with self.subTest(login=login), self.smtpd("starttls", auth=True, inbox=inbox) as (port, _inbox):
                server = self.oauth_server(login, port)
                result = self.send_test(server)
                self.assertEqual(result["type"], "success", result["message"])
                log = self.queue_boleto(server)
                self.process_queue()
                self.assertEqual(log.state, "sent", log.failure_reason)
                self.assertEqual(inbox.subjects(), [f"Test e-mail from {server.name}", "Seu boleto"])
                self.assertEqual(
                    {(entry["login"].login, entry["login"].password) for entry in inbox.messages},
                    {(b"cobranca@acme.com.br", b"access-1")},
                )
                self.assertFalse(self.endpoint.received)
                server.active = False

    @mute_logger(*MODULE_LOGGERS)
    def test_token_that_no_longer_refreshes_is_reported_until_the_account_is_reconnected(self):
        for login, provider in PROVIDERS.items():
            inbox = OAuthInbox({"access-2"})
            with self.subTest(login=login), self.smtpd("starttls", auth=True, inbox=inbox) as (port, _inbox):
                self.endpoint.received.clear()
                server = self.oauth_server(login, port, expires_in=-60)
                # A billing user, who reads neither the tokens nor the server's account, may test it.
                result = self.send_test(server, self.billing_user)
                self.assertEqual(result["type"], "danger")
                self.assertIn(
                    f"{provider['name']} refused the OAuth access of the mail server “{server.name}”", result["message"]
                )
                self.assertIn("connects the account again", result["message"])
                # Odoo asked the provider for a new access token with the account's refresh token.
                path, form = self.endpoint.received[0]
                self.assertEqual(path, provider["path"])
                self.assertEqual((form["grant_type"], form["refresh_token"]), ("refresh_token", "refresh-1"))
                test_log = self.env["cobranca.email.log"].search([("mail_server_id", "=", server.id)])
                self.assertEqual(test_log.state, "failed")
                self.assertIn("connects the account again", test_log.failure_reason)
                # The server's form shows it; queued e-mails fail at once, with the same reason.
                self.assertIn("An error occurred when fetching the access token", server.cobranca_oauth_error)
                self.assertTrue(server.cobranca_oauth_error_date)
                log = self.queue_boleto(server)
                self.process_queue()
                self.assertEqual(log.state, "failed")
                self.assertIn(f"mail server “{server.name}”", log.failure_reason)
                self.assertIn("connects the account again", log.failure_reason)
                self.assertEqual((log.mail_mail_id.state, log.mail_mail_id.delivery_attempts), ("exception", 0))
                if login == "outlook":
                    self.assertIn("AADSTS70000", server.cobranca_oauth_error, "Microsoft's words are kept")
                self.assertFalse(inbox.messages)
                # An administrator connects the account again (Odoo's OAuth callback writes the new
                # refresh token); the expired access token is renewed at the next login.
                server.write({f"{provider['fields']}_refresh_token": "refresh-2"})
                self.assertFalse(server.cobranca_oauth_error)
                self.endpoint.answer = (200, {"access_token": "access-2", "expires_in": 3600, "refresh_token": "r-3"})
                self.assertEqual(self.send_test(server)["type"], "success")
                self.assertEqual(inbox.messages[0]["login"].password, b"access-2")
                self.assertEqual(self.endpoint.received[-1][1]["refresh_token"], "refresh-2")
                server.active = False
                self.endpoint.answer = (400, REVOKED)

    @mute_logger(*MODULE_LOGGERS)
    def test_token_endpoint_out_of_reach_is_retried_not_reported(self):
        """A network failure on the way to the provider is not the account's: the e-mail waits."""
        self.env["ir.config_parameter"].set_param("microsoft_outlook.endpoint", f"http://127.0.0.1:{free_port()}/")
        with self.smtpd("starttls", auth=True, inbox=OAuthInbox({"access-2"})) as (port, inbox):
            server = self.oauth_server("outlook", port, expires_in=-60)
            log = self.queue_boleto(server)
            self.process_queue()
        self.assertEqual(log.state, "retry")
        self.assertFalse(server.cobranca_oauth_error)
        self.assertFalse(inbox.messages)

    def test_provider_refusing_a_valid_looking_token_asks_to_reconnect(self):
        """The access token has not expired but the provider refuses it (revoked): Odoo sends anyway,
        and the server asks for authentication; the hint is the OAuth one, not a password's."""
        with self.smtpd("starttls", auth=True, inbox=OAuthInbox({"another"})) as (port, inbox):
            server = self.oauth_server("outlook", port)
            result = self.send_test(server)
        self.assertEqual(result["type"], "danger")
        self.assertIn("connects the account again", result["message"])
        self.assertNotIn("fill in the user name and password", result["message"])
        self.assertFalse(inbox.messages)
