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

    def test_demo_company_duns_its_customers(self):
        """make run shows dunning notices: BR Company has them on, Maria and João have overdue debts."""
        company = self.env.ref("base.demo_company_br")
        self.assertTrue(company.cobranca_dunning_enabled)
        result = self.env["cobranca.dunning"].with_company(company)._run(company, dry_run=True)
        planned = {outcome.partner_id: outcome for outcome in result.to_send}
        maria = self.env.ref("cobranca_email.demo_customer_maria")
        joao = self.env.ref("cobranca_email.demo_customer_joao")

        def installments(xmlid):
            lines = self.env.ref(xmlid).line_ids.filtered(lambda line: line.display_type == "payment_term")
            return lines.sorted("date_maturity").ids

        first, second = installments("cobranca_email.demo_invoice_maria")
        overdue = [item.id for item in planned[maria.id].entry.overdue]
        self.assertIn(first, overdue)
        self.assertNotIn(second, overdue + [item.id for item in planned[maria.id].entry.upcoming])
        self.assertEqual(planned[maria.id].recipients, ["financeiro@mariacomercio.example.com"])
        self.assertEqual(
            [item.id for item in planned[joao.id].entry.overdue],
            installments("cobranca_email.demo_invoice_joao_overdue"),
        )
        self.assertEqual(
            [item.id for item in planned[joao.id].entry.upcoming], installments("cobranca_email.demo_invoice_joao")
        )
