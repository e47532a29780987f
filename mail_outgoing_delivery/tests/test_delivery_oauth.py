from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import mute_logger

from .oauth_provider import MODULE_LOGGERS, PROVIDERS, REVOKED, OAuthInbox, OAuthProviderMixin
from .smtp_server import SmtpServerMixin


@tagged("post_install", "-at_install")
class TestOAuthServers(OAuthProviderMixin, SmtpServerMixin, TransactionCase):
    """Servers logging in through Odoo's Gmail and Outlook modules: kept by the provider presets,
    sending the test e-mail and queued mail, and a token that no longer refreshes reported on the
    server, on the test e-mail and on the mails, until the account is connected again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()
        cls.env["mail.mail"].search([]).unlink()

    def mail(self, server):
        return self.env["mail.mail"].create(
            {
                "subject": "Your invoice",
                "body_html": "<p>Hello</p>",
                "email_from": "sender@example.com",
                "email_to": "customer@example.com",
                "mail_server_id": server.id,
                "auto_delete": False,
            }
        )

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

    def test_test_email_and_queued_mail_through_oauth_servers(self):
        """A valid access token: no call to the token endpoint, the messages leave with it."""
        for login in PROVIDERS:
            inbox = OAuthInbox({"access-1"})
            with self.subTest(login=login), self.smtpd("starttls", auth=True, inbox=inbox) as (port, _inbox):
                server = self.oauth_server(login, port, test_email_to="tester@example.com")
                result = self.send_test(server)
                self.assertEqual(result["type"], "success", result["message"])
                mail = self.mail(server)
                self.process_queue()
                self.assertEqual(mail.state, "sent", mail.failure_reason)
                self.assertEqual(inbox.subjects(), [f"Test e-mail from {server.name}", "Your invoice"])
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
                server = self.oauth_server(login, port, expires_in=-60, test_email_to="tester@example.com")
                result = self.send_test(server)
                self.assertEqual(result["type"], "danger")
                self.assertIn(
                    f"{provider['name']} refused the OAuth access of the mail server “{server.name}”", result["message"]
                )
                self.assertIn("connects the account again", result["message"])
                # Odoo asked the provider for a new access token with the account's refresh token.
                path, form = self.endpoint.received[0]
                self.assertEqual(path, provider["path"])
                self.assertEqual((form["grant_type"], form["refresh_token"]), ("refresh_token", "refresh-1"))
                # The server's form shows it; queued e-mails fail at once, with the same advice.
                self.assertIn("An error occurred when fetching the access token", server.delivery_oauth_error)
                self.assertTrue(server.delivery_oauth_error_date)
                if login == "outlook":
                    self.assertIn("AADSTS70000", server.delivery_oauth_error, "Microsoft's words are kept")
                mail = self.mail(server)
                self.process_queue()
                self.assertEqual((mail.state, mail.delivery_attempts), ("exception", 0))
                self.assertIn("connects the account again", mail.failure_reason)
                self.assertFalse(inbox.messages)
                # An administrator connects the account again (Odoo's OAuth callback writes the new
                # refresh token); the expired access token is renewed at the next login.
                server.write({f"{provider['fields']}_refresh_token": "refresh-2"})
                self.assertFalse(server.delivery_oauth_error)
                self.endpoint.answer = (200, {"access_token": "access-2", "expires_in": 3600, "refresh_token": "r-3"})
                self.assertEqual(self.send_test(server)["type"], "success")
                self.assertEqual(inbox.messages[0]["login"].password, b"access-2")
                self.assertEqual(self.endpoint.received[-1][1]["refresh_token"], "refresh-2")
                server.active = False
                self.endpoint.answer = (400, REVOKED)

    def test_provider_refusing_a_valid_looking_token_asks_to_reconnect(self):
        """The access token has not expired but the provider refuses it (revoked): Odoo sends anyway,
        and the server asks for authentication; the hint is the OAuth one, not a password's."""
        with self.smtpd("starttls", auth=True, inbox=OAuthInbox({"another"})) as (port, inbox):
            server = self.oauth_server("outlook", port, test_email_to="tester@example.com")
            result = self.send_test(server)
        self.assertEqual(result["type"], "danger")
        self.assertIn("connects the account again", result["message"])
        self.assertNotIn("fill in the user name and password", result["message"])
        self.assertFalse(inbox.messages)
