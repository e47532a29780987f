from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .smtp_server import PASSWORD, Inbox, SmtpCase, free_port


@tagged("post_install", "-at_install")
class TestTestEmail(SmtpCase):
    """The "Send test e-mail" button: a real message, or what failed and what to do about it."""

    def send_test(self, server, user=None):
        action = server.with_user(user or self.env.user).action_send_test_email()
        self.assertEqual(action["tag"], "display_notification")
        return action["params"]

    def last_log(self, server):
        return self.env["cobranca.email.log"].search([("mail_server_id", "=", server.id)], limit=1)

    def test_test_email_arrives_at_the_smtp_server(self):
        """STARTTLS, login and certificate check: the test e-mail is delivered and logged."""
        with self.smtpd("starttls", auth=True) as (port, inbox):
            server = self.create_server(port, "starttls", auth=True, sender_name="Financeiro ACME")
            # A billing user may test the server without being able to read its password.
            result = self.send_test(server, self.billing_user)
        self.assertEqual(result["type"], "success", result["message"])
        self.assertEqual(len(inbox.messages), 1)
        received = inbox.messages[0]
        self.assertEqual(received["rcpt_tos"], ["tester@acme.com.br"])
        self.assertEqual(received["message"]["From"], "Financeiro ACME <cobranca@acme.com.br>")
        self.assertIn(server.name, received["message"]["Subject"])
        self.assertEqual(received["login"].login, b"cobranca@acme.com.br")
        log = self.last_log(server)
        self.assertRecordValues(
            log,
            [{"purpose": "test", "state": "sent", "user_id": self.billing_user.id, "recipients": "tester@acme.com.br"}],
        )

    def test_wrong_password_gives_a_clear_hint(self):
        with self.smtpd("starttls", auth=True) as (port, inbox):
            server = self.create_server(port, "starttls", auth=True, smtp_pass="my-normal-password")
            result = self.send_test(server)
        self.assertEqual(result["type"], "danger")
        self.assertTrue(result["sticky"])
        self.assertIn("refused the user name or password", result["message"])
        self.assertIn("535 5.7.8 Authentication credentials invalid", result["message"])
        self.assertFalse(inbox.messages)
        log = self.last_log(server)
        self.assertEqual(log.state, "failed")
        self.assertIn("refused the user name or password", log.failure_reason)

    def test_unknown_host_and_closed_port(self):
        server = self.create_server(free_port(), "none", smtp_host="smtp.nonexistent.invalid")
        result = self.send_test(server)
        self.assertIn("“smtp.nonexistent.invalid” could not be found", result["message"])
        server.smtp_host = "127.0.0.1"
        result = self.send_test(server)
        self.assertIn("refused the connection on port", result["message"])
        self.assertEqual(
            self.env["cobranca.email.log"].search([("mail_server_id", "=", server.id)]).mapped("state"),
            ["failed", "failed"],
        )

    def test_a_billing_manager_configures_a_server_whose_password_is_never_read_back(self):
        manager = new_test_user(
            self.env,
            login="billing_boss",
            groups="base.group_user,cobranca_email.group_cobranca_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        self.assertFalse(manager.has_group("base.group_system"))
        with self.smtpd("starttls", auth=True) as (port, inbox):
            server = (
                self.env["ir.mail_server"]
                .with_user(manager)
                .create(
                    {
                        "name": "Cobrança",
                        "smtp_host": "127.0.0.1",
                        "smtp_port": port,
                        "smtp_encryption": "starttls",
                        "smtp_authentication": "login",
                        "cobranca_smtp_user": "cobranca@acme.com.br",
                        "cobranca_smtp_password": PASSWORD,
                        "sender_email": "cobranca@acme.com.br",
                        "purpose_boleto": True,
                    }
                )
            )
            self.assertEqual(self.send_test(server, manager)["type"], "success", "it logs in with that password")
        self.assertEqual(inbox.messages[0]["login"].password, PASSWORD.encode())
        server.invalidate_recordset()  # what a later request reads
        self.assertEqual(server.read(["cobranca_smtp_password", "cobranca_has_password", "cobranca_smtp_user"]), [
            {"id": server.id, "cobranca_smtp_password": False, "cobranca_has_password": True,
             "cobranca_smtp_user": "cobranca@acme.com.br"}
        ])  # fmt: skip
        with self.assertRaises(AccessError):
            server.read(["smtp_pass"])
        # A billing user only reads servers; another company's manager cannot change this company's.
        server.sudo().company_link_ids = [(0, 0, {"company_id": self.company.id})]
        other = self.env["res.company"].create({"name": "Outra Empresa Ltda"})
        outsider = new_test_user(
            self.env,
            login="other_boss",
            groups="base.group_user,cobranca_email.group_cobranca_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        for user in (self.billing_user, outsider):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                server.with_user(user).write({"cobranca_smtp_password": "stolen"})
        self.assertEqual(server.sudo().smtp_pass, PASSWORD)

    def test_without_test_recipient_the_test_goes_to_the_servers_own_address(self):
        with self.smtpd("none") as (port, inbox):
            server = self.create_server(port, "none", test_email_to=False)
            result = server.action_send_test_email()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual([entry["rcpt_tos"] for entry in inbox.messages], [["cobranca@acme.com.br"]])
        # No sender e-mail and a user name that is no address: the user is asked for a recipient.
        server = self.create_server(free_port(), "none", test_email_to=False, sender_email=False)
        with self.assertRaisesRegex(Exception, "Fill in the test recipient"):
            server.action_send_test_email()


@tagged("post_install", "-at_install")
class TestBillingMailDelivery(SmtpCase):
    """Billing messages through the mail queue, delivered to a real SMTP server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Company = cls.env["res.company"]
        cls.company_a = Company.create({"name": "ACME Matriz", "email": "matriz@acme.com.br"})
        cls.company_b = Company.create({"name": "ACME Filial", "email": "filial@acme.com.br"})
        cls.customer_a = cls.env["res.partner"].create(
            {"name": "Cliente A", "email": "cliente.a@example.com", "company_id": cls.company_a.id}
        )
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Cliente B", "email": "cliente.b@example.com", "company_id": cls.company_b.id}
        )

    def post_boleto(self, customer, company, subject="Seu boleto"):
        """What the boleto dispatcher does: resolve, post with the values, log."""
        MailServer = self.env["ir.mail_server"]
        values = MailServer._cobranca_resolve("boleto", company)._cobranca_message_values("boleto", company)
        message = customer.with_context(mail_notify_force_send=False).message_post(
            body="Segue o boleto.",
            subject=subject,
            partner_ids=customer.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            cobranca_purpose="boleto",
            mail_server_id=values["mail_server_id"],
            email_from=values["email_from"],
        )
        return self.env["cobranca.email.log"]._log_message(message, partner=customer)

    def test_two_companies_share_one_server_with_their_own_sender_names(self):
        with self.smtpd("starttls", auth=True) as (port, inbox):
            server = self.create_server(
                port,
                "starttls",
                auth=True,
                purpose_boleto=True,
                cc_emails="copia@acme.com.br",
                company_link_ids=[
                    (0, 0, {"company_id": self.company_a.id, "sender_name": "ACME Cobrança Matriz"}),
                    (0, 0, {"company_id": self.company_b.id, "sender_name": "ACME Cobrança Filial"}),
                ],
            )
            log_a = self.post_boleto(self.customer_a, self.company_a, "Boleto Matriz")
            log_b = self.post_boleto(self.customer_b, self.company_b, "Boleto Filial")
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(server.company_count, 2)
        by_subject = {entry["message"]["Subject"]: entry for entry in inbox.messages}
        self.assertEqual(by_subject["Boleto Matriz"]["message"]["From"], "ACME Cobrança Matriz <cobranca@acme.com.br>")
        self.assertEqual(by_subject["Boleto Filial"]["message"]["From"], "ACME Cobrança Filial <cobranca@acme.com.br>")
        # The copy list of the server gets every billing e-mail.
        copies = [entry for entry in inbox.messages if "copia@acme.com.br" in entry["rcpt_tos"]]
        self.assertEqual(len(copies), 2)
        for log, company in ((log_a, self.company_a), (log_b, self.company_b)):
            self.assertRecordValues(log, [{"state": "sent", "company_id": company.id, "mail_server_id": server.id}])

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_server_hanging_up_in_the_middle_of_a_message(self):
        """Once: the message is sent again through a new connection. Twice: it waits in the queue for a
        later attempt (a lost connection may pass), the others go; the log says why and when."""
        for hang_ups, delivered, states in (
            ({2}, ["Boleto 1", "Boleto 2", "Boleto 3"], ["sent", "sent", "sent"]),
            ({2, 3}, ["Boleto 1", "Boleto 3"], ["sent", "retry", "sent"]),
        ):
            with self.subTest(hang_ups=hang_ups), self.smtpd("none", inbox=Inbox(hang_up_on=hang_ups)) as (port, inbox):
                server = self.create_server(port, "none", purpose_boleto=True)
                server.company_link_ids = [(0, 0, {"company_id": self.company_a.id})]
                logs = [self.post_boleto(self.customer_a, self.company_a, f"Boleto {n}") for n in (1, 2, 3)]
                mails = self.env["mail.mail"].browse([log.mail_mail_id.id for log in logs])
                self.env["mail.mail"].process_email_queue()
                self.assertEqual(inbox.subjects(), delivered)
                self.assertEqual([log.state for log in logs], states)
                if "retry" in states:
                    self.assertIn("attempt 1 of 5", logs[1].failure_reason)
                    self.assertEqual(logs[1].scheduled_date, mails[1].scheduled_date, "when it is tried again")
                    # The one to retry stays in the queue; the sent ones are gone from it.
                    self.assertEqual(mails.exists(), mails[1])
                    self.assertEqual((mails[1].state, mails[1].delivery_attempts), ("outgoing", 1))
                    # Its time come, the server takes it.
                    mails[1].scheduled_date = fields.Datetime.now() - timedelta(seconds=1)
                    self.env["mail.mail"].process_email_queue()
                    self.assertEqual(inbox.subjects(), [*delivered, "Boleto 2"])
                    self.assertEqual(logs[1].state, "sent")
                server.company_link_ids.unlink()
                server.active = False

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_a_hang_up_after_a_message_put_back_for_later_is_still_found(self):
        """The first message is refused for now (back in the queue), the server then hangs up twice on
        the second: the second is the one tried again, the third still leaves; none is left stuck."""
        inbox = Inbox(defer={1}, hang_up_on={2, 3})
        with self.smtpd("none", inbox=inbox) as (port, inbox):
            server = self.create_server(port, "none", purpose_boleto=True)
            server.company_link_ids = [(0, 0, {"company_id": self.company_a.id})]
            logs = [self.post_boleto(self.customer_a, self.company_a, f"Boleto {n}") for n in (1, 2, 3)]
            mails = self.env["mail.mail"].browse([log.mail_mail_id.id for log in logs])
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(inbox.subjects(), ["Boleto 3"])
        self.assertEqual([log.state for log in logs], ["retry", "retry", "sent"])
        self.assertIn("451 4.3.0", logs[0].failure_reason)
        self.assertIn("attempt 1 of 5", logs[1].failure_reason)
        self.assertEqual(mails[:2].mapped("state"), ["outgoing", "outgoing"])

    def test_refused_password_in_the_queue_keeps_the_reason_and_the_hint(self):
        with self.smtpd("starttls", auth=True) as (port, inbox):
            self.create_server(
                port,
                "starttls",
                auth=True,
                smtp_pass="expired",
                purpose_boleto=True,
                company_link_ids=[(0, 0, {"company_id": self.company_a.id})],
            )
            log = self.post_boleto(self.customer_a, self.company_a)
            self.env["mail.mail"].process_email_queue()
        self.assertFalse(inbox.messages)
        self.assertEqual(log.state, "failed")
        self.assertIn("refused the user name or password", log.failure_reason)
        self.assertIn("535", log.failure_reason)
        self.assertEqual(log.mail_mail_id.state, "exception")
