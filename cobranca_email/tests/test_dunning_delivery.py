from odoo.tests import tagged

from cobranca_core import dunning

from .common_dunning import DAY1, DunningCommon, day, on
from .pdf_tools import pdf_pages
from .smtp_server import Inbox, SmtpServerMixin


@tagged("post_install", "-at_install")
class TestDunningDelivery(SmtpServerMixin, DunningCommon):
    """End to end: the scheduled action, Odoo's mail queue, a real SMTP server, real PDFs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()
        cls.env = cls.env(context=dict(cls.env.context, force_report_rendering=True))
        cls.env["mail.mail"].search([]).unlink()

    def test_notices_arrive_with_their_statement_and_boletos(self):
        with self.smtpd() as (port, inbox):
            server = self.create_server(
                port,
                name="Cobrança",
                purpose_dunning=True,
                purpose_notice=True,
                cc_emails="copia@cobranca-teste.com.br",
            )
            sent = self.cron(DAY1)
            self.assertEqual(set(sent), {self.olga, self.ulisses, self.carla})
            self.env["mail.mail"].process_email_queue()
        copies = [entry for entry in inbox.messages if entry["rcpt_tos"] == ["copia@cobranca-teste.com.br"]]
        self.assertEqual(len(copies), 3, "the server's copy list gets every notice")
        by_recipient = {entry["rcpt_tos"][0]: entry for entry in inbox.messages if entry not in copies}
        self.assertEqual(set(by_recipient), {"olga@example.com", "ulisses@example.com", "billing@carla.example.com"})

        olga = by_recipient["olga@example.com"]
        self.assertEqual(olga["mail_from"], "cobranca@acme.com.br")
        self.assertEqual(olga["message"]["Subject"], "Cobrança Teste Ltda: your open debts")
        attachments = {part.get_filename(): part.get_content() for part in olga["message"].iter_attachments()}
        statement = attachments["Debt statement - Olga Overdue - 2026-03-10.pdf"]
        boletos = attachments["Boletos - Olga Overdue - 2026-03-10.pdf"]
        self.assertTrue(statement.startswith(b"%PDF") and boletos.startswith(b"%PDF"))
        (page,) = pdf_pages(statement)
        self.assertIn("Olga Overdue", page)
        self.assertRegex(page, r"Total\s+R\$\s*500\.00\s+R\$\s*508\.27")
        pages = pdf_pages(boletos)
        listed = sent[self.olga].line_ids.boleto_id
        self.assertEqual(len(pages), len(listed), "one page per listed debt")
        for boleto in listed:
            self.assertTrue(any(boleto.digitable_line_formatted in text for text in pages))

        carla = by_recipient["billing@carla.example.com"]["message"]
        names = sorted(part.get_filename() for part in carla.iter_attachments())
        self.assertEqual(
            names,
            ["Boletos - Carla Comércio Ltda - 2026-03-10.pdf", "Debt statement - Carla Comércio Ltda - 2026-03-10.pdf"],
        )
        logs = self.env["cobranca.email.log"].search([("mail_message_id", "in", sent[self.olga].mail_message_id.ids)])
        self.assertEqual(logs.mapped("state"), ["sent"])
        self.assertEqual(logs.mail_server_id, server)

    def test_a_notice_refused_for_good_no_longer_counts_and_the_next_run_sends_it_again(self):
        inbox = Inbox(refuse={"olga@example.com"})
        with self.smtpd(inbox=inbox) as (port, _inbox):
            self.create_server(port, name="Cobrança", purpose_dunning=True, purpose_notice=True)
            refused = self.cron(DAY1)[self.olga]
            self.env["mail.mail"].process_email_queue()
            self.assertEqual(len(inbox.messages), 2, "Ulisses's and Carla's notices arrive")
            self.assertEqual(refused.state, "failed")
            self.assertIn("mailbox unavailable", refused.failure_reason)
            olga = self.olga.with_company(self.company)
            self.assertIn("was not delivered", olga.cobranca_dunning_undelivered)
            self.assertIn("mailbox unavailable", olga.cobranca_dunning_undelivered)
            self.assertEqual(
                self.env["cobranca.dunning.notice"].search([("state", "=", "failed")]), refused, "filter Not delivered"
            )

            # The next day: Olga is dunned again as if nothing had been sent (the others wait their
            # five days); her debts are listed again.
            again = self.cron(day(11))
            self.assertEqual(set(again), {self.olga})
            self.assertEqual(again[self.olga].reason, dunning.FIRST_NOTICE)
            self.assertEqual(again[self.olga].line_ids.move_line_id, refused.line_ids.move_line_id)
            self.assertFalse(refused.counted)
            self.assertEqual((olga.cobranca_dunning_count, olga.cobranca_dunning_last_date), (1, day(11)))

            # Her address fixed on the server's side, the new notice arrives; nothing more is sent.
            inbox.refuse.clear()
            self.env["mail.mail"].process_email_queue()
            self.assertEqual(again[self.olga].state, "sent")
            self.assertFalse(olga.cobranca_dunning_undelivered)
            self.assertNotIn(self.olga, self.cron(day(12)))

            # The refused e-mail sent again by hand (Retry) arrives after all: it counts again, and
            # the later notice stays the last one.
            self.env["mail.mail"].search([("mail_message_id", "=", refused.mail_message_id.id)]).mark_outgoing()
            self.env["mail.mail"].process_email_queue()
            self.assertEqual(refused.state, "sent")
            self.assertNotIn(self.olga, self.cron(day(13)))
            self.assertTrue(refused.counted)
            self.assertEqual((olga.cobranca_dunning_count, olga.cobranca_dunning_last_date), (2, day(11)))
        self.assertEqual(len([m for m in inbox.messages if m["rcpt_tos"] == ["olga@example.com"]]), 2)

    def test_notices_refused_for_several_customers_are_all_sent_again_by_one_run(self):
        inbox = Inbox(refuse={"olga@example.com", "billing@carla.example.com"})
        with self.smtpd(inbox=inbox) as (port, _inbox):
            self.create_server(port, name="Cobrança", purpose_dunning=True, purpose_notice=True)
            refused = self.cron(DAY1)
            self.env["mail.mail"].process_email_queue()
            self.assertEqual(len(inbox.messages), 1, "only Ulisses's notice arrives")
            Notice = self.env["cobranca.dunning.notice"]
            before = Notice.search([])
            with on(day(11)):
                self.env["cobranca.dunning"]._cron_send_dunning_notices()  # one batch: both customers
        again = {notice.partner_id: notice for notice in Notice.search([]) - before}
        self.assertEqual(set(again), {self.olga, self.carla})
        for partner in (self.olga, self.carla):
            self.assertEqual(again[partner].reason, dunning.FIRST_NOTICE, "as if the refused one was never sent")
            self.assertEqual(again[partner].line_ids.move_line_id, refused[partner].line_ids.move_line_id)
            self.assertFalse(refused[partner].counted)
            self.assertEqual(partner.with_company(self.company).cobranca_dunning_count, 1)
        self.assertTrue(refused[self.ulisses].counted, "a delivered notice still counts")
