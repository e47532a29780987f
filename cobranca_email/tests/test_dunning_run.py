from unittest.mock import patch

import odoo
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from cobranca_core import dunning

from .common import two_transactions
from .common_dunning import DAY1, DunningCommon, day, on
from .pdf_tools import Crash

# The run's driver logs a batch that fails, its composer a notice that fails.
RUN_LOGGERS = (
    "odoo.addons.cobranca_email.models.cobranca_dunning",
    "odoo.addons.cobranca_email.tools.dunning_composer",
)


@tagged("post_install", "-at_install")
class TestDunningRun(DunningCommon):
    """The scheduled action day after day: who gets which notice, what it carries, what is stored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dunning_server = cls.env["ir.mail_server"].create(
            {"name": "Cobrança", "smtp_host": "127.0.0.1", "smtp_port": 2525, "purpose_dunning": True,
             "sender_email": "cobranca@cobranca-teste.com.br"}
        )  # fmt: skip
        cls.notice_server = cls.env["ir.mail_server"].create(
            {"name": "Avisos", "smtp_host": "127.0.0.1", "smtp_port": 2526, "purpose_notice": True,
             "sender_email": "avisos@cobranca-teste.com.br"}
        )  # fmt: skip

    def overdue_and_upcoming(self, notice):
        return (
            notice.line_ids.filtered(lambda line: line.kind == "overdue").move_line_id,
            notice.line_ids.filtered(lambda line: line.kind == "upcoming").move_line_id,
        )

    def test_notices_day_after_day(self):
        sent = self.cron(DAY1)
        self.assertEqual(set(sent), {self.olga, self.ulisses, self.carla})
        self.assertEqual(sent[self.olga].reason, dunning.FIRST_NOTICE)
        self.assertEqual(sent[self.ulisses].reason, dunning.UPCOMING)
        january = self.receivable_lines(self.olga_january).sorted("date_maturity")
        self.assertEqual(
            self.overdue_and_upcoming(sent[self.olga]),
            (january[0] | self.receivable_lines(self.olga_march), january[1]),
        )
        self.assertEqual(self.cron(day(11)), {}, "nobody twice within the interval")
        sent = self.cron(day(12))
        self.assertEqual(set(sent), {self.tiago}, "the tolerance ended")
        self.assertEqual(self.cron(day(13)), {})
        self.assertEqual(self.cron(day(14)), {})
        sent = self.cron(day(15))
        self.assertEqual(set(sent), {self.olga, self.ulisses, self.carla}, "five days after day one")
        self.assertEqual({notice.reason for notice in sent.values()}, {dunning.INTERVAL_ELAPSED})
        self.assertEqual(len(sent[self.olga].line_ids), 3, "the 11 March installment is overdue now")
        self.assertEqual(self.cron(day(16)), {})
        self.assertEqual(set(self.cron(day(17))), {self.tiago})

    def test_a_notice_in_the_chatter_with_its_statement_and_boletos(self):
        notice = self.cron(DAY1)[self.olga]
        message = notice.mail_message_id
        # In the notice's chatter: a customer shared by companies is read by all of them, a notice only
        # by its company's billing users.
        self.assertEqual((message.model, message.res_id), ("cobranca.dunning.notice", notice.id))
        self.assertEqual(notice.message_ids, message)
        self.assertEqual(message.cobranca_purpose, "dunning")
        self.assertEqual(message.subject, "Cobrança Teste Ltda: your open debts")
        self.assertEqual(message.partner_ids, self.olga)
        self.assertEqual(message.mail_server_id, self.dunning_server)
        self.assertIn("cobranca@cobranca-teste.com.br", message.email_from)
        self.assertEqual(
            sorted(message.attachment_ids.mapped("name")),
            ["Boletos - Olga Overdue - 2026-03-10.pdf", "Debt statement - Olga Overdue - 2026-03-10.pdf"],
        )
        self.assertEqual(notice.attachment_ids, message.attachment_ids)
        # While tests run, reports are HTML (as Odoo's): their text is the documents' all the same.
        boletos = message.attachment_ids.filtered(lambda a: a.name.startswith("Boletos")).raw.decode()
        listed = self.olga_march._cobranca_active_boletos() | self.olga_january._cobranca_active_boletos()
        for boleto in listed:
            self.assertIn(boleto.digitable_line_formatted, boletos)
        for boleto in self.ulisses_invoice._cobranca_active_boletos():
            self.assertNotIn(boleto.digitable_line_formatted, boletos)
        self.assertEqual(boletos.count('class="page o_boleto"'), 3)
        statement = message.attachment_ids.filtered(lambda a: a.name.startswith("Debt statement")).raw.decode()
        for invoice in (self.olga_march, self.olga_january):
            self.assertIn(invoice.name, statement)
        self.assertIn("508.27", statement)
        # The e-mail itself lists the debts too.
        self.assertIn(self.olga_march.name, message.body)
        self.assertIn("Total due today", message.body)
        (mail,) = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.state, "outgoing", "queued, not sent inside the run")
        (log,) = self.env["cobranca.email.log"].search([("mail_message_id", "=", message.id)])
        self.assertEqual((log.purpose, log.partner_id, log.state), ("dunning", self.olga, "queued"))
        self.assertEqual(log.move_line_ids, notice.line_ids.move_line_id)

    def test_a_shared_customer_shows_its_notices_to_its_company_billing_users_only(self):
        notice = self.cron(DAY1)[self.olga]
        other = self.setup_other_company(name="Outra Empresa Ltda")["company"]
        self.assertFalse(self.olga.company_id, "Olga is shared by both companies")
        users = {
            login: new_test_user(
                self.env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[(6, 0, company.ids)],
            )
            for login, groups, company in (
                ("clerk_here", "cobranca_email.group_cobranca_user", self.company),
                ("clerk_there", "cobranca_email.group_cobranca_user", other),
                ("employee_here", "base.group_user", self.company),
            )
        }
        message, attachments = notice.mail_message_id, notice.attachment_ids
        for login, sees in (("clerk_here", True), ("clerk_there", False), ("employee_here", False)):
            with self.subTest(login):
                user = users[login]
                found = self.env["mail.message"].with_user(user).search([("id", "=", message.id)])
                self.assertEqual(bool(found), sees, "the letter in the chatter")
                listed = self.env["ir.attachment"].with_user(user).search([("id", "in", attachments.ids)])
                self.assertEqual(len(listed), len(attachments) if sees else 0, "its statement and boletos")
                if not sees:
                    with self.assertRaises(AccessError):
                        attachments.with_user(user).read(["datas"])
                # The customer's own chatter, which everyone reads, has none of it.
                self.assertNotIn(message, self.olga.with_user(user).message_ids)

    def test_upcoming_only_is_a_boleto_notice_through_its_server(self):
        notice = self.cron(DAY1)[self.ulisses]
        self.assertEqual(notice.purpose, "notice")
        self.assertEqual(notice.mail_message_id.cobranca_purpose, "notice")
        self.assertEqual(notice.mail_message_id.mail_server_id, self.notice_server)
        self.company.cobranca_dunning_mail_server_id = self.dunning_server
        ulisses_again = self._invoice(self.ulisses, 80.0, self.immediate, invoice_date=day(13))
        notice = self.cron(day(11))[self.ulisses]
        self.assertEqual(notice.line_ids.move_id, self.ulisses_invoice | ulisses_again)
        self.assertEqual(notice.mail_message_id.mail_server_id, self.dunning_server, "the company's choice wins")

    def test_invoice_contact_outside_the_left_out_group_receives_it(self):
        message = self.cron(DAY1)[self.carla].mail_message_id
        self.assertEqual(message.partner_ids, self.carla_billing)
        self.assertEqual(message.notified_partner_ids, self.carla_billing)

    def test_states_and_stamps(self):
        self.cron(DAY1)
        olga = self.olga.with_company(self.company)
        self.assertEqual((olga.cobranca_dunning_last_date, olga.cobranca_dunning_next_date), (DAY1, day(15)))
        self.assertEqual(olga.cobranca_dunning_count, 1)
        tiago = self.tiago.with_company(self.company)
        self.assertFalse(tiago.cobranca_dunning_last_date)
        self.assertEqual(tiago.cobranca_dunning_next_date, day(12))
        lines = self.receivable_lines(self.olga_march, self.olga_january)
        self.assertEqual(set(lines.mapped("cobranca_last_notice_date")), {DAY1})
        self.assertFalse(self.receivable_lines(self.tiago_invoice).cobranca_last_notice_date)
        self.cron(day(15))
        self.assertEqual(self.olga.with_company(self.company).cobranca_dunning_count, 2)

    def test_no_email_is_logged_as_failed_and_retried(self):
        self.cron(DAY1)
        (log,) = self.env["cobranca.email.log"].search([("partner_id", "=", self.nelson.id)])
        self.assertEqual(log.state, "failed")
        self.assertIn("No valid e-mail address", log.failure_reason)
        self.assertEqual(log.move_ids, self.nelson_invoice)
        self.assertFalse(self.nelson.with_company(self.company).cobranca_dunning_count)
        self.nelson.email = "nelson@example.com"
        sent = self.cron(day(11))
        self.assertEqual(set(sent), {self.nelson}, "the next day's run sends the notice it could not send")
        self.assertEqual(sent[self.nelson].reason, dunning.FIRST_NOTICE)

    def test_a_notice_that_fails_does_not_stop_the_others(self):
        def failing_queue(mail_model, mails_values):
            if any(values["partner"] == self.carla for values in mails_values):
                raise ValueError("the mail layer refused it")
            return original(mail_model, mails_values)

        original = type(self.env["mail.mail"])._cobranca_queue_billing_mails
        with (
            patch.object(type(self.env["mail.mail"]), "_cobranca_queue_billing_mails", failing_queue),
            mute_logger(*RUN_LOGGERS),
        ):
            sent = self.cron(DAY1)
        self.assertEqual(set(sent), {self.olga, self.ulisses})
        log = self.env["cobranca.email.log"].search([("partner_id", "=", self.carla.id)])
        self.assertEqual(log.state, "failed")
        self.assertIn("the mail layer refused it", log.failure_reason)
        self.assertFalse(
            self.env["mail.message"].search([("cobranca_purpose", "!=", False), ("partner_ids", "in", self.carla.ids)]),
            "nothing half-posted",
        )
        self.assertEqual(set(self.cron(day(11))), {self.carla}, "retried the next day")

    def test_a_crash_loses_the_batch_and_the_rerun_sends_each_notice_once(self):
        def crashing_queue(mail_model, mails_values):
            if any(values["partner"] == self.ulisses for values in mails_values):
                raise Crash()
            return original(mail_model, mails_values)

        original = type(self.env["mail.mail"])._cobranca_queue_billing_mails
        Notice = self.env["cobranca.dunning.notice"]
        with on(DAY1), patch.object(type(self.env["mail.mail"]), "_cobranca_queue_billing_mails", crashing_queue):
            with self.assertRaises(Crash):
                self.env["cobranca.dunning"]._cron_send_dunning_notices(batch_size=50)
        # The scheduler's transaction is rolled back: here, the run's savepoint was.
        self.assertFalse(Notice.search([]))
        self.assertFalse(self.env["mail.mail"].search([("cobranca_purpose", "in", ("dunning", "notice"))]))
        self.assertFalse(self.olga.with_company(self.company).cobranca_dunning_count)
        sent = self.cron(DAY1)
        self.assertEqual(set(sent), {self.olga, self.ulisses, self.carla})
        self.assertEqual(self.cron(DAY1), {}, "a second run the same day sends nothing")
        again = self.dunning()._run(self.company, today=DAY1)  # a full run planning everyone again
        self.assertFalse(again.sent)
        self.assertEqual(len(Notice.search([("partner_id", "=", self.olga.id)])), 1)

    def test_a_batch_that_fails_is_rolled_back_and_left_for_tomorrow(self):
        def broken(*args, **kwargs):
            raise ValueError("broken template")

        Template = type(self.env["mail.template"])
        with (
            patch.object(Template, "_render_field", broken),
            mute_logger(*RUN_LOGGERS),
        ):
            result = self.dunning()._run(self.company, today=DAY1, pending_only=True)
        self.assertFalse(result.sent)
        self.assertIn("broken template", result.errors[0])
        self.assertFalse(self.env["cobranca.dunning.notice"].search([]))
        self.assertFalse(self.dunning()._candidate_partner_ids(self.company, today=DAY1, pending_only=True))
        self.assertEqual(set(self.cron(day(11))), {self.olga, self.ulisses, self.carla})

    def test_a_template_failing_for_one_customer_fails_that_notice_only(self):
        Template = type(self.env["mail.template"])
        original = Template._render_field

        def render_field(template, field, res_ids, *args, **kwargs):
            if template.model == "cobranca.dunning.notice" and self.ulisses in (
                self.env["cobranca.dunning.notice"].browse(res_ids).partner_id
            ):
                raise ValueError("'None' has no attribute 'upper'")
            return original(template, field, res_ids, *args, **kwargs)

        with (
            patch.object(Template, "_render_field", render_field),
            mute_logger(*RUN_LOGGERS),
            on(DAY1),
        ):
            result = self.dunning()._run(self.company, today=DAY1, pending_only=True)
        sent = {self.env["res.partner"].browse(outcome.partner_id) for outcome in result.sent}
        self.assertEqual(sent, {self.olga, self.carla}, "the others' notices leave")
        self.assertEqual(len(result.errors), 1)
        self.assertIn(self.ulisses.display_name, result.errors[0])
        self.assertIn("has no attribute 'upper'", result.errors[0])
        log = self.env["cobranca.email.log"].search([("partner_id", "=", self.ulisses.id)])
        self.assertEqual(log.state, "failed")
        self.assertEqual(log.failure_reason, result.errors[0])
        self.assertEqual(set(self.cron(day(11))), {self.ulisses}, "tried again the next day")

    def test_send_now_from_the_preview(self):
        with on(DAY1):
            action = (self.olga | self.tiago).action_cobranca_dunning_preview()
            preview = self.env["cobranca.dunning.preview"].browse(action["res_id"])
            result = preview.action_send()
        self.assertEqual(result["params"]["message"], "1 dunning notice(s) queued, 0 not sent.")
        self.assertEqual(self.env["cobranca.dunning.notice"].search([]).partner_id, self.olga)

    def test_a_billing_user_previews_and_sends(self):
        user = new_test_user(
            self.env,
            login="billing_clerk",
            groups="base.group_user,cobranca_email.group_cobranca_user",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        partners = (self.olga | self.carla).with_user(user).with_company(self.company)
        with on(DAY1):
            action = partners.action_cobranca_dunning_preview()
            preview = self.env["cobranca.dunning.preview"].with_user(user).browse(action["res_id"])
            self.assertEqual(preview.send_count, 2)
            preview.action_send()
        notices = self.env["cobranca.dunning.notice"].search([])
        self.assertEqual(notices.partner_id, self.olga | self.carla)
        self.assertEqual(notices.mail_message_id.author_id, user.partner_id)
        plain = new_test_user(self.env, login="plain_employee", groups="base.group_user")
        with self.assertRaises(UserError):
            self.olga.with_user(plain).action_cobranca_dunning_preview()

    def test_composing_costs_queries_by_customer_not_by_debt(self):
        """Selection is a fixed number of queries a batch; composing costs some queries a customer,
        whatever the number of debts the notice lists."""
        one, eleven = self.env["res.partner"].create(
            [{"name": "One Debt", "email": "one@example.com"}, {"name": "Eleven Debts", "email": "eleven@example.com"}]
        )
        self._invoice(one, 10.0, self.immediate, invoice_date=day(2))
        for number in range(11):
            self._invoice(eleven, 10.0 + number, self.immediate, invoice_date=day(2))
        self.dunning()._run(self.company, today=DAY1, partner_ids=self.olga.ids)  # templates compiled, caches warm
        counts = {}
        for partner in (one, eleven):
            self.env.invalidate_all()
            queries = self.env.cr.sql_log_count
            result = self.dunning()._run(self.company, today=DAY1, partner_ids=partner.ids)
            counts[partner.name] = self.env.cr.sql_log_count - queries
            self.assertEqual(len(result.sent), 1)
        self.assertLess(abs(counts["Eleven Debts"] - counts["One Debt"]), 15, counts)


@tagged("post_install", "-at_install")
class TestDunningWorkers(TransactionCase):
    """Two runs at the same time, each in its own database transaction, on the demo company."""

    def test_a_second_run_skips_the_customers_the_first_holds(self):
        company = self.env.ref("base.demo_company_br", raise_if_not_found=False)
        if not company or not company.cobranca_dunning_enabled:
            self.skipTest("needs the demo data (BR Company with dunning notices)")
        dbname = self.env.cr.dbname
        customers = self.env["cobranca.dunning"]._candidate_partner_ids(company)
        # The customers ran before: their state rows exist (committed), as on any day but the first.
        with odoo.sql_db.db_connect(dbname).cursor() as setup:
            setup.execute(
                """INSERT INTO cobranca_dunning_state (partner_id, company_id, notice_count)
                   SELECT unnest(%s::int[]), %s, 0 ON CONFLICT DO NOTHING RETURNING id""",
                [customers, company.id],
            )
            created = [row[0] for row in setup.fetchall()]
            setup.commit()
        try:
            with two_transactions(dbname) as (env_a, env_b):
                company_a, company_b = env_a["res.company"].browse(company.id), env_b["res.company"].browse(company.id)
                run_a = env_a["cobranca.dunning"].with_company(company_a)._run(company_a)
                self.assertTrue(run_a.sent, "the first run sends the demo notices (not committed here)")
                # A holds its customers' rows until it commits; B runs meanwhile.
                run_b = env_b["cobranca.dunning"].with_company(company_b)._run(company_b)
                self.assertFalse(run_b.outcomes, "the second run claimed nobody the first holds")
                self.assertFalse(run_b.errors)
        finally:
            with odoo.sql_db.db_connect(dbname).cursor() as cleanup:
                cleanup.execute("DELETE FROM cobranca_dunning_state WHERE id = ANY(%s)", [created])
                cleanup.commit()

    def test_a_customer_another_run_changed_meanwhile_is_left_to_it_not_lost(self):
        """The scheduled action (one transaction) meets a customer that Send Now or the command line
        planned and committed after the action's snapshot: Postgres refuses the lock. The action
        leaves that customer to the other run, sends the others, and fails nothing."""
        company = self.env.ref("base.demo_company_br", raise_if_not_found=False)
        if not company or not company.cobranca_dunning_enabled:
            self.skipTest("needs the demo data (BR Company with dunning notices)")
        dbname = self.env.cr.dbname
        customers = self.env["cobranca.dunning"]._candidate_partner_ids(company)
        self.assertGreaterEqual(len(customers), 2, "the demo has several customers to dun")
        with odoo.sql_db.db_connect(dbname).cursor() as setup:
            setup.execute(
                """INSERT INTO cobranca_dunning_state (partner_id, company_id, notice_count)
                   SELECT unnest(%s::int[]), %s, 0 ON CONFLICT DO NOTHING RETURNING id""",
                [customers, company.id],
            )
            created = [row[0] for row in setup.fetchall()]
            setup.execute(
                "SELECT id, last_run_date FROM cobranca_dunning_state WHERE company_id = %s AND partner_id = %s",
                [company.id, customers[0]],
            )
            (state_id, last_run_date) = setup.fetchone()
            setup.commit()
        try:
            with two_transactions(dbname) as (env_a, env_b):
                company_a = env_a["res.company"].browse(company.id)
                today = env_a["cobranca.dunning"]._today(company_a)
                env_a.cr.execute("SELECT 1")  # the scheduled action's transaction takes its snapshot
                # Meanwhile another run plans the first customer and commits.
                env_b["cobranca.dunning.state"]._mark_planned(
                    env_b["res.company"].browse(company.id), customers[:1], today
                )
                env_b.cr.commit()
                result = env_a["cobranca.dunning"].with_company(company_a)._run(company_a, pending_only=True)
                self.assertEqual(result.busy, customers[:1], "left to the run that planned it")
                self.assertFalse(result.errors)
                self.assertNotIn(customers[0], [outcome.partner_id for outcome in result.outcomes])
                self.assertTrue(result.sent, "the other customers get their notices")
                failures = env_a["cobranca.email.log"].search(
                    [("partner_id", "=", customers[0]), ("state", "=", "failed")]
                )
                self.assertFalse(failures, "no failure is reported for a customer another run handles")
                env_a.cr.execute("SELECT count(*) FROM cobranca_dunning_notice")  # the transaction goes on
        finally:
            with odoo.sql_db.db_connect(dbname).cursor() as cleanup:
                cleanup.execute(
                    "UPDATE cobranca_dunning_state SET last_run_date = %s WHERE id = %s", [last_run_date, state_id]
                )
                cleanup.execute("DELETE FROM cobranca_dunning_state WHERE id = ANY(%s)", [created])
                cleanup.commit()
