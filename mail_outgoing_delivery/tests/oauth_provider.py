"""An OAuth provider played on 127.0.0.1 for servers that log in through Odoo's own google_gmail and
microsoft_outlook modules: its SMTP server (aiosmtpd, STARTTLS, AUTH XOAUTH2 accepting the access
tokens it is told) and its OAuth token endpoint (an HTTP server answering what the test chooses).
Microsoft's endpoint is a system parameter of microsoft_outlook; Google's is a constant of
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

from .smtp_server import Inbox, resolve_as_local

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
    "odoo.addons.mail_outgoing_delivery.models.ir_mail_server",
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


class OAuthProviderMixin:
    """Mix into a test case with :class:`~.smtp_server.SmtpServerMixin` (its ``create_server``)."""

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
            return server.with_user(user or self.env.user).action_send_test_email()["params"]

    def process_queue(self):
        with resolve_as_local("smtp.gmail.com"):
            self.env["mail.mail"].process_email_queue()
