"""Mail servers that log in through OAuth with Odoo's own google_gmail and microsoft_outlook modules.

The provider is played on 127.0.0.1: its SMTP server (aiosmtpd, STARTTLS, AUTH XOAUTH2 accepting the
access tokens it is told) and its OAuth token endpoint (an HTTP server answering what the test
chooses). Microsoft's endpoint is a system parameter of microsoft_outlook; Google's is a constant of
google_gmail, so its requests are sent to the local endpoint by Odoo's test hook for outgoing HTTP
requests (``_request_handler``), which blocks every other external request.
"""

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail_outgoing_delivery.tests.oauth_provider import (
    MODULE_LOGGERS,
    PROVIDERS,
    OAuthInbox,
    OAuthProviderMixin,
)

from .smtp_server import SmtpCase, free_port


@tagged("post_install", "-at_install")
class TestOAuthMailServers(OAuthProviderMixin, SmtpCase):
    """Billing e-mail through OAuth servers (mail_outgoing_delivery's tests cover the servers
    themselves): sent, and a token that no longer refreshes reported in the e-mail log."""

    def queue_boleto(self, server):
        """A boleto e-mail queued through ``server`` the way billing queues them; returns its log row."""
        customer = self.env["res.partner"].create({"name": "Cliente OAuth", "email": "cliente@example.com"})
        sender = self.env["ir.mail_server"]._cobranca_sender("boleto", self.company, server)
        values = {"record": customer, "partners": customer, "subject": "Seu boleto", "body": "<p>Segue.</p>"}
        values.update(purpose="boleto", company=self.company, partner=customer, **sender)
        mail = self.env["mail.mail"]._cobranca_queue_billing_mails([values])
        return self.env["cobranca.email.log"].search([("mail_mail_id", "=", mail.id)])

    def test_billing_email_and_its_test_through_oauth_servers(self):
        for login in PROVIDERS:
            inbox = OAuthInbox({"access-1"})
            with self.subTest(login=login), self.smtpd("starttls", auth=True, inbox=inbox) as (port, _inbox):
                server = self.oauth_server(login, port)
                self.assertEqual(self.send_test(server, self.billing_user)["type"], "success")
                log = self.queue_boleto(server)
                self.process_queue()
                self.assertEqual(log.state, "sent", log.failure_reason)
                self.assertEqual(inbox.subjects(), [f"Test e-mail from {server.name}", "Seu boleto"])
                server.active = False

    @mute_logger(*MODULE_LOGGERS)
    def test_token_that_no_longer_refreshes_is_in_the_email_log(self):
        for login, provider in PROVIDERS.items():
            with self.subTest(login=login), self.smtpd("starttls", auth=True, inbox=OAuthInbox({"x"})) as (port, inbox):
                server = self.oauth_server(login, port, expires_in=-60)
                # A billing user, who reads neither the tokens nor the server's account, may test it.
                result = self.send_test(server, self.billing_user)
                self.assertIn(f"{provider['name']} refused the OAuth access", result["message"])
                test_log = self.env["cobranca.email.log"].search([("mail_server_id", "=", server.id)])
                self.assertEqual((test_log.purpose, test_log.state), ("test", "failed"))
                self.assertIn("connects the account again", test_log.failure_reason)
                log = self.queue_boleto(server)
                self.process_queue()
                self.assertEqual(log.state, "failed")
                self.assertIn(f"mail server “{server.name}”", log.failure_reason)
                self.assertIn("connects the account again", log.failure_reason)
                self.assertFalse(inbox.messages)
                server.active = False

    @mute_logger(*MODULE_LOGGERS)
    def test_token_endpoint_out_of_reach_is_retried_not_reported(self):
        """A network failure on the way to the provider is not the account's: the e-mail waits."""
        self.env["ir.config_parameter"].set_param("microsoft_outlook.endpoint", f"http://127.0.0.1:{free_port()}/")
        with self.smtpd("starttls", auth=True, inbox=OAuthInbox({"access-2"})) as (port, inbox):
            server = self.oauth_server("outlook", port, expires_in=-60)
            log = self.queue_boleto(server)
            self.process_queue()
        self.assertEqual(log.state, "retry")
        self.assertFalse(server.delivery_oauth_error)
        self.assertFalse(inbox.messages)
