from unittest.mock import patch

from odoo import api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CobrancaCommon
from .pdf_tools import Crash, pdf_pages
from .smtp_server import SmtpServerMixin, free_port


@tagged("post_install", "-at_install")
class TestBoletoEmail(SmtpServerMixin, CobrancaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()
        # Start from an empty queue: the tests count what reaches the SMTP server.
        cls.env["mail.mail"].search([]).unlink()
        cls.wallet.email_on_post = True
        cls.printed_customer = cls.customer.copy({"name": "Cliente Impresso", "email": "impresso@example.com"})
        cls.printed_customer.with_company(cls.company).cobranca_delivery_type = "printed"
        cls.env = cls.env(context=dict(cls.env.context, force_report_rendering=True))

    def _customers(self, count, **values):
        return self.env["res.partner"].create(
            [
                {
                    "name": f"Cliente {number:03d}",
                    "email": f"cliente{number:03d}@example.com",
                    "vat": "529.982.247-25",
                    "city": "Campinas",
                    "country_id": self.env.ref("base.br").id,
                    **values,
                }
                for number in range(count)
            ]
        )

    def _dispatch(self):
        """Run "Send generated boletos" as the scheduler does: batch after batch until nothing is left."""
        for _run in range(100):
            # Called at least once, even with nothing pending: a rerun must send nothing again.
            self.env["account.move"]._cron_send_boleto_emails()
            if not self.env["account.move"].search_count([("cobranca_mail_state", "=", "pending")]):
                return
        self.fail("the scheduled action never finished")

    def _boleto_messages(self, invoice):
        return invoice.message_ids.filtered(lambda message: message.cobranca_purpose == "boleto")

    def test_posting_queues_the_email_and_does_not_send_it(self):
        invoice = self._invoice()
        self.assertEqual(invoice.cobranca_mail_state, "pending")
        self.assertFalse(self._boleto_messages(invoice), "nothing is composed inside the posting transaction")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("cobranca_email.ir_cron_send_boleto_emails").id)]
        )
        self.assertTrue(trigger, "posting wakes the scheduled action up")

    def test_fifty_invoices_fifty_messages_with_their_boletos(self):
        customers = self._customers(50)
        invoices = self.env["account.move"]
        for customer in customers:
            invoices |= self._invoice(partner=customer, amount=200.0, post=False)
        printed = self._invoice(partner=self.printed_customer, post=False)
        (invoices | printed).action_post()
        self.assertFalse(printed.cobranca_mail_state, "printed-delivery customers are not e-mailed")
        with self.smtpd() as (port, inbox):
            server = self.create_server(port, name="Boletos", purpose_boleto=True)
            self._dispatch()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(inbox.messages), 50)
        by_recipient = {entry["rcpt_tos"][0]: entry["message"] for entry in inbox.messages}
        self.assertNotIn("impresso@example.com", by_recipient)
        for invoice in invoices:
            message = by_recipient[invoice.partner_id.email]
            self.assertIn(invoice.name, message["Subject"])
            body = message.get_body(("html",)).get_content()
            attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
            pdf = attachments[f"Boletos - {invoice.name.replace('/', '_')}.pdf"]
            self.assertTrue(pdf.startswith(b"%PDF"))
            pages = pdf_pages(pdf)
            boletos = invoice.cobranca_boleto_ids.sorted("installment")
            self.assertEqual(len(boletos), 2)
            for page, boleto in zip(pages, boletos, strict=True):  # one page per boleto
                self.assertIn(boleto.digitable_line_formatted, body)
                self.assertIn(boleto._pix_payload(), body)  # the Pix copy-and-paste code
                self.assertIn(boleto.digitable_line_formatted, page)
            self.assertEqual(invoice.cobranca_mail_state, "done")
        logs = self.env["cobranca.email.log"].search([("move_ids", "in", invoices.ids)])
        self.assertEqual(len(logs), 50)
        self.assertEqual(set(logs.mapped("state")), {"sent"})
        self.assertEqual(logs.mail_server_id, server)

    def test_killed_halfway_then_run_again_sends_the_rest_once(self):
        customers = self._customers(6)
        invoices = self.env["account.move"]
        for customer in customers:
            invoices |= self._invoice(partner=customer)
        Mail = type(self.env["mail.mail"])
        original = Mail._cobranca_queue_billing_mails

        def dies_once_composed(mail_model, values):
            original(mail_model, values)  # the e-mails exist, the transaction is not committed yet
            raise Crash()

        # A first batch of 2 completes (the scheduler commits it: here, it stays in the transaction);
        # the worker is killed while composing the second.
        self.env["account.move"]._cron_send_boleto_emails(batch_size=2)
        first = invoices.filtered(lambda invoice: invoice.cobranca_mail_state == "done")
        self.assertEqual(len(first), 2)
        with patch.object(Mail, "_cobranca_queue_billing_mails", dies_once_composed):
            # The savepoint's rollback is what a killed worker's transaction gets.
            with self.assertRaises(Crash), self.env.cr.savepoint():
                self.env["account.move"]._cron_send_boleto_emails(batch_size=2)
        self.env.invalidate_all()
        self.assertEqual(set((invoices - first).mapped("cobranca_mail_state")), {"pending"})
        self.assertFalse((invoices - first).message_ids.filtered(lambda message: message.cobranca_purpose == "boleto"))
        with self.smtpd() as (port, inbox):
            self.create_server(port, purpose_boleto=True)
            self._dispatch()
            self._dispatch()  # the scheduler running it once more sends nothing again
            self.env["mail.mail"].process_email_queue()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(sorted(entry["rcpt_tos"][0] for entry in inbox.messages), sorted(customers.mapped("email")))
        for invoice in invoices:
            self.assertEqual(len(self._boleto_messages(invoice)), 1)

    def test_customer_without_email_fails_visibly_and_the_batch_goes_on(self):
        good, bad = self._customers(2)
        bad.email = "not an address"
        first, broken, last = self._invoice(partner=good), self._invoice(partner=bad), self._invoice(partner=good)
        self._dispatch()
        self.assertEqual((first | last).mapped("cobranca_mail_state"), ["done", "done"])
        self.assertEqual(broken.cobranca_mail_state, "failed")
        self.assertIn(bad.name, broken.cobranca_mail_error)
        log = self.env["cobranca.email.log"].search([("move_ids", "=", broken.id)])
        self.assertEqual(log.state, "failed")
        self.assertIn("no valid e-mail address", log.failure_reason)
        self.assertEqual(log.partner_id, bad)

    def test_invoice_contacts_receive_it_before_the_company_address(self):
        customer = self._customers(1)
        contact = self.env["res.partner"].create(
            {"name": "Contas a pagar", "type": "invoice", "parent_id": customer.id, "email": "ap@example.com"}
        )
        invoice = self._invoice(partner=customer)
        self._dispatch()
        self.assertEqual(self._boleto_messages(invoice).partner_ids, contact)

    def test_a_customer_with_several_addresses_gets_it_at_each(self):
        # The dunning notice always read "a@x.com, b@y.com" as two addresses; the boleto e-mail now
        # reads the field the same way (cobranca_core.recipients) instead of failing the invoice.
        several, named = self._customers(2)
        several.email = "a@x.com, b@y.com"
        named.email = "Contas a Pagar <ap@x.com>; financeiro@y.com"
        first, second = self._invoice(partner=several), self._invoice(partner=named)
        with self.smtpd() as (port, inbox):
            self.create_server(port, name="Boletos", purpose_boleto=True)
            self._dispatch()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual((first | second).mapped("cobranca_mail_state"), ["done", "done"])
        self.assertEqual(self._boleto_messages(first).partner_ids, several)
        self.assertEqual(
            sorted(sorted(entry["rcpt_tos"]) for entry in inbox.messages),
            [["a@x.com", "b@y.com"], ["ap@x.com", "financeiro@y.com"]],
        )
        for entry in inbox.messages:
            self.assertTrue(entry["message"]["Subject"].startswith(self.company.name))

    def test_delivery_type_is_taken_when_the_invoice_is_created(self):
        customer = self._customers(1)
        invoice = self._invoice(partner=customer, post=False)
        self.assertEqual(invoice.cobranca_delivery_type, "email")
        customer.with_company(self.company).cobranca_delivery_type = "printed"
        invoice.action_post()
        self.assertEqual(invoice.cobranca_delivery_type, "email", "a later change applies to new invoices only")
        self.assertEqual(invoice.cobranca_mail_state, "pending")
        self.assertEqual(self._invoice(partner=customer).cobranca_delivery_type, "printed")

    def test_customers_without_a_choice_follow_the_company_default(self):
        self.company.cobranca_delivery_type = "printed"
        customer = self._customers(1)
        self.assertFalse(customer.with_company(self.company).cobranca_delivery_type)
        invoice = self._invoice(partner=customer)
        self.assertEqual(invoice.cobranca_delivery_type, "printed")
        self.assertFalse(invoice.cobranca_mail_state, "a printed boleto is not e-mailed at posting")
        # A customer's own choice wins over the company's.
        customer.with_company(self.company).cobranca_delivery_type = "email"
        self.assertEqual(self._invoice(partner=customer).cobranca_mail_state, "pending")

    def test_wallet_switch_off_sends_nothing(self):
        self.wallet.email_on_post = False
        self.assertFalse(self._invoice().cobranca_mail_state)

    def test_send_boletos_by_hand(self):
        invoice = self._invoice(partner=self.printed_customer)
        self.assertFalse(invoice.cobranca_mail_state)
        action = invoice.action_cobranca_send_boletos_email()
        self.assertEqual(action["params"]["type"], "success")
        message = self._boleto_messages(invoice)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.printed_customer)
        self.assertEqual(len(message.attachment_ids), 1)
        with self.assertRaisesRegex(UserError, "no boleto"):
            self._invoice(post=False).action_cobranca_send_boletos_email()

    def test_send_chosen_boletos_from_the_boletos_list_one_email_per_invoice(self):
        first = self._invoice(partner=self.printed_customer)
        second = self._invoice(partner=self.printed_customer, amount=80.0)
        gone = self._invoice(partner=self.printed_customer, amount=90.0)
        gone.button_cancel()
        chosen = first.cobranca_boleto_ids | second.cobranca_boleto_ids[:1] | gone.cobranca_boleto_ids
        action = chosen.action_cobranca_send_by_email()
        self.assertEqual(action["params"]["type"], "success")
        for invoice in (first, second):
            (message,) = self._boleto_messages(invoice)
            # The invoice's e-mail carries all its active boletos, as from the invoice.
            self.assertEqual(message.attachment_ids.name, invoice._cobranca_boleto_filename())
        self.assertFalse(self._boleto_messages(gone), "a cancelled invoice's boletos cannot be paid")
        with self.assertRaisesRegex(UserError, "cancelled or paid"):
            gone.cobranca_boleto_ids.action_cobranca_send_by_email()
        auditor = new_test_user(self.env, login="auditor_boletos", groups="account.group_account_readonly")
        with self.assertRaises(AccessError):
            chosen.with_user(auditor).action_cobranca_send_by_email()

    def test_sending_many_by_hand_goes_to_the_scheduled_action(self):
        """Beyond 20 invoices, Send by e-mail hands them to "Send generated boletos" instead of waiting."""
        invoices = self.env["account.move"].union(
            *(self._invoice(partner=self.printed_customer, amount=100.0 + number) for number in range(21))
        )
        cron = self.env.ref("cobranca_email.ir_cron_send_boleto_emails")
        Trigger = self.env["ir.cron.trigger"]
        triggers = Trigger.search_count([("cron_id", "=", cron.id)])
        action = invoices.action_cobranca_send_boletos_email()
        self.assertEqual(action["params"]["type"], "info")
        self.assertIn("21 invoices", action["params"]["message"])
        self.assertEqual(set(invoices.mapped("cobranca_mail_state")), {"pending"})
        self.assertFalse(any(self._boleto_messages(invoice) for invoice in invoices), "nothing composed yet")
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), triggers + 1)
        self._dispatch()
        self.assertEqual(set(invoices.mapped("cobranca_mail_state")), {"done"})
        for invoice in invoices:
            (message,) = self._boleto_messages(invoice)
            self.assertEqual(message.partner_ids, self.printed_customer)

    def test_company_template_setting_is_used(self):
        template = self.env.ref("cobranca_email.mail_template_cobranca_boleto").copy(
            {"subject": "Seus boletos da fatura {{ object.name }}"}
        )
        self.company.cobranca_boleto_mail_template_id = template
        invoice = self._invoice(partner=self.printed_customer)
        invoice.action_cobranca_send_boletos_email()
        self.assertEqual(self._boleto_messages(invoice).subject, f"Seus boletos da fatura {invoice.name}")

    def test_one_batch_writes_each_email_in_its_customers_language(self):
        """The batch's e-mails are written from one template, each in its customer's language and with
        its own invoice and boletos."""
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"].search([("name", "=", "cobranca_email")])._update_translations(["pt_BR"])
        english = self._customers(2, lang="en_US")
        portuguese = self.env["res.partner"].create(
            [{"name": f"Cliente Português {number}", "email": f"pt{number}@example.com", "lang": "pt_BR"}
             for number in range(2)]
        )  # fmt: skip
        invoices = {customer: self._invoice(partner=customer, amount=100.0 + n) for n, customer in
                    enumerate(english | portuguese)}  # fmt: skip
        self._dispatch()
        for customer, invoice in invoices.items():
            (message,) = self._boleto_messages(invoice)
            greeting = "Prezado(a)" if customer in portuguese else "Dear"
            self.assertIn(f"{greeting} {customer.name},", " ".join(str(message.body).split()))
            self.assertIn(invoice.name, message.body)
            for boleto in invoice.cobranca_boleto_ids:
                self.assertIn(boleto.digitable_line_formatted, message.body)
            others = [other for other in invoices.values() if other != invoice]
            self.assertFalse([other.name for other in others if other.name in message.body])

    def test_the_template_as_edited_is_used_for_the_next_emails(self):
        template = self.env.ref("cobranca_email.mail_template_cobranca_boleto")
        first = self._invoice(partner=self.printed_customer)
        first.action_cobranca_send_boletos_email()
        template.body_html = template.body_html.replace("Best regards,", "Até breve,")
        second = self._invoice(partner=self.printed_customer)
        second.action_cobranca_send_boletos_email()
        self.assertIn("Best regards,", self._boleto_messages(first).body)
        self.assertIn("Até breve,", self._boleto_messages(second).body)
        self.assertNotIn("Best regards,", self._boleto_messages(second).body)

    def test_company_server_setting_is_used(self):
        with self.smtpd() as (port, _inbox):
            chosen = self.create_server(port, name="Servidor de boletos")
            self.create_server(port, name="Padrão para boletos", purpose_boleto=True)
            self.company.cobranca_boleto_mail_server_id = chosen
            invoice = self._invoice()
            self._dispatch()
            self.assertEqual(self._boleto_messages(invoice).mail_server_id, chosen)

    def test_payment_gateway_wallet_needs_confirmation(self):
        gateway = self.wallet.copy({"name": "Gateway", "carteira": "112", "kind": "gateway", "email_on_post": False})
        with self.assertRaisesRegex(ValidationError, "not recommended"):
            gateway.email_on_post = True
        with Form(gateway) as form:
            # The form shows the seed's warning as soon as the switch is turned on.
            with self.assertLogs("odoo.tests.form.onchange", "WARNING") as shown:
                form.email_on_post = True
            self.assertIn("not recommended", shown.output[0])
            form.gateway_email_confirmed = True
        self.assertTrue(gateway.email_on_post)

    def test_the_log_and_the_chatter_name_who_asked_not_the_scheduled_action(self):
        clerk, other_clerk = (
            new_test_user(
                self.env,
                login=login,
                groups="account.group_account_invoice,cobranca_email.group_cobranca_user",
                company_id=self.company.id,
                company_ids=[(6, 0, self.company.ids)],
            )
            for login in ("clerk_posting", "clerk_sending")
        )
        self.create_server(free_port(), name="Boletos", purpose_boleto=True)  # queued only, not sent here
        invoice = self._invoice(post=False)
        invoice.with_user(clerk).action_post()
        self.assertEqual(invoice.cobranca_mail_user_id, clerk)
        # The scheduled action runs as the system, later.
        self.env["account.move"].with_user(self.env.ref("base.user_root"))._cron_send_boleto_emails()
        log = self.env["cobranca.email.log"].search([("move_ids", "=", invoice.id)])
        self.assertEqual(log.user_id, clerk)
        self.assertEqual(self._boleto_messages(invoice).author_id, clerk.partner_id)
        # Sent again by hand by someone else: that one is named.
        invoice.with_user(other_clerk).action_cobranca_send_boletos_email()
        latest = self.env["cobranca.email.log"].search([("move_ids", "=", invoice.id)], limit=1)
        self.assertEqual(latest.user_id, other_clerk)
        # A customer without an address: the failure names who asked, too.
        nowhere = self._invoice(partner=self._customers(1, email=False), post=False)
        nowhere.with_user(clerk).action_post()
        self.env["account.move"].with_user(self.env.ref("base.user_root"))._cron_send_boleto_emails()
        self.assertEqual(nowhere.cobranca_mail_state, "failed")
        failure = self.env["cobranca.email.log"].search([("move_ids", "=", nowhere.id)])
        self.assertEqual((failure.state, failure.user_id), ("failed", clerk))


@tagged("post_install", "-at_install")
class TestBoletoEmailWorkers(CobrancaCommon):
    """Two workers at once, on real PostgreSQL row locks: needs committed rows, so it uses the demo
    invoices (the addon tier installs the demo data) and puts them back as they were."""

    def _set_mail_state(self, moves, state):
        with self.registry.cursor() as cr:
            cr.execute("UPDATE account_move SET cobranca_mail_state = %s WHERE id IN %s", [state, tuple(moves.ids)])
            cr.commit()  # another worker  # pylint: disable=invalid-commit

    def test_two_workers_claim_different_invoices(self):
        demo = self.env.ref("cobranca_email.demo_invoice_maria") | self.env.ref("cobranca_email.demo_invoice_joao")
        self._set_mail_state(demo, "pending")
        try:
            with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
                worker_a = api.Environment(cr_a, api.SUPERUSER_ID, {})["account.move"]
                worker_b = api.Environment(cr_b, api.SUPERUSER_ID, {})["account.move"]
                claimed_a = worker_a._cobranca_claim_pending_boleto_emails(1)
                claimed_b = worker_b._cobranca_claim_pending_boleto_emails(10)
                self.assertEqual(len(claimed_a), 1)
                self.assertTrue(set(demo.ids) >= set(claimed_a.ids) | set(claimed_b.ids))
                self.assertFalse(set(claimed_a.ids) & set(claimed_b.ids), "a claimed invoice is skipped by others")
                self.assertEqual(set(claimed_b.ids), set(demo.ids) - set(claimed_a.ids), "and the others are taken")
                cr_a.rollback()
                cr_b.rollback()
        finally:
            self._set_mail_state(demo, None)


@tagged("post_install", "-at_install")
class TestBoletoEmailRenderFailure(CobrancaCommon):
    def test_unrenderable_boletos_fail_that_invoice_only(self):
        self.wallet.email_on_post = True
        first, second = self._invoice(), self._invoice()
        Boleto = type(self.env["cobranca.boleto"])
        original = Boleto._cobranca_page_pdfs

        def broken_for_second(boletos, *args, **kwargs):
            if boletos & second.cobranca_boleto_ids:
                raise UserError("wkhtmltopdf is not installed")  # pylint: disable=translation-required
            return original(boletos, *args, **kwargs)

        with (
            patch.object(Boleto, "_cobranca_page_pdfs", broken_for_second),
            mute_logger("odoo.addons.cobranca_email.models.account_move"),
        ):
            self.env["account.move"]._cron_send_boleto_emails()
        self.assertEqual(first.cobranca_mail_state, "done")
        self.assertEqual(second.cobranca_mail_state, "failed")
        self.assertIn("wkhtmltopdf is not installed", second.cobranca_mail_error)


@tagged("post_install", "-at_install")
class TestBoletoEmailManualWhileRunning(CobrancaCommon):
    """A user pressing "Send Boletos by E-mail" while the scheduled action holds the invoice: refused,
    not sent twice (committed demo invoice, real row lock from a second connection)."""

    def test_manual_send_waits_for_the_running_action(self):
        invoice = self.env.ref("cobranca_email.demo_invoice_joao").sudo()
        with self.registry.cursor() as worker_cr:
            worker_cr.execute("SELECT id FROM account_move WHERE id = %s FOR UPDATE", [invoice.id])
            with self.assertRaisesRegex(UserError, "being e-mailed right now"):
                invoice.action_cobranca_send_boletos_email()
            worker_cr.rollback()
        self.assertFalse(invoice.message_ids.filtered(lambda message: message.cobranca_purpose == "boleto"))
