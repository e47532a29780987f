from datetime import date

from odoo.tests import TransactionCase, tagged
from odoo.tools import format_date, formatLang, mute_logger

from odoo.addons.account_qr_code_emv.models.res_bank import ResPartnerBank as EmvResPartnerBank
from odoo.addons.cobranca_email.models.report_formats import ReportFormats

from .common import CobrancaCommon, two_transactions
from .pdf_tools import counting_wkhtmltopdf, hanging_page, overflowing_page, pdf_pages


@tagged("post_install", "-at_install")
class TestBoletoPage(CobrancaCommon):
    """A boleto's page is printed once, stored on the boleto and sent again while what it prints holds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, force_report_rendering=True))
        cls.invoice = cls._invoice(amount=1234.56)
        cls.boletos = cls.invoice.cobranca_boleto_ids.sorted("installment")

    def print_invoice(self):
        return self.invoice._cobranca_render_boletos_by_move()[self.invoice]

    def test_printed_once_then_sent_from_the_stored_page(self):
        with counting_wkhtmltopdf() as calls:
            first = self.print_invoice()
        self.assertEqual(calls, [2], "both installments in one wkhtmltopdf call")
        self.assertTrue(all(self.boletos.mapped("page_pdf")), "each boleto keeps its page")
        self.assertEqual(len(set(self.boletos.mapped("page_pdf_key"))), 2)
        with counting_wkhtmltopdf() as calls:
            again = self.print_invoice()
            report, _type = self.env["ir.actions.report"]._render_qweb_pdf(
                "cobranca_email.report_cobranca_boleto", self.invoice.ids
            )
        self.assertEqual(calls, [], "printed from the stored pages")
        self.assertEqual(pdf_pages(again), pdf_pages(first))
        self.assertEqual(pdf_pages(report), pdf_pages(first))
        for page, boleto in zip(pdf_pages(again), self.boletos, strict=True):
            self.assertIn(boleto.digitable_line_formatted, page)

    def test_printed_again_when_what_it_shows_changed(self):
        self.print_invoice()
        keys = self.boletos.mapped("page_pdf_key")
        # Not on the page: nothing to print again.
        self.customer.phone = "+55 11 3333-4444"
        with counting_wkhtmltopdf() as calls:
            self.print_invoice()
        self.assertEqual(calls, [])
        # The payer's address is on the page: printed again, with the new one.
        self.customer.street = "Rua Nova, 99"
        with counting_wkhtmltopdf() as calls:
            pages = pdf_pages(self.print_invoice())
        self.assertEqual(calls, [2])
        self.assertTrue(all("Rua Nova, 99" in page and "Rua das Flores" not in page for page in pages))
        self.assertNotEqual(self.boletos.mapped("page_pdf_key"), keys)
        # So is the wallet's instruction, for every boleto of the wallet.
        self.wallet.instructions = "Protestar após 10 dias."
        with counting_wkhtmltopdf() as calls:
            pages = pdf_pages(self.print_invoice())
        self.assertEqual(calls, [2])
        self.assertTrue(all("Protestar após 10 dias." in page for page in pages))

    def test_printed_again_when_the_boleto_layout_is_customized(self):
        self.print_invoice()
        self.env["ir.ui.view"].create(
            {
                "name": "boleto page: collection agency notice",
                "type": "qweb",
                "inherit_id": self.env.ref("cobranca_email.report_boleto_page").id,
                "arch": """<xpath expr="//div[hasclass('o_cut')]" position="before">
                               <div>Cobrança terceirizada: Agência Exemplo</div>
                           </xpath>""",
            }
        )
        with counting_wkhtmltopdf() as calls:
            pages = pdf_pages(self.print_invoice())
        self.assertEqual(calls, [2])
        self.assertTrue(all("Cobrança terceirizada: Agência Exemplo" in page for page in pages))

    def test_a_page_that_does_not_fit_fails_alone(self):
        other = self._invoice(amount=50.0)
        bad = self.boletos[0]
        boletos = self.boletos | other.cobranca_boleto_ids
        with overflowing_page(bad):
            pages = boletos._cobranca_page_pdfs()
        self.assertIn("does not fit on one sheet", str(pages[bad.id]))
        self.assertIn(bad.display_name, str(pages[bad.id]))
        self.assertFalse(bad.page_pdf)
        for boleto in boletos - bad:
            (page,) = pdf_pages(pages[boleto.id])
            self.assertIn(boleto.digitable_line_formatted, page)
            self.assertTrue(boleto.page_pdf)

    def test_a_wkhtmltopdf_that_hangs_is_stopped_and_fails_that_boleto_only(self):
        self.env["ir.config_parameter"].set_param("cobranca_email.wkhtmltopdf_time_limit", "3")
        other = self._invoice(amount=50.0)
        bad = self.boletos[0]
        boletos = self.boletos | other.cobranca_boleto_ids
        with hanging_page(bad), mute_logger("odoo.addons.cobranca_email.tools.pdf_pipeline"):
            pages = boletos._cobranca_page_pdfs()
        self.assertIn("did not finish within 3 seconds", str(pages[bad.id]))
        self.assertFalse(bad.page_pdf)
        for boleto in boletos - bad:
            (page,) = pdf_pages(pages[boleto.id])
            self.assertIn(boleto.digitable_line_formatted, page)

    def test_pages_of_cancelled_and_paid_boletos_are_dropped(self):
        other = self._invoice(amount=80.0)
        (self.invoice | other)._cobranca_render_boletos_by_move()
        stored = self.env["ir.attachment"].search_count(
            [("res_model", "=", "cobranca.boleto"), ("res_field", "=", "page_pdf")]
        )
        self.assertEqual(stored, len(self.boletos) + len(other.cobranca_boleto_ids))
        self.boletos[0]._cancel("test")
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=other.ids).create(
            {"payment_date": date(2026, 11, 10), "amount": other.amount_total}
        )._create_payments()
        self.assertEqual(other.cobranca_boleto_ids.mapped("paid"), [True, True])
        self.env["cobranca.boleto"]._gc_page_pdfs()
        self.assertFalse(self.boletos[0].page_pdf)
        self.assertFalse(other.cobranca_boleto_ids.filtered("page_pdf"))
        self.assertTrue(self.boletos[1].page_pdf, "an open boleto keeps its page")


@tagged("post_install", "-at_install")
class TestPixCode(CobrancaCommon):
    def test_the_pix_code_ends_with_the_crc_odoo_computes(self):
        """The Pix code's CRC is computed in C (res_partner_bank.py); a bank app reads the very code Odoo's
        own bit-by-bit CRC gives."""
        boleto = self._invoice(amount=1234.56).cobranca_boleto_ids[:1]
        bank = self.wallet.partner_bank_id
        payload = boleto._pix_payload()
        self.assertTrue(payload.startswith("000201"))
        body, crc = payload[:-4], payload[-4:]
        self.assertTrue(body.endswith("6304"))
        self.assertEqual(crc, format(EmvResPartnerBank._get_crc16(bank, body.encode()), "04X"))
        for data in (b"", b"123456789", body.encode() * 3, bytes(range(256))):
            self.assertEqual(bank._get_crc16(data), EmvResPartnerBank._get_crc16(bank, data))
        self.assertEqual(bank._get_crc16(b"123456789"), 0x29B1)  # CRC-16/CCITT-FALSE's check value


@tagged("post_install", "-at_install")
class TestReportFormats(CobrancaCommon):
    def test_same_text_as_odoo(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        euro = self.env.ref("base.EUR")
        euro.active = True
        self.assertEqual(euro.position, "after")
        brl = self.env.ref("base.BRL")
        for lang in ("en_US", "pt_BR"):
            env = self.env(context=dict(self.env.context, lang=lang))
            formats = ReportFormats(env)
            for value in (0, 0.005, 1.5, 12.345, 1234.5, -1234567.891, 1e9):
                self.assertEqual(formats.money(value, brl), formatLang(env, value, currency_obj=brl), value)
                self.assertEqual(formats.money(value, euro), formatLang(env, value, currency_obj=euro), value)
                self.assertEqual(formats.number(value), formatLang(env, value), value)
            for value in (date(2026, 3, 9), date(2026, 12, 31), False):
                self.assertEqual(formats.date(value), format_date(env, value) if value else "")
        pt = ReportFormats(self.env(context=dict(self.env.context, lang="pt_BR")))
        self.assertEqual(pt.money(1234.5, brl), "R$\N{NO-BREAK SPACE}1.234,50")
        self.assertEqual(pt.date(date(2026, 3, 9)), "09/03/2026")

    def test_interest_text_in_the_boleto_language(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"].search([("name", "=", "cobranca_email")])._update_translations(["pt_BR"])
        invoice = self._invoice(amount=300.0, payment_term=self.env.ref("account.account_payment_term_immediate"))
        boleto = invoice.cobranca_boleto_ids.with_context(lang="pt_BR")
        texts = boleto._interest_text()
        self.assertEqual(len(texts), 2)
        self.assertIn("multa de 2,00%", texts[0])
        self.assertIn("R$\N{NO-BREAK SPACE}6,00", texts[0])
        self.assertIn("juros de 1,00% ao mês", texts[1])
        self.assertIn("R$\N{NO-BREAK SPACE}0,10", texts[1])


@tagged("post_install", "-at_install")
class TestBoletoPageWorkers(TransactionCase):
    """Storing a page never waits for another transaction, on the demo company's boletos."""

    def test_a_boleto_held_elsewhere_is_printed_but_not_stored(self):
        company = self.env.ref("base.demo_company_br", raise_if_not_found=False)
        boletos = self.env["cobranca.boleto"].search(
            [("company_id", "=", company.id if company else 0), ("state", "=", "active")], limit=2
        )
        if len(boletos) < 2:
            self.skipTest("needs the demo data (BR Company's boletos)")
        with two_transactions(self.env.cr.dbname) as (env_a, env_b):
            # Another worker holds the first boleto (say, it is storing its page too).
            env_a.cr.execute("SELECT id FROM cobranca_boleto WHERE id = %s FOR UPDATE", [boletos[0].id])
            env_b = env_b(context={"force_report_rendering": True})
            held, free = env_b["cobranca.boleto"].browse(boletos.ids)
            pages = (held | free)._cobranca_page_pdfs()
            self.assertEqual(len(pdf_pages(pages[held.id])), 1, "printed all the same")
            self.assertIn(free.digitable_line_formatted, pdf_pages(pages[free.id])[0])
            self.assertFalse(held.page_pdf_key, "not stored: another transaction holds it")
            self.assertTrue(free.page_pdf_key)
