import threading
from collections import Counter
from datetime import timedelta

import psycopg2
from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .smtp_server import Inbox, SmtpServerMixin, free_port

TRY_LATER = "Mail server temporarily rejected message, try again later"


@tagged("post_install", "-at_install")
class TestDeliveryRetry(SmtpServerMixin, TransactionCase):
    """A real SMTP server that says "try again later", refuses for good, or is not there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()
        cls.env["mail.mail"].search([]).unlink()

    def _mail(self, server, to="customer@example.com"):
        return self.env["mail.mail"].create(
            {
                "subject": "Your invoice",
                "body_html": "<p>Hello</p>",
                "email_from": "sender@example.com",
                "email_to": to,
                "mail_server_id": server.id,
                "auto_delete": False,
            }
        )

    def _time_passes(self, mails):
        """The next attempt is due: what the queue's scheduled action sees once the wait is over."""
        mails.write({"scheduled_date": fields.Datetime.now() - timedelta(seconds=1)})

    def _run_queue(self):
        with mute_logger("odoo.addons.mail.models.mail_mail"):
            self.env["mail.mail"].process_email_queue()

    def test_try_again_later_is_retried_then_delivered(self):
        with self.smtpd(inbox=Inbox(defer={1})) as (port, inbox):
            server = self.create_server(port, retry_first_delay=5)
            mail = self._mail(server)
            before = fields.Datetime.now()
            self._run_queue()
            self.assertEqual(mail.state, "outgoing", "still in the queue, not failed")
            self.assertEqual(mail.delivery_attempts, 1)
            self.assertEqual(
                mail.delivery_last_answer, "451 4.3.0 Mail server temporarily rejected message, try again later"
            )
            self.assertIn("attempt 1 of 5", mail.failure_reason)
            self.assertGreaterEqual(mail.scheduled_date, before + timedelta(minutes=5))
            self.assertLess(mail.scheduled_date, before + timedelta(minutes=6))
            self._run_queue()
            self.assertEqual(inbox.messages, [], "not before its time")
            self._time_passes(mail)
            self._run_queue()
            self.assertEqual(mail.state, "sent")
            self.assertEqual([entry["rcpt_tos"] for entry in inbox.messages], [["customer@example.com"]])

    def test_a_permanent_refusal_fails_at_once_with_the_servers_words(self):
        with self.smtpd(inbox=Inbox(refuse={"nobody@example.com"})) as (port, inbox):
            mail = self._mail(self.create_server(port), to="nobody@example.com")
            self._run_queue()
        self.assertEqual(mail.state, "exception")
        self.assertEqual(mail.delivery_attempts, 0)
        self.assertIn("5.1.1 <nobody@example.com>: mailbox unavailable", mail.failure_reason)
        self.assertEqual(
            mail.delivery_last_answer, "nobody@example.com: 550 5.1.1 <nobody@example.com>: mailbox unavailable"
        )
        self.assertFalse(inbox.messages)

    def test_after_the_last_attempt_it_fails_with_the_last_answer_and_a_retry_starts_over(self):
        with self.smtpd(inbox=Inbox(defer={1, 2})) as (port, inbox):
            server = self.create_server(port, retry_max_attempts=2, retry_first_delay=1)
            mail = self._mail(server)
            self._run_queue()
            self.assertEqual((mail.state, mail.delivery_attempts), ("outgoing", 1))
            self._time_passes(mail)
            self._run_queue()
            self.assertEqual((mail.state, mail.delivery_attempts), ("exception", 2))
            self.assertIn("Not delivered after 2 attempts", mail.failure_reason)
            self.assertIn("451 4.3.0", mail.failure_reason)
            # Retry by hand: the third DATA is accepted.
            mail.mark_outgoing()
            self.assertEqual(mail.delivery_attempts, 0)
            self._run_queue()
            self.assertEqual(mail.state, "sent")
            self.assertEqual(len(inbox.messages), 1)

    def test_a_server_that_cannot_be_reached_is_tried_again(self):
        server = self.create_server(free_port(), retry_first_delay=10, retry_max_delay=15)
        mails = self._mail(server) | self._mail(server, to="other@example.com")
        self._run_queue()
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        self.assertEqual(mails.mapped("delivery_attempts"), [1, 1])
        self.assertIn("Connection refused", mails[0].delivery_last_answer)
        self._time_passes(mails)
        self._run_queue()
        self.assertEqual(mails.mapped("delivery_attempts"), [2, 2])
        waits = [mail.scheduled_date - fields.Datetime.now() for mail in mails]
        self.assertTrue(all(timedelta(minutes=14) < wait <= timedelta(minutes=15) for wait in waits), "capped at 15")

    def test_impossible_retry_settings_are_refused(self):
        server = self.create_server(free_port())
        for values in (
            {"retry_max_attempts": 0},
            {"retry_first_delay": 0},
            {"retry_max_delay": 1, "retry_first_delay": 5},
        ):
            with self.subTest(values), self.assertRaises(psycopg2.errors.CheckViolation), mute_logger("odoo.sql_db"):
                with self.env.cr.savepoint():
                    server.write(values)
                    server.flush_recordset()


@tagged("post_install", "-at_install")
class TestDeliveryPacing(SmtpServerMixin, TransactionCase):
    """Providers that close the connection after a number of messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()
        cls.env["mail.mail"].search([]).unlink()

    def test_twenty_five_messages_with_twenty_per_connection_use_two_connections(self):
        with self.smtpd() as (port, inbox):
            server = self.create_server(port, limit_per_connection=20)
            mails = self.env["mail.mail"].create(
                [
                    {"subject": f"Message {n}", "body_html": "<p>.</p>", "email_from": "sender@example.com",
                     "email_to": f"customer{n}@example.com", "mail_server_id": server.id, "auto_delete": False}
                    for n in range(25)
                ]
            )  # fmt: skip
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(set(mails.mapped("state")), {"sent"})
        per_connection = Counter(entry["connection"] for entry in inbox.messages)
        self.assertEqual(sorted(per_connection.values()), [5, 20])

    def test_a_mail_to_several_partners_counts_one_message_each(self):
        partners = self.env["res.partner"].create([{"name": f"P{n}", "email": f"p{n}@example.com"} for n in range(3)])
        with self.smtpd() as (port, inbox):
            server = self.create_server(port, limit_per_connection=4)
            values = {"body_html": "<p>.</p>", "email_from": "sender@example.com", "mail_server_id": server.id}
            self.env["mail.mail"].create(
                [
                    {**values, "subject": "To three", "recipient_ids": [(6, 0, partners.ids)]},
                    {**values, "subject": "To two", "recipient_ids": [(6, 0, partners[:2].ids)]},
                ]
            )
            self.env["mail.mail"].process_email_queue()
        per_connection = Counter(entry["connection"] for entry in inbox.messages)
        self.assertEqual(sorted(per_connection.values()), [2, 3], "3 + 2 messages do not fit in one of 4")

    def test_thirty_one_messages_with_thirty_a_minute(self):
        """Microsoft 365 refuses over 30 messages a minute: the 31st waits for the next minute."""
        with self.smtpd() as (port, inbox):
            server = self.create_server(port, limit_per_minute=30, limit_per_hour=1000)
            mails = self.env["mail.mail"].create(
                [
                    {"subject": f"Message {n}", "body_html": "<p>.</p>", "email_from": "sender@example.com",
                     "email_to": f"customer{n}@example.com", "mail_server_id": server.id, "auto_delete": False}
                    for n in range(31)
                ]
            )  # fmt: skip
            before = fields.Datetime.now()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(inbox.messages), 30)
        waiting = mails.filtered(lambda mail: mail.state == "outgoing")
        self.assertEqual(waiting, mails.sorted("id")[-1], "the last queued waits, not failed")
        self.assertLessEqual(waiting.scheduled_date - before, timedelta(minutes=1))
        self.assertEqual((server.limit_minute_count, server.limit_hour_count), (30, 30))


@tagged("post_install", "-at_install")
class TestTwoWorkersShareALimit(SmtpServerMixin, TransactionCase):
    """Two queue runs at once, each in its own thread, transaction and database connection, as two
    Odoo workers: together they stay within the server's limit and send no mail twice. The data is
    committed (the workers must see it), then removed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_smtp()

    def test_two_workers_together_stay_within_the_hourly_limit(self):
        registry = self.registry
        created = {}
        with self.smtpd(inbox=Inbox(delay=0.02)) as (port, inbox):
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    server = env["ir.mail_server"].create(
                        {"name": "Two workers", "smtp_host": "127.0.0.1", "smtp_port": port,
                         "smtp_encryption": "none", "limit_per_hour": 10}
                    )  # fmt: skip
                    mails = env["mail.mail"].create(
                        [
                            {"subject": f"Message {n}", "body_html": "<p>.</p>", "email_from": "sender@example.com",
                             "email_to": f"customer{n}@example.com", "mail_server_id": server.id,
                             "auto_delete": False}
                            for n in range(30)
                        ]
                    )  # fmt: skip
                    created = {"server": server.id, "mails": mails.ids}
                start = threading.Barrier(2)
                errors = []

                def worker():
                    try:
                        start.wait()
                        with registry.cursor() as cr:
                            # The test runner holds the registry lock: give the cursor its registry.
                            cr.transaction = api.Transaction(registry)
                            env = api.Environment(cr, SUPERUSER_ID, {})
                            env["mail.mail"].process_email_queue(ids=created["mails"])
                    except Exception as error:  # reported by the test below
                        errors.append(error)

                threads = [threading.Thread(target=worker) for _ in range(2)]
                # One clock hour for both (the SMTP server's event loop keeps the real clock).
                with freeze_time("2026-11-23 14:25:00", ignore=["asyncio", "aiosmtpd"]):
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join(30)
                self.assertFalse([thread for thread in threads if thread.is_alive()], "a worker hung")
                self.assertFalse(errors)
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    states = Counter(env["mail.mail"].browse(created["mails"]).mapped("state"))
                    count = env["ir.mail_server"].browse(created["server"]).limit_hour_count
            finally:
                if created:
                    with registry.cursor() as cr:
                        env = api.Environment(cr, SUPERUSER_ID, {})
                        env["mail.mail"].browse(created["mails"]).unlink()
                        env["ir.mail_server"].browse(created["server"]).unlink()
        self.assertEqual(len(inbox.messages), 10)
        self.assertEqual(len(set(inbox.subjects())), 10, "no mail twice")
        self.assertEqual(states, {"sent": 10, "outgoing": 20}, "the others wait for the next hour, not failed")
        self.assertEqual(count, 10)
