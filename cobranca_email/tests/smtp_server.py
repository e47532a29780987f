"""The transport addon's real SMTP server for the tests, with billing defaults for the servers it
makes, and a test case with a company that has an address and a billing user."""

from odoo.tests import TransactionCase, new_test_user

from odoo.addons.mail_outgoing_delivery.tests import smtp_server
from odoo.addons.mail_outgoing_delivery.tests.smtp_server import PASSWORD, Inbox, free_port

__all__ = ["PASSWORD", "Inbox", "SmtpCase", "SmtpServerMixin", "free_port"]


class SmtpServerMixin(smtp_server.SmtpServerMixin):
    def create_server(self, port, encryption="none", auth=False, **values):
        """An ir.mail_server for the local SMTP server on ``port``, sending as a billing account."""
        return super().create_server(
            port,
            encryption,
            auth,
            **{
                "smtp_user": "cobranca@acme.com.br" if auth else False,
                "smtp_timeout": 5,
                "sender_email": "cobranca@acme.com.br",
                "test_email_to": "tester@acme.com.br",
                **values,
            },
        )


class SmtpCase(SmtpServerMixin, TransactionCase):
    """TransactionCase with real SMTP sending, a company with an address and a billing user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()
        cls.company = cls.env.company
        cls.company.email = "financeiro@acme.com.br"
        # (on the partner: changing a user's e-mail queues a security notice)
        cls.env.user.partner_id.email = "admin@acme.com.br"
        # Start from an empty queue: these tests count what reaches the SMTP server.
        cls.env["mail.mail"].search([]).unlink()
        cls.billing_user = new_test_user(
            cls.env,
            login="billing_user",
            email="billing.user@acme.com.br",
            groups="base.group_user,cobranca_email.group_cobranca_user",
        )
