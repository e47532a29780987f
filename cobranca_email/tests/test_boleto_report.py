import shutil

from odoo.tests import tagged

from .common import CobrancaHttpCommon
from .pdf_tools import pdf_codes, pdf_pages


@tagged("post_install", "-at_install")
class TestBoletoReport(CobrancaHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = [tool for tool in ("wkhtmltopdf", "pdftotext", "pdftoppm", "zbarimg") if not shutil.which(tool)]
        if missing:
            raise RuntimeError(f"make setup installs these: {', '.join(missing)}")
        # A boleto prints in Portuguese whenever pt_BR is loaded, whatever the user's language.
        cls.env["res.lang"]._activate_lang("pt_BR")
        cls.env["ir.module.module"].search([("name", "=", "cobranca_email")])._update_translations(["pt_BR"])
        cls.invoice = cls._invoice(amount=1234.56)
        cls.boletos = cls.invoice.cobranca_boleto_ids.sorted("installment")

    def render_pdf(self):
        # Rendered inside the test: wkhtmltopdf fetches the report's assets from the test server, which
        # serves this test's transaction only once the test has started.
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("cobranca_email.report_cobranca_boleto", self.invoice.ids)
        )
        return pdf

    def test_one_page_per_installment_with_its_linha_digitavel(self):
        pages = pdf_pages(self.render_pdf())
        self.assertEqual(len(pages), 2)
        for page, boleto in zip(pages, self.boletos, strict=True):
            self.assertIn(boleto.digitable_line_formatted, page)
            self.assertIn(boleto.nosso_numero_formatted, page)
            self.assertIn("617,28", page)  # half of 1.234,56
            self.assertIn(self.customer.name, page)
            self.assertIn("04.252.011/0001-10", page)
            self.assertIn("Cobrança Teste Ltda", page)
            self.assertIn("0057/12345-7", page)  # Itaú: agency / account-DAC
            self.assertIn("341-7", page)
            self.assertIn("Não receber após 60 dias do vencimento.", page)
            for label in ("Beneficiário", "Pagador", "Vencimento", "Nosso Número", "Local de pagamento"):
                self.assertIn(label, page)
            self.assertIn("multa de 2,00%", page)
            self.assertIn("juros de 1,00% ao mês", page)
            self.assertIn(boleto.due_date.strftime("%d/%m/%Y"), page)
            self.assertIn("Rua das Flores, 12", page)  # the payer's address
            self.assertIn("11.222.333/0001-81", page)  # the beneficiary's CNPJ
            self.assertIn("Itaú Unibanco", page)

    def test_barcode_reads_back_the_44_digits_and_pix(self):
        pages = pdf_codes(self.render_pdf())
        self.assertEqual(len(pages), 2)
        for codes, boleto in zip(pages, self.boletos, strict=True):
            self.assertIn(f"I2/5:{boleto.barcode}", codes)
            pix = [code for code in codes if code.startswith("QR-Code:")]
            self.assertEqual(pix, [f"QR-Code:{boleto._pix_payload()}"])
            self.assertIn("71d6c6e1-64ea-4a11-9560-a10870c40ca2", pix[0])

    def test_qr_code_follows_a_changed_pix_code(self):
        # The images are drawn at issue; a QR code whose Pix code no longer holds (here the beneficiary's
        # name, part of the code, changed) is drawn again rather than printed stale.
        self.assertTrue(self.boletos[0].barcode_image)
        self.assertEqual(self.boletos[0].pix_qr_payload, self.boletos[0]._pix_payload())
        self.company.name = "Cobranca Renomeada Ltda"
        pages = pdf_codes(self.render_pdf())
        for codes, boleto in zip(pages, self.boletos, strict=True):
            self.assertIn("COBRANCA RENOMEADA", boleto._pix_payload().upper())
            self.assertIn(f"QR-Code:{boleto._pix_payload()}", codes)
            self.assertIn(f"I2/5:{boleto.barcode}", codes)

    def test_print_button_opens_the_boleto_report(self):
        action = self.invoice.action_cobranca_print_boletos()
        self.assertEqual(action["report_name"], "cobranca_email.report_boleto_document")

    def test_send_and_print_attaches_the_boletos(self):
        filename = f"Boletos - {self.invoice.name.replace('/', '_')}.pdf"
        wizard = (
            self.env["account.move.send.wizard"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({})
        )
        self.assertIn(filename, [data["name"] for data in wizard.mail_attachments_widget])
        wizard.action_send_and_print()
        sent = self.invoice.message_ids.attachment_ids.filtered(lambda attachment: attachment.name == filename)
        self.assertEqual(len(sent), 1)
        # Outside this class the report is rendered as HTML in tests; its text is the boletos all the same.
        for boleto in self.boletos:
            self.assertIn(boleto.digitable_line_formatted, sent.raw.decode())

    def test_send_and_print_without_the_boletos(self):
        filename = f"Boletos - {self.invoice.name.replace('/', '_')}.pdf"
        wizard = (
            self.env["account.move.send.wizard"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({})
        )
        wizard.mail_attachments_widget = [
            dict(data, skip=True) if data["name"] == filename else data for data in wizard.mail_attachments_widget
        ]
        wizard.action_send_and_print()
        self.assertNotIn(filename, self.invoice.message_ids.attachment_ids.mapped("name"))
