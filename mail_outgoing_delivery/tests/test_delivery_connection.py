import base64
import socket
import time

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .smtp_server import Inbox, SmtpServerMixin, free_port, resolve_as_local


@tagged("post_install", "-at_install")
class TestServerConnection(SmtpServerMixin, TransactionCase):
    """The "Send test e-mail" button through real SMTP servers: the server's timeout and certificate
    check, and for each failure what it was and what to do about it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()
        cls.env.user.partner_id.email = "admin@example.com"

    def create_server(self, port, encryption="none", auth=False, **values):
        return super().create_server(
            port, encryption, auth, **{"smtp_timeout": 5, "test_email_to": "tester@example.com", **values}
        )

    def send_test(self, server):
        action = server.action_send_test_email()
        self.assertEqual(action["tag"], "display_notification")
        return action["params"]

    def test_test_email_arrives_through_starttls_with_login(self):
        with self.smtpd("starttls", auth=True) as (port, inbox):
            server = self.create_server(port, "starttls", auth=True)
            result = self.send_test(server)
        self.assertEqual(result["type"], "success", result["message"])
        self.assertFalse(result["sticky"])
        self.assertEqual([entry["rcpt_tos"] for entry in inbox.messages], [["tester@example.com"]])
        self.assertEqual(inbox.messages[0]["login"].login, b"sender@example.com")
        self.assertIn(server.name, inbox.messages[0]["message"]["Subject"])

    def test_wrong_password_gives_a_clear_hint(self):
        with self.smtpd("starttls", auth=True) as (port, inbox):
            server = self.create_server(port, "starttls", auth=True, smtp_pass="my-normal-password")
            result = self.send_test(server)
        self.assertEqual((result["type"], result["sticky"]), ("danger", True))
        self.assertIn("refused the user name or password", result["message"])
        self.assertIn("535 5.7.8 Authentication credentials invalid", result["message"])
        self.assertFalse(inbox.messages)

    def test_implicit_tls_with_a_valid_certificate(self):
        with self.smtpd("ssl", auth=True) as (port, inbox):
            server = self.create_server(port, "ssl", auth=True)
            result = self.send_test(server)
        self.assertEqual(result["type"], "success", result["message"])
        self.assertEqual(len(inbox.messages), 1)

    def test_gmail_refusing_the_password_asks_for_an_app_password(self):
        with self.smtpd("starttls", auth=True) as (port, inbox), resolve_as_local("smtp.gmail.com"):
            server = self.create_server(port, "starttls", auth=True, smtp_host="smtp.gmail.com", smtp_pass="normal")
            result = self.send_test(server)
        self.assertEqual(result["type"], "danger")
        self.assertIn("Gmail refused the password", result["message"])
        self.assertIn("app password", result["message"])
        self.assertFalse(inbox.messages)

    @mute_logger("mail.log", "asyncio")
    def test_certificate_validation(self):
        """Checked by default: untrusted or wrong-host certificates are refused; off, they pass."""
        for encryption in ("starttls", "ssl"):
            for certificate in ("self_signed", "wrong_host"):
                with (
                    self.subTest(encryption=encryption, certificate=certificate),
                    self.smtpd(encryption, certificate=certificate) as (port, inbox),
                ):
                    server = self.create_server(port, encryption)
                    self.assertTrue(server.smtp_verify_certificate, "on by default")
                    result = self.send_test(server)
                    self.assertEqual(result["type"], "danger")
                    self.assertIn("certificate is not valid", result["message"])
                    self.assertFalse(inbox.messages)
                    # The administrator trusts this server: turning the check off lets the e-mail leave.
                    server.smtp_verify_certificate = False
                    result = self.send_test(server)
                    self.assertEqual(result["type"], "success", result["message"])
                    self.assertEqual(len(inbox.messages), 1)

    def test_client_certificate_authentication_checks_the_servers_certificate_too(self):
        """Odoo's client-certificate login (pyOpenSSL) used to fail on the check with an AttributeError."""
        client = {
            "smtp_authentication": "certificate",
            "smtp_ssl_certificate": base64.b64encode((self.certs / "server.pem").read_bytes()),
            "smtp_ssl_private_key": base64.b64encode((self.certs / "server.key").read_bytes()),
        }
        for encryption in ("starttls", "ssl"):
            for certificate, delivered in (("server", True), ("self_signed", False), ("wrong_host", False)):
                with (
                    self.subTest(encryption=encryption, certificate=certificate),
                    self.smtpd(encryption, certificate=certificate) as (port, inbox),
                ):
                    result = self.send_test(self.create_server(port, encryption, **client))
                    self.assertEqual(result["type"], "success" if delivered else "danger", result["message"])
                    self.assertEqual(len(inbox.messages), int(delivered))
                    if not delivered:
                        self.assertIn("certificate is not valid", result["message"])

    @mute_logger("mail.log", "asyncio")
    def test_encryption_not_matching_the_server(self):
        cases = [
            # client, server, words of the hint
            ("ssl", "none", "encryption does not match the port"),
            ("none", "starttls", "encryption does not match the port"),
            ("starttls", "none", "encryption does not match the port"),
        ]
        for client, server_encryption, words in cases:
            with (
                self.subTest(client=client, server=server_encryption),
                self.smtpd(server_encryption) as (port, inbox),
            ):
                server = self.create_server(port, client)
                result = self.send_test(server)
                self.assertEqual(result["type"], "danger")
                self.assertIn(words, result["message"])
                self.assertFalse(inbox.messages)

    def test_timeout_is_the_servers_own(self):
        """A server that accepts the connection and never answers: the server's timeout, not 60 s."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(1)
            server = self.create_server(silent.getsockname()[1], "starttls", smtp_timeout=1)
            started = time.monotonic()
            result = self.send_test(server)
            elapsed = time.monotonic() - started
        self.assertLess(elapsed, 10)
        self.assertEqual(result["type"], "danger")
        self.assertIn("did not answer within 1 seconds", result["message"])

    def test_server_hanging_up_during_the_test_email(self):
        with self.smtpd("none", inbox=Inbox(hang_up_on={1})) as (port, inbox):
            server = self.create_server(port, "none")
            result = self.send_test(server)
        self.assertEqual(result["type"], "danger")
        self.assertIn("closed the connection before accepting the message", result["message"])
        self.assertFalse(inbox.messages)

    def test_unknown_host_and_closed_port(self):
        server = self.create_server(free_port(), "none", smtp_host="smtp.nonexistent.invalid")
        self.assertIn("“smtp.nonexistent.invalid” could not be found", self.send_test(server)["message"])
        server.smtp_host = "127.0.0.1"
        self.assertIn("refused the connection on port", self.send_test(server)["message"])

    def test_without_test_recipient_the_test_goes_to_the_accounts_own_address(self):
        with self.smtpd("starttls", auth=True) as (port, inbox):
            server = self.create_server(port, "starttls", auth=True, test_email_to=False, smtp_user="conta@example.com")
            self.assertEqual(self.send_test(server)["type"], "success")
        self.assertEqual([entry["rcpt_tos"] for entry in inbox.messages], [["conta@example.com"]])
        # A user name that is no address: the user is asked for a recipient.
        server = self.create_server(free_port(), "none", test_email_to=False)
        with self.assertRaisesRegex(Exception, "Fill in the test recipient"):
            server.action_send_test_email()

    def test_connection_failures_in_the_queue_say_what_to_do(self):
        """A mail that cannot leave because of the server's certificate fails with the advice first."""
        with self.smtpd("starttls", certificate="self_signed") as (port, inbox):
            server = self.create_server(port, "starttls", retry_max_attempts=1)
            mail = self.env["mail.mail"].create(
                {
                    "subject": "Hello",
                    "body_html": "<p>Hello</p>",
                    "email_from": "sender@example.com",
                    "email_to": "customer@example.com",
                    "mail_server_id": server.id,
                    "auto_delete": False,
                }
            )
            with mute_logger("odoo.addons.mail.models.mail_mail"):
                mail.send()
        self.assertFalse(inbox.messages)
        self.assertEqual(mail.state, "exception")
        self.assertTrue(mail.failure_reason.startswith("The server's certificate is not valid for “127.0.0.1”"))
        self.assertIn("certificate verify failed", mail.failure_reason)

    def test_a_user_who_may_not_change_the_server_cannot_send_its_test(self):
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user")
        server = self.create_server(free_port(), "none")
        with self.assertRaises(AccessError):
            server.with_user(clerk).action_send_test_email()
