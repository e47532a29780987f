"""What `make run` shows a newcomer: the demo's e-mails arrive at its outbox, tools/demo_outbox.py.

The outbox is started here as tools/run.sh starts it (the same module, on 127.0.0.1), the demo's
mail server is pointed at it, and Odoo's scheduled actions send through real SMTP, with the PDFs
printed by wkhtmltopdf.
"""

import contextlib
import email.utils
import importlib.util
import shutil
import tempfile
import unittest
import urllib.request
from pathlib import Path
from unittest.mock import patch
from urllib.parse import quote

from odoo import modules
from odoo.tests import TransactionCase, tagged

from .pdf_tools import pdf_pages
from .smtp_server import SmtpServerMixin

CHECKOUT = Path(__file__).resolve().parents[2]
SENDER = ("BR Company - Cobrança", "cobranca@company.brexample.com")  # name linked to the company, address


def load_demo_outbox():
    """The module `make run` starts: tools/demo_outbox.py of this checkout."""
    spec = importlib.util.spec_from_file_location("demo_outbox", CHECKOUT / "tools" / "demo_outbox.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


@tagged("post_install", "-at_install")
class TestDemoOutbox(SmtpServerMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        if not (CHECKOUT / "tools" / "run.sh").is_file():
            raise unittest.SkipTest("the addon is not in its checkout: no make run, no demo outbox")
        super().setUpClass()
        cls.setup_smtp()
        cls.demo_outbox = load_demo_outbox()
        cls.env = cls.env(context=dict(cls.env.context, force_report_rendering=True))
        cls.company = cls.env.ref("base.demo_company_br")
        cls.server = cls.env.ref("cobranca_email.demo_mail_server_outbox")
        # Only what these tests send reaches the outbox.
        cls.env["mail.mail"].search([]).unlink()

    @contextlib.contextmanager
    def outbox_running(self):
        """The demo outbox as `make run` starts it, on free ports (a `make run` may hold the default
        ones), with the demo's mail server pointed at it as tools/run.sh points it."""
        folder = tempfile.mkdtemp(prefix="cobranca-outbox-")
        self.addCleanup(shutil.rmtree, folder, True)
        with self.demo_outbox.start(folder, smtp_port=0, http_port=0) as running:
            self.server.smtp_port = running.smtp_port
            yield running

    def run_scheduled_action(self, xmlid):
        """What a cron worker runs for this scheduled action, in the test's transaction."""
        cron = self.env.ref(xmlid)
        cron.ir_actions_server_id.with_user(cron.user_id).run()

    def triggered(self, xmlid):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.env.ref(xmlid).id)])

    def test_the_demo_mail_server_is_the_outbox_of_make_run(self):
        self.assertEqual(self.server.smtp_host, "127.0.0.1")
        self.assertEqual(self.server.smtp_port, self.demo_outbox.DEFAULT_SMTP_PORT)
        run_sh = (CHECKOUT / "tools" / "run.sh").read_text()
        self.assertIn(f"COBRANCA_OUTBOX_SMTP_PORT:-{self.demo_outbox.DEFAULT_SMTP_PORT}", run_sh)
        self.assertIn("--max-cron-threads=2", run_sh, "the scheduled actions run in the demo")
        for purpose in ("boleto", "dunning", "notice"):
            self.assertEqual(self.env["ir.mail_server"]._cobranca_resolve(purpose, self.company), self.server)
        email_from = self.server._cobranca_message_values("boleto", self.company)["email_from"]
        self.assertEqual(email.utils.parseaddr(email_from), SENDER)

    def test_posting_a_demo_invoice_sends_its_boletos_to_the_outbox(self):
        invoice = self.env.ref("cobranca_email.demo_invoice_maria_draft")
        boleto_cron = "cobranca_email.ir_cron_send_boleto_emails"
        queue_cron = "mail.ir_cron_mail_scheduler_action"
        with self.outbox_running() as running:
            triggers = self.triggered(boleto_cron), self.triggered(queue_cron)
            invoice.action_post()
            self.assertEqual(invoice.cobranca_mail_state, "pending")
            self.assertEqual(self.triggered(boleto_cron), triggers[0] + 1, "posting wakes the boleto e-mails up")
            self.run_scheduled_action(boleto_cron)
            self.assertEqual(self.triggered(queue_cron), triggers[1] + 1, "queueing wakes the mail queue up")
            self.run_scheduled_action(queue_cron)
            ((name, message),) = running.outbox.messages()
            listed = fetch(running.url).decode()
            shown = fetch(f"{running.url}messages/{quote(name)}").decode()
            downloaded = fetch(f"{running.url}messages/{quote(name)}/attachments/0")
        self.assertEqual(email.utils.parseaddr(message["From"]), SENDER)
        self.assertIn("financeiro@mariacomercio.example.com", message["To"])  # Maria's invoice contact
        self.assertIn(invoice.name, message["Subject"])
        filename = f"Boletos - {invoice.name.replace('/', '_')}.pdf"
        ((attachment_name, pdf),) = [(part.get_filename(), part.get_content()) for part in message.iter_attachments()]
        self.assertEqual(attachment_name, filename)
        boletos = invoice.cobranca_boleto_ids.sorted("installment")
        self.assertEqual(len(boletos), 2)
        for page, boleto in zip(pdf_pages(pdf), boletos, strict=True):
            self.assertIn(boleto.digitable_line_formatted, page)
        # The outbox's page lists it and offers its PDF to download.
        self.assertIn(invoice.name, listed)
        self.assertIn(filename, shown)
        self.assertEqual(downloaded, pdf)
        log = self.env["cobranca.email.log"].search([("move_ids", "=", invoice.id)])
        self.assertRecordValues(log, [{"state": "sent", "mail_server_id": self.server.id}])

    def test_send_now_sends_the_notices_with_statement_and_boletos(self):
        maria = self.env.ref("cobranca_email.demo_customer_maria")
        joao = self.env.ref("cobranca_email.demo_customer_joao")
        with self.outbox_running() as running:
            # Settings > Dunning Notices > Preview / Send Now, then Send Now.
            Preview = self.env["cobranca.dunning.preview"].with_company(self.company)
            preview = Preview.browse(Preview._action_open(self.company)["res_id"])
            # Maria and João, and customers of Odoo's own demo invoices of BR Company.
            self.assertLessEqual(maria | joao, preview.line_ids.filtered("will_send").partner_id)
            # Send Now commits each batch outside tests; here they stay in the test's transaction.
            with patch.object(modules.module, "current_test", True):
                preview.action_send()
            self.run_scheduled_action("mail.ir_cron_mail_scheduler_action")
            received = {message["To"]: message for _name, message in running.outbox.messages()}
        notices = self.env["cobranca.dunning.notice"].search([("company_id", "=", self.company.id)])
        self.assertEqual(len(received), len(notices))
        self.assertLessEqual(maria | joao, notices.partner_id)
        for notice in notices.filtered(lambda notice: notice.partner_id in maria | joao):
            (message,) = [message for to, message in received.items() if notice.recipients in to]
            self.assertEqual(email.utils.parseaddr(message["From"]), SENDER)
            files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
            statement = files[notice._statement_filename()]
            self.assertIn(notice.partner_id.name, pdf_pages(statement)[0])
            boletos = "".join(pdf_pages(files[notice._boletos_filename()]))
            for line in notice.line_ids:
                self.assertIn(line.boleto_id.digitable_line_formatted, boletos)
