from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestEmailLog(AccountTestInvoicingCommon):
    """The e-mail log: what was sent about which invoices, to whom, and what became of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["mail.mail"].search([]).unlink()
        cls.company = cls.company_data["company"]
        cls.other_company = cls.setup_other_company()["company"]
        cls.server = cls.env["ir.mail_server"].create(
            {
                "name": "Boletos",
                "smtp_host": "127.0.0.1",
                "purpose_boleto": True,
                "sender_email": "cobranca@acme.com.br",
                "cc_emails": "copia@acme.com.br",
                "company_link_ids": [(0, 0, {"company_id": cls.company.id, "sender_name": "ACME Cobrança"})],
            }
        )
        cls.partner_a.email = "cliente.a@example.com"
        cls.contact = cls.env["res.partner"].create(
            {"name": "Financeiro do cliente", "parent_id": cls.partner_a.id, "email": "fin@example.com"}
        )
        cls.invoice = cls.init_invoice("out_invoice", partner=cls.partner_a, amounts=[1000.0], post=True)
        cls.installments = cls.invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        cls.billing_user = new_test_user(
            cls.env,
            login="log_billing_user",
            groups="base.group_user,cobranca_email.group_cobranca_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    def post_boleto(self, record, recipients):
        values = (
            self.env["ir.mail_server"]
            ._cobranca_resolve("boleto", self.company)
            ._cobranca_message_values("boleto", self.company)
        )
        return record.with_context(mail_notify_force_send=False).message_post(
            body="Segue o boleto.",
            subject="Boleto",
            partner_ids=recipients.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            cobranca_purpose="boleto",
            mail_server_id=values["mail_server_id"],
            email_from=values["email_from"],
        )

    def test_log_follows_the_mail_and_survives_its_deletion(self):
        message = self.post_boleto(self.invoice, self.partner_a)
        log = self.env["cobranca.email.log"]._log_message(
            message, partner=self.partner_a, moves=self.invoice, move_lines=self.installments
        )
        self.assertRecordValues(
            log,
            [
                {
                    "purpose": "boleto",
                    "state": "queued",
                    "partner_id": self.partner_a.id,
                    "company_id": self.company.id,
                    "mail_server_id": self.server.id,
                    "user_id": self.env.user.id,
                    "subject": "Boleto",
                }
            ],
        )
        self.assertEqual(log.move_ids, self.invoice)
        self.assertEqual(log.move_line_ids, self.installments)
        self.assertEqual(log.email_from, '"ACME Cobrança" <cobranca@acme.com.br>')
        mail = log.mail_mail_id
        self.assertTrue(mail.auto_delete)
        # (Odoo does not connect while tests run: the queue marks the mail sent, then deletes it.)
        self.env["mail.mail"].process_email_queue()
        self.assertFalse(mail.exists())
        self.assertRecordValues(log, [{"state": "sent", "mail_mail_id": False, "failure_reason": False}])
        self.assertTrue(log.sent_date)

    def test_retry_cancel_and_delete_are_followed(self):
        message = self.post_boleto(self.invoice, self.partner_a)
        log = self.env["cobranca.email.log"]._log_message(message, partner=self.partner_a)
        mail = log.mail_mail_id
        mail.write({"state": "exception", "failure_reason": "454 4.7.0 Temporary authentication failure"})
        mail._postprocess_sent_message(success_pids=[], failure_reason=mail.failure_reason, failure_type="mail_smtp")
        self.assertRecordValues(
            log, [{"state": "failed", "failure_reason": "454 4.7.0 Temporary authentication failure"}]
        )
        mail.action_retry()
        self.assertRecordValues(log, [{"state": "queued", "failure_reason": False}])
        mail.cancel()
        self.assertEqual(log.state, "failed")
        self.assertIn("cancelled", log.failure_reason)
        mail.mark_outgoing()
        mail.unlink()
        self.assertEqual(log.state, "failed")
        self.assertIn("deleted before it was sent", log.failure_reason)

    def test_failure_before_any_email_is_visible(self):
        no_email = self.env["res.partner"].create({"name": "Cliente sem e-mail"})
        log = self.env["cobranca.email.log"]._log_failure(
            purpose="boleto",
            company=self.company,
            partner=no_email,
            moves=self.invoice,
            move_lines=self.installments,
            reason="Cliente sem e-mail",
        )
        self.assertRecordValues(log, [{"state": "failed", "failure_reason": "Cliente sem e-mail", "purpose": "boleto"}])
        # A billing message without any recipient leaves a failed row too.
        message = self.post_boleto(no_email, self.env["res.partner"])
        logs = self.env["cobranca.email.log"]._log_message(message, partner=no_email, moves=self.invoice)
        self.assertEqual(logs.state, "failed")
        self.assertIn("no recipient", logs.failure_reason)

    def test_users_see_only_the_logs_of_their_companies(self):
        Log = self.env["cobranca.email.log"]
        mine = Log._log_failure(purpose="boleto", company=self.company, reason="x")
        theirs = Log._log_failure(purpose="boleto", company=self.other_company, reason="y")
        visible = Log.with_user(self.billing_user).search([("id", "in", (mine | theirs).ids)])
        self.assertEqual(visible, mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.billing_user).read(["state"])
        # Read-only for them: the log is what happened.
        with self.assertRaises(AccessError):
            mine.with_user(self.billing_user).write({"state": "sent"})

    def test_billing_user_reads_servers_but_not_their_passwords(self):
        self.server.sudo().write({"smtp_user": "cobranca@acme.com.br", "smtp_pass": "secret"})
        server = self.server.with_user(self.billing_user)
        self.assertEqual(server.name, "Boletos")
        with self.assertRaises(AccessError):
            server.read(["smtp_pass"])
        with self.assertRaises(AccessError):
            server.write({"smtp_host": "attacker.example.com"})
        # Their screens open, without the account fields.
        views = server.get_views([(False, "list"), (False, "form"), (False, "search")])
        for view in views["views"].values():
            self.assertNotIn("smtp_pass", view["arch"])
            self.assertNotIn("smtp_user", view["arch"])
        self.assertIn("action_send_test_email", views["views"]["form"]["arch"])
        log_views = (
            self.env["cobranca.email.log"]
            .with_user(self.billing_user)
            .get_views([(False, "list"), (False, "form"), (False, "search"), (False, "graph"), (False, "pivot")])
        )
        self.assertIn("failure_reason", log_views["views"]["list"]["arch"])

    def test_partner_form_shows_the_emails_sent(self):
        # The invoice's followers (the customer) are notified with the contact: one log row per e-mail.
        message = self.post_boleto(self.invoice, self.contact)
        log = self.env["cobranca.email.log"]._log_message(message, partner=self.contact, moves=self.invoice)
        self.assertTrue(log)
        Log = self.env["cobranca.email.log"]
        other = Log._log_failure(purpose="dunning", company=self.company, partner=self.partner_b, reason="z")
        partner = self.partner_a.with_user(self.billing_user)
        # The customer's card counts what was sent to it and to its contacts.
        self.assertEqual(partner.cobranca_email_log_count, len(log))
        self.assertEqual(partner.cobranca_email_log_ids, log)
        action = partner.action_view_cobranca_email_logs()
        self.assertEqual(Log.search(action["domain"]), log)
        self.assertEqual(self.contact.cobranca_email_log_ids, log)
        self.assertFalse(self.partner_b.child_ids.cobranca_email_log_ids)
        self.assertNotIn(other, Log.search(action["domain"]))

    def test_email_log_menu_for_billing_users(self):
        menu = self.env.ref("cobranca_email.menu_cobranca_email_log")
        visible = self.env["ir.ui.menu"].with_user(self.billing_user)._visible_menu_ids()
        self.assertIn(menu.id, visible)
