from datetime import date

from odoo import Command
from odoo.tests import tagged

from odoo.addons.cobranca_email.tests.common import CobrancaCommon
from odoo.addons.cobranca_email.tests.smtp_server import SmtpServerMixin


@tagged("post_install", "-at_install")
class TestContractBoletos(SmtpServerMixin, CobrancaCommon):
    """OCA contract generates the monthly invoice; posting it e-mails its boletos like any other."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()
        cls.env["mail.mail"].search([]).unlink()
        cls.wallet.email_on_post = True
        cls.env = cls.env(context=dict(cls.env.context, force_report_rendering=True))
        cls.product = cls.env["product.product"].create({"name": "Plano mensal", "list_price": 150.0})
        cls.contract = cls.env["contract.contract"].create(
            {
                "name": "Contrato 2026/001",
                "partner_id": cls.customer.id,
                "contract_type": "sale",
                "payment_term_id": cls.payment_term_2x.id,
                "cobranca_auto_post": True,
                "contract_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "name": "Plano mensal",
                            "quantity": 1,
                            "price_unit": 150.0,
                            "recurring_rule_type": "monthly",
                            "recurring_interval": 1,
                            "date_start": date(2026, 11, 1),
                            "recurring_next_date": date(2026, 11, 1),
                        }
                    )
                ],
            }
        )

    def test_contract_invoice_emails_its_boletos(self):
        self.assertEqual(self.contract.cobranca_delivery_type, "email")
        invoice = self.contract.recurring_create_invoice()
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.cobranca_delivery_type, "email")
        self.assertEqual(invoice.auto_post, "at_date")
        # Odoo's own scheduled posting of auto-posted invoices, then ours.
        self.env["account.move"]._autopost_draft_entries()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(len(invoice.cobranca_boleto_ids), 2)
        self.assertEqual(invoice.cobranca_mail_state, "pending")
        with self.smtpd() as (port, inbox):
            self.create_server(port, purpose_boleto=True)
            self.env["account.move"]._cron_send_boleto_emails()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(inbox.messages), 1)
        message = inbox.messages[0]["message"]
        self.assertIn(invoice.name, message["Subject"])
        self.assertEqual(
            [part.get_filename() for part in message.iter_attachments()],
            [f"Boletos - {invoice.name.replace('/', '_')}.pdf"],
        )

    def test_printed_contract_sends_nothing(self):
        self.contract.cobranca_delivery_type = "printed"
        invoice = self.contract.recurring_create_invoice()
        self.env["account.move"]._autopost_draft_entries()
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(invoice.cobranca_boleto_ids)
        self.assertFalse(invoice.cobranca_mail_state)
