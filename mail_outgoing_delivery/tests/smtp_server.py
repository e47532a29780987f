"""A real SMTP server on 127.0.0.1 for the tests, as Odoo's test_ir_mail_server_smtpd.py does.

aiosmtpd runs in a thread; TLS certificates are generated with openssl when the class starts: a test
authority, a server certificate it signs for 127.0.0.1, a self-signed one and one for another host.
The authority is made trusted the way an administrator would (SSL_CERT_FILE), so the certificate
check of the mail server runs for real.
"""

import asyncio
import contextlib
import email
import email.policy
import logging
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path
from unittest.mock import patch

from odoo import modules
from odoo.tools import config

try:
    import aiosmtpd.controller
    import aiosmtpd.smtp
except ImportError:
    aiosmtpd = None

PASSWORD = "s3cret-app-password"
OPENSSL = shutil.which("openssl")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_getaddrinfo = socket.getaddrinfo


def resolve_as_local(*names):
    """Make these host names resolve to 127.0.0.1, as if the provider's server ran here."""

    def getaddrinfo(host, port, *args, **kwargs):
        return _getaddrinfo("127.0.0.1" if host in names else host, port, *args, **kwargs)

    return patch("socket.getaddrinfo", getaddrinfo)


def make_certificates(directory):
    """Test authority, and server certificates for 127.0.0.1 (signed, self-signed, wrong host).

    The signed one also names smtp.gmail.com: tests make that name resolve here to play the provider.
    """

    def openssl(*args):
        subprocess.run([OPENSSL, *map(str, args)], check=True, capture_output=True)

    d = Path(directory)
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca_extensions = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]
    openssl("req", "-x509", *new_key, *ca_extensions, "-days", 2, "-subj", "/CN=Cobranca Test CA",
            "-keyout", d / "ca.key", "-out", d / "ca.pem")  # fmt: skip
    signed = {"server": "IP:127.0.0.1,DNS:localhost,DNS:smtp.gmail.com", "wrong_host": "DNS:smtp.other.example"}
    for name, alt_names in signed.items():
        openssl("req", *new_key, "-subj", f"/CN={name}", "-keyout", d / f"{name}.key", "-out", d / f"{name}.csr")
        (d / f"{name}.ext").write_text(f"subjectAltName={alt_names}\n")
        openssl("x509", "-req", "-in", d / f"{name}.csr", "-CA", d / "ca.pem", "-CAkey", d / "ca.key",
                "-CAcreateserial", "-days", 2, "-out", d / f"{name}.pem", "-extfile", d / f"{name}.ext")  # fmt: skip
    openssl("req", "-x509", *new_key, "-days", 2, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", d / "self_signed.key", "-out", d / "self_signed.pem")  # fmt: skip
    return d


class Inbox:
    """aiosmtpd handler keeping what it receives; it can hang up on chosen messages."""

    def __init__(self, hang_up_on=(), delay=0, refuse=(), defer=()):
        self.messages = []
        self.hang_up_on = set(hang_up_on)  # 1-based numbers of the DATA commands to hang up on
        self.delay = delay
        self.refuse = set(refuse)  # recipient addresses refused for good (550 at RCPT TO)
        self.defer = set(defer)  # 1-based numbers of the DATA commands answered "451 try again later"
        self.data_commands = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            number = self.data_commands
        if number in self.hang_up_on:
            server.transport.close()
            return "421 4.3.2 Closing connection"
        if number in self.defer:
            return "451 4.3.0 Mail server temporarily rejected message, try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": list(envelope.rcpt_tos),
                    "message": message,
                    "login": getattr(session, "auth_data", None),
                    "connection": id(session),
                }
            )
        return "250 2.0.0 OK"

    def subjects(self):
        return [entry["message"]["Subject"] for entry in self.messages]


def _quiet_auth_over_implicit_tls(record):
    return record.msg != "auth_required == True but auth_require_tls == False"


def _authenticate(server, session, envelope, mechanism, data):
    # handled=False: a refused password gets the 535 reply real servers send.
    success = data.password == PASSWORD.encode()
    return aiosmtpd.smtp.AuthResult(success=success, handled=False, auth_data=data if success else None)


class SmtpServerMixin:
    """Real SMTP sending to local servers started by :meth:`smtpd` (mix into a TransactionCase)."""

    @classmethod
    def setup_smtp(cls):
        """Call from setUpClass: certificates, patches and log filters the real SMTP tests need."""
        if not aiosmtpd or not OPENSSL:
            raise RuntimeError("make setup installs aiosmtpd; openssl comes with Debian")

        # aiosmtpd warns about its own deprecated Session.login_data; keep the log clean.
        class Session(aiosmtpd.smtp.Session):
            @property
            def login_data(self):
                return self._login_data

            @login_data.setter
            def login_data(self, value):
                self._login_data = value

        cls.startClassPatcher(patch("aiosmtpd.smtp.Session", Session))
        mail_log = logging.getLogger("mail.log")
        level = mail_log.level
        mail_log.setLevel(logging.WARNING)
        cls.addClassCleanup(mail_log.setLevel, level)
        # aiosmtpd cannot tell that an implicit-TLS socket is encrypted, so login over SSL/TLS is
        # served with auth_require_tls off, which it warns about (as in Odoo's own SMTP tests).
        mail_log.addFilter(_quiet_auth_over_implicit_tls)
        cls.addClassCleanup(mail_log.removeFilter, _quiet_auth_over_implicit_tls)
        warnings_context = warnings.catch_warnings()
        warnings_context.__enter__()
        cls.addClassCleanup(warnings_context.__exit__, None, None, None)
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", category=UserWarning)

        directory = tempfile.mkdtemp(prefix="smtp-test-")
        cls.addClassCleanup(shutil.rmtree, directory, True)
        cls.certs = make_certificates(directory)
        # The test authority is the one the system trusts, as for a company's own authority.
        cls.startClassPatcher(patch.dict(os.environ, {"SSL_CERT_FILE": str(cls.certs / "ca.pem")}))
        # Odoo does not connect while tests run; these tests connect for real, only to 127.0.0.1.
        cls.startClassPatcher(patch.object(modules.module, "current_test", False))
        cls.startClassPatcher(patch.dict(config.options, {"smtp_server": "", "email_from": False}))

    def server_context(self, certificate="server"):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certs / f"{certificate}.pem", self.certs / f"{certificate}.key")
        return context

    @contextlib.contextmanager
    def smtpd(self, encryption="none", auth=False, certificate="server", inbox=None):
        """Run an SMTP server on a free port of 127.0.0.1; yields ``(port, inbox)``.

        :param encryption: ``none``, ``starttls`` (required) or ``ssl`` (implicit TLS)
        :param auth: require a login with :data:`PASSWORD` (PLAIN, over TLS)
        :param certificate: ``server`` (signed by the test authority for 127.0.0.1), ``self_signed``
            or ``wrong_host``
        """
        inbox = inbox or Inbox()
        port = free_port()
        kwargs = {}
        if encryption == "starttls":
            kwargs.update(require_starttls=True, tls_context=self.server_context(certificate))
        elif encryption == "ssl":
            kwargs["ssl_context"] = self.server_context(certificate)
        if auth:
            kwargs.update(
                authenticator=_authenticate,
                auth_required=True,
                auth_require_tls=encryption == "starttls",
                auth_exclude_mechanism=["LOGIN"],
            )
        controller = aiosmtpd.controller.Controller(
            inbox, hostname="127.0.0.1", port=port, server_hostname="localhost", **kwargs
        )
        controller.start()
        try:
            yield port, inbox
        finally:
            controller.stop()

    def create_server(self, port, encryption="none", auth=False, **values):
        """An ir.mail_server for the local SMTP server on ``port``."""
        return self.env["ir.mail_server"].create(
            {
                "name": values.pop("name", f"Local {encryption} {port}"),
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": encryption,
                "smtp_authentication": "login",
                "smtp_user": values.pop("smtp_user", "sender@example.com" if auth else False),
                "smtp_pass": PASSWORD if auth else False,
                **values,
            }
        )
