import psycopg2.errors

from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestServerPresets(TransactionCase):
    """Less typing on the server's form: provider presets, settings of a known host, the port and
    the encryption that go together; the new settings' defaults and checks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Server = cls.env["ir.mail_server"]

    def server(self, name, **values):
        return self.Server.create(
            {
                "name": name,
                "smtp_host": f"smtp.{name.lower().replace(' ', '')}.com.br",
                "smtp_port": 587,
                "smtp_encryption": "starttls",
                **values,
            }
        )

    def test_host_used_by_another_server_fills_the_connection(self):
        self.server(
            "Locaweb Matriz", smtp_host="email-ssl.com.br", smtp_port=465, smtp_encryption="ssl", smtp_timeout=30
        )
        with Form(self.Server) as form:
            form.name = "Locaweb Filial"
            form.smtp_host = "EMAIL-SSL.com.br"
            self.assertEqual((form.smtp_port, form.smtp_encryption, form.smtp_timeout), (465, "ssl", 30))
            self.assertEqual(form.smtp_authentication, "login")

    def test_provider_preset_fills_settings_limits_and_notes(self):
        with Form(self.Server) as form:
            form.name = "Gmail"
            form.smtp_provider = "google_workspace"
            self.assertEqual(form.smtp_host, "smtp.gmail.com")
            self.assertEqual((form.smtp_port, form.smtp_encryption), (587, "starttls"))
            self.assertEqual(form.limit_per_day, 2000)
            self.assertIn("app password", form.smtp_provider_note)
            self.assertIn("2000 per day", form.smtp_provider_note)
            form.smtp_provider = "uol_host"
            self.assertEqual((form.smtp_host, form.smtp_port, form.smtp_encryption), ("smtps.uhserver.com", 465, "ssl"))
            self.assertIn("confirm them", form.smtp_provider_note)
        # Typing a known provider's host selects the provider.
        with Form(self.Server) as form:
            form.name = "Hostinger"
            form.smtp_host = "smtp.hostinger.com"
            self.assertEqual(form.smtp_provider, "hostinger")

    def test_port_suggests_encryption_and_encryption_keeps_a_fitting_port(self):
        with Form(self.Server) as form:
            form.name = "Manual"
            form.smtp_host = "mail.acme.com.br"
            form.smtp_port = 587
            self.assertEqual((form.smtp_encryption, form.smtp_port), ("starttls", 587))
            form.smtp_port = 465
            self.assertEqual((form.smtp_encryption, form.smtp_port), ("ssl", 465))
            form.smtp_encryption = "starttls"
            self.assertEqual(form.smtp_port, 587)
            form.smtp_port = 2525
            self.assertEqual(form.smtp_encryption, "starttls", "no suggestion for other ports")
            form.smtp_encryption = "none"
            self.assertEqual(form.smtp_port, 2525)

    def test_certificate_check_is_on_by_default_and_limits_cannot_be_negative(self):
        server = self.server("Novo")
        self.assertTrue(server.smtp_verify_certificate)
        self.assertEqual(server.smtp_timeout, 60)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.cr.savepoint(),
        ):
            server.write({"limit_per_hour": -1})
            server.flush_recordset()

    def test_test_recipient_is_validated(self):
        server = self.server("Teste")
        server.test_email_to = "tester@example.com"
        with self.assertRaisesRegex(ValidationError, "Test recipient.*not an address"), self.cr.savepoint():
            server.test_email_to = "not an address"
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.cr.savepoint(),
        ):
            server.write({"smtp_timeout": 0})
            server.flush_recordset()
