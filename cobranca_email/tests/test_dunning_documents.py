from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.cobranca_email.models import cobranca_dunning_notice
from odoo.addons.cobranca_email.tools.dunning_composer import DunningComposer

from .common_dunning import DAY1, DunningCommon, day
from .pdf_tools import counting_wkhtmltopdf, overflowing_page, pdf_pages


@tagged("post_install", "-at_install")
class TestDunningDocuments(DunningCommon):
    """The debt statement and the boletos of each notice, as real PDFs from wkhtmltopdf."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, force_report_rendering=True))

    def notices(self, *partners):
        """Notices composed as the run composes them for ``partners`` on day one (not sent)."""
        Dunning = self.dunning()
        result = Dunning._run(self.company, today=DAY1, dry_run=True, partner_ids=[p.id for p in partners])
        composer = DunningComposer(Dunning.env, Dunning._context_for(self.company, DAY1))
        outcomes = [outcome for outcome in result.outcomes if outcome.sendable]
        lines = self.env["account.move.line"].browse([item.id for o in outcomes for item in o.installments])
        by_id = {line.id: line for line in lines}
        # Created as the run creates them (users only read notices).
        values = [composer.notice_values(o, by_id) for o in outcomes]
        notices = self.env["cobranca.dunning.notice"].sudo().create(values).sudo(False)
        return {notice.partner_id: notice for notice in notices}

    def boleto_lines(self, *invoices):
        return {
            boleto.digitable_line_formatted
            for boleto in self.env["cobranca.boleto"].union(
                *(invoice._cobranca_active_boletos() for invoice in invoices)
            )
        }

    def test_statements_and_boletos_of_several_notices_in_one_call(self):
        notices = self.notices(self.olga, self.ulisses, self.carla)
        all_notices = notices[self.olga] | notices[self.ulisses] | notices[self.carla]
        with counting_wkhtmltopdf() as calls:
            documents = all_notices._render_documents()
        # Their boletos' pages (not stored yet: 5 pages) in one call, the three statements in another.
        self.assertEqual(sorted(calls), [0, 5], "three small notices render in one wkhtmltopdf call")

        statement, boletos = documents[notices[self.olga].id]
        (page,) = pdf_pages(statement)
        for text in ("Debt Statement", "Olga Overdue", "Cobrança Teste Ltda", "11.222.333/0001-81",
                     self.olga_march.name, self.olga_january.name, "Overdue debts", "Debts coming due"):  # fmt: skip
            self.assertIn(text, page)
        # 100.00 due 2 March, 8 days late: fine 2% = 2.00, interest 1% a month = 0.03 a day as the
        # boleto prints it, 0.24; due 102.24.
        self.assertRegex(page, r"03/02/2026\s+8\s+R\$\s*100\.00\s+R\$\s*2\.00\s+R\$\s*0\.24\s+R\$\s*102\.24")
        # 200.00 due 9 February, 29 days late: 4.00 and 29 x 0.07 = 2.03.
        self.assertRegex(page, r"02/09/2026\s+29\s+R\$\s*200\.00\s+R\$\s*4\.00\s+R\$\s*2\.03\s+R\$\s*206\.03")
        self.assertRegex(page, r"Total\s+R\$\s*500\.00\s+R\$\s*508\.27")
        self.assertNotIn("Ulisses", page)
        olga_boletos = pdf_pages(boletos)
        self.assertEqual(len(olga_boletos), 3)
        printed = {
            line
            for line in self.boleto_lines(self.olga_march, self.olga_january)
            if any(line in text for text in olga_boletos)
        }
        self.assertEqual(printed, self.boleto_lines(self.olga_march, self.olga_january))
        self.assertFalse(any(line in "".join(olga_boletos) for line in self.boleto_lines(self.ulisses_invoice)))

        statement, boletos = documents[notices[self.ulisses].id]
        self.assertIn("Ulisses Upcoming", pdf_pages(statement)[0])
        (boleto_page,) = pdf_pages(boletos)
        (line,) = self.boleto_lines(self.ulisses_invoice)
        self.assertIn(line, boleto_page)

        statement, boletos = documents[notices[self.carla].id]
        self.assertIn("Carla Comércio Ltda", pdf_pages(statement)[0])
        self.assertEqual(len(pdf_pages(boletos)), 1)

    def test_the_boleto_instructions_and_the_statement_print_the_same_cents(self):
        # 2% of 500.25 is 10.005 and 1% a month of 615.00 is 0.205 a day: the boleto printed them
        # rounded half to even (10.00, 0.20), the statement half up (10.01, 0.21 a day). Both now
        # print cobranca_core.charges.instruction_amounts, the statement a day's interest per day late.
        customer = self.olga.copy({"name": "Inês Instruções", "email": "ines@example.com"})
        fine_case = self._invoice(customer, 500.25, self.immediate, invoice_date=day(2))
        daily_case = self._invoice(customer, 615.0, self.immediate, invoice_date=day(2))
        notice = self.notices(customer)[customer]
        statement, boletos = notice._render_documents()[notice.id]
        (statement_page,) = pdf_pages(statement)
        boleto_pages = dict(zip((fine_case, daily_case), pdf_pages(boletos), strict=True))
        # Due Monday 2 March, 8 days late on day one: (amount, fine, a day, 8 days, amount due).
        for invoice, (amount, fine, daily, interest, due) in (
            (fine_case, ("500.25", "10.01", "0.17", "1.36", "511.62")),
            (daily_case, ("615.00", "12.30", "0.21", "1.68", "628.98")),
        ):
            texts = invoice._cobranca_active_boletos()._interest_text()
            self.assertIn(f"R$\N{NO-BREAK SPACE}{fine})", texts[0])
            self.assertIn(f"R$\N{NO-BREAK SPACE}{daily} a day", texts[1])
            page = " ".join(boleto_pages[invoice].split())
            self.assertIn(f"a fine of 2.00% (R$ {fine})", page)
            self.assertIn(f"(R$ {daily} a day)", page)
            line = notice.line_ids.filtered(lambda line, invoice=invoice: line.move_id == invoice)
            self.assertEqual((line.days_late, line.fine, line.interest), (8, float(fine), float(interest)))
            self.assertRegex(
                statement_page,
                rf"03/02/2026\s+8\s+R\$\s*{amount}\s+R\$\s*{fine}\s+R\$\s*{interest}\s+R\$\s*{due}",
            )

    def test_boleto_pages_printed_once_for_every_notice(self):
        """A boleto already printed (its e-mail, an earlier notice) goes out again without wkhtmltopdf."""
        self.olga_march.with_env(self.env)._cobranca_render_boletos_by_move()
        self.assertTrue(self.olga_march.cobranca_boleto_ids.page_pdf)
        notices = self.notices(self.olga, self.ulisses)
        both = notices[self.olga] | notices[self.ulisses]
        with counting_wkhtmltopdf() as calls:
            first = both._render_documents()
        # Olga's January boletos and Ulisses's one; March's was printed with its e-mail; the statements.
        self.assertEqual(sorted(calls), [0, 3])
        with counting_wkhtmltopdf() as calls:
            again = both._render_documents()
        self.assertEqual(calls, [0], "only the statements are printed again")
        for notice in both:
            self.assertEqual(pdf_pages(again[notice.id][1]), pdf_pages(first[notice.id][1]))
        self.assertEqual(len(pdf_pages(again[notices[self.olga].id][1])), 3)

    def test_a_boleto_that_cannot_be_printed_fails_its_notice_only(self):
        notices = self.notices(self.olga, self.ulisses)
        both = notices[self.olga] | notices[self.ulisses]
        bad = self.olga_january._cobranca_active_boletos()[:1]
        with overflowing_page(bad):
            documents = both._render_documents()
        self.assertIsInstance(documents[notices[self.olga].id], Exception)
        self.assertIn(bad.display_name, str(documents[notices[self.olga].id]))
        statement, boletos = documents[notices[self.ulisses].id]
        self.assertIn("Ulisses Upcoming", pdf_pages(statement)[0])
        self.assertEqual(len(pdf_pages(boletos)), 1)

    def test_a_long_statement_spans_pages_and_is_still_cut_right(self):
        for number in range(80):
            self._invoice(self.olga, 10.0 + number, self.immediate, invoice_date=DAY1.replace(day=1))
        notices = self.notices(self.olga, self.ulisses)
        both = notices[self.olga] | notices[self.ulisses]
        statement_pages = len(notices[self.olga]._statement_pages())
        self.assertGreater(statement_pages, 1)
        documents = both._render_documents()
        statement, boletos = documents[notices[self.olga].id]
        pages = pdf_pages(statement)
        self.assertEqual(len(pages), statement_pages)
        self.assertIn(f"Page {statement_pages} of {statement_pages}", pages[-1])
        self.assertIn("Total", pages[-1])
        self.assertEqual(len(pdf_pages(boletos)), 83)
        self.assertIn("Ulisses Upcoming", pdf_pages(documents[notices[self.ulisses].id][0])[0])

    def test_when_the_page_count_is_off_the_notices_render_one_by_one(self):
        """The page count is checked: a statement that takes more sheets than planned is not cut wrong."""
        for number in range(70):
            self._invoice(self.olga, 10.0 + number, self.immediate, invoice_date=DAY1.replace(day=1))
        notices = self.notices(self.olga, self.ulisses)
        both = notices[self.olga] | notices[self.ulisses]
        # Plan all 73 rows on one page: wkhtmltopdf needs two sheets for them.
        with patch.object(cobranca_dunning_notice, "ROWS_FIRST_PAGE", 500):
            self.assertEqual(len(notices[self.olga]._statement_pages()), 1)
            documents = both._render_documents()
        self.assertEqual(len(pdf_pages(documents[notices[self.olga].id][0])), 2)
        self.assertEqual(len(pdf_pages(documents[notices[self.olga].id][1])), 73)
        self.assertIn("Ulisses Upcoming", pdf_pages(documents[notices[self.ulisses].id][0])[0])
        self.assertEqual(len(pdf_pages(documents[notices[self.ulisses].id][1])), 1)

    def test_statement_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"].search([("name", "=", "cobranca_email")])._update_translations(["pt_BR"])
        self.olga.lang = "pt_BR"
        notice = self.notices(self.olga)[self.olga]
        statement, _boletos = notice._render_documents()[notice.id]
        (page,) = pdf_pages(statement)
        for text in ("Carta de cobrança", "Débitos vencidos", "Débitos a vencer", "Multa", "Juros", "Vencimento"):
            self.assertIn(text, page)
        # The longest headers fit their columns: a cut one ends in "…".
        self.assertRegex(page, r"Dias de atraso\s+Valor\s+Multa\s+Juros\s+Atualizado hoje")
        self.assertNotIn("…", page)
        self.assertRegex(page, r"02/03/2026\s+8\s+R\$\s*100,00\s+R\$\s*2,00\s+R\$\s*0,24\s+R\$\s*102,24")
        self.assertEqual(notice._statement_filename(), "Debt statement - Olga Overdue - 2026-03-10.pdf")
        self.assertEqual(
            notice.with_context(lang="pt_BR")._statement_filename(), "Carta de cobrança - Olga Overdue - 2026-03-10.pdf"
        )

    def test_print_chosen_boletos(self):
        """Print > Boleto on the boleto list: the chosen boletos, one page each; cancelled ones are skipped."""
        chosen = self.olga_january._cobranca_active_boletos()[:1] | self.ulisses_invoice._cobranca_active_boletos()
        cancelled = self.tiago_invoice._cobranca_active_boletos()
        cancelled._cancel("test")
        pdf, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "cobranca_email.report_cobranca_boleto_selected", (chosen | cancelled).ids
        )
        pages = pdf_pages(pdf)
        self.assertEqual(len(pages), 2)
        for boleto in chosen:
            self.assertTrue(any(boleto.digitable_line_formatted in page for page in pages))
        self.assertFalse(any(cancelled.digitable_line_formatted in page for page in pages))

    def test_print_the_statement_of_a_notice(self):
        notice = self.notices(self.olga)[self.olga]
        pdf, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "cobranca_email.report_cobranca_dunning_statement", notice.ids
        )
        (page,) = pdf_pages(pdf)
        self.assertIn("Debt Statement", page)
        self.assertRegex(page, r"Invoice\s+Installment\s+Due Date\s+Days Late\s+Amount\s+Fine\s+Interest\s+Due Today")
        self.assertNotIn("…", page)
        self.assertRegex(page, r"Total\s+R\$\s*500\.00\s+R\$\s*508\.27")
