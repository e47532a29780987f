from datetime import date

from odoo.tests import TransactionCase, tagged

from cobranca_core.boleto import parse


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The addon tier installs the demo data `make run` shows: it must be there and make sense."""

    def test_demo_invoices_have_their_boletos(self):
        invoice = self.env.ref("cobranca_email.demo_invoice_maria")
        self.assertEqual(invoice.state, "posted")
        boletos = invoice.cobranca_boleto_ids
        self.assertEqual(len(boletos), 2)
        for boleto in boletos:
            self.assertEqual(parse(boleto.barcode, reference_date=date.today()).due_date, boleto.due_date)
