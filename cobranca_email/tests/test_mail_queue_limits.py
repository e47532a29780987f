import threading
from datetime import datetime

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import tagged

from odoo.addons.mail_outgoing_delivery.models.mail_mail import CLAIM_LOCK_NAMESPACE

from .smtp_server import Inbox, SmtpCase, free_port

# The SMTP server's event loop keeps the real clock.
REAL_TIME = ["asyncio", "aiosmtpd"]


class QueueCase(SmtpCase):
    def queue(self, server, count, first=1, env=None, **values):
        """``count`` billing e-mails (what mail.template.send_mail creates) waiting in the queue."""
        env = env or self.env
        return env["mail.mail"].create(
            [
                {
                    "subject": f"Boleto {number}",
                    "body_html": f"<p>Boleto {number}</p>",
                    "email_from": "Financeiro ACME <cobranca@acme.com.br>",
                    "email_to": f"cliente{number}@example.com",
                    "mail_server_id": server.id,
                    "cobranca_purpose": "boleto",
                    "auto_delete": True,
                    **values,
                }
                for number in range(first, first + count)
            ]
        )

    def logs_of(self, mails):
        Log = self.env["cobranca.email.log"]
        return Log.concat(*(Log.search([("mail_mail_id", "=", mail.id)]) for mail in mails))


@tagged("post_install", "-at_install")
class TestSendingLimits(QueueCase):
    def test_twelve_messages_to_a_server_limited_to_ten_per_hour(self):
        with self.smtpd("none") as (port, inbox):
            server = self.create_server(port, "none", limit_per_hour=10)
            with freeze_time("2026-11-23 14:25:00", ignore=REAL_TIME):
                mails = self.queue(server, 12)
                logs = self.logs_of(mails)
                self.env["mail.mail"].process_email_queue()

            self.assertEqual(inbox.subjects(), [f"Boleto {n}" for n in range(1, 11)])
            # The two over the limit are neither failed nor dropped: still outgoing, for 15:00.
            waiting = mails.exists()
            self.assertEqual(waiting, mails[10:])
            self.assertRecordValues(
                waiting, [{"state": "outgoing", "scheduled_date": datetime(2026, 11, 23, 15, 0)}] * 2
            )
            # All twelve are in the e-mail log, with what really happened to each.
            self.assertEqual(len(logs), 12)
            self.assertEqual(logs.mapped("state"), ["sent"] * 10 + ["deferred"] * 2)
            self.assertEqual(logs[10:].mapped("scheduled_date"), [datetime(2026, 11, 23, 15, 0)] * 2)
            self.assertFalse(logs[:10].mail_mail_id, "the sent ones were deleted by the queue, their log stays")
            self.assertEqual(server.limit_hour_count, 10)

            with freeze_time("2026-11-23 14:59:00", ignore=REAL_TIME):
                self.env["mail.mail"].process_email_queue()
            self.assertEqual(len(inbox.messages), 10, "still the same hour")

            with freeze_time("2026-11-23 15:00:05", ignore=REAL_TIME):
                self.env["mail.mail"].process_email_queue()
        # The next hour, the two deferred ones leave, in their order.
        self.assertEqual(inbox.subjects(), [f"Boleto {n}" for n in range(1, 13)])
        self.assertEqual(logs.mapped("state"), ["sent"] * 12)
        self.assertFalse(mails.exists())
        self.assertEqual(server.limit_hour_count, 2)

    def test_daily_limit_restarts_at_local_midnight(self):
        with self.smtpd("none") as (port, inbox):
            server = self.create_server(port, "none", limit_per_day=3, limit_tz="America/Sao_Paulo")
            # 01:30 UTC on the 24th is still 22:30 on the 23rd in São Paulo.
            with freeze_time("2026-11-24 01:30:00", ignore=REAL_TIME):
                mails = self.queue(server, 5)
                self.env["mail.mail"].process_email_queue()
            self.assertEqual(len(inbox.messages), 3)
            self.assertEqual(mails.exists().mapped("scheduled_date"), [datetime(2026, 11, 24, 3, 0)] * 2)
            with freeze_time("2026-11-24 03:00:01", ignore=REAL_TIME):
                self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(inbox.messages), 5)

    def test_deferred_mails_leave_before_newer_ones(self):
        with self.smtpd("none") as (port, inbox):
            server = self.create_server(port, "none", limit_per_hour=2)
            with freeze_time("2026-11-23 14:10:00", ignore=REAL_TIME):
                self.queue(server, 4)
                self.env["mail.mail"].process_email_queue()
            with freeze_time("2026-11-23 14:50:00", ignore=REAL_TIME):
                newer = self.queue(server, 2, first=5)
                self.env["mail.mail"].process_email_queue()
            self.assertEqual(inbox.subjects(), ["Boleto 1", "Boleto 2"])
            # At 15:00 the queue takes a batch of two: the oldest, not the newest (Odoo's default order).
            with freeze_time("2026-11-23 15:00:05", ignore=REAL_TIME):
                self.env["mail.mail"].process_email_queue(batch_size=2)
            self.assertEqual(inbox.subjects(), ["Boleto 1", "Boleto 2", "Boleto 3", "Boleto 4"])
            self.assertEqual(newer.mapped("state"), ["outgoing"] * 2)
            with freeze_time("2026-11-23 15:10:00", ignore=REAL_TIME):
                self.env["mail.mail"].process_email_queue(batch_size=2)
            self.assertEqual(len(inbox.messages), 4, "the hour is full again")
            self.assertEqual(newer.mapped("scheduled_date"), [datetime(2026, 11, 23, 16, 0)] * 2)

    def test_limit_check_costs_the_same_for_three_or_thirty_mails(self):
        """The limit check reads the counters once per server, never counts sent mail."""
        queries = []
        for count in (2, 3, 30):  # the first run warms the caches up
            server = self.create_server(free_port(), "none", limit_per_hour=1)
            mails = self.queue(server, count)
            plan = mails._delivery_sending_plan()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            allowed = mails._delivery_apply_limits(plan, auto_commit=False)
            self.env.flush_all()
            queries.append(self.env.cr.sql_log_count - before)
            self.assertEqual(allowed, mails[0])
            self.assertEqual(set(self.logs_of(mails[1:]).mapped("state")), {"deferred"})
        self.assertEqual(queries[1], queries[2], queries)

    def test_mail_claimed_by_another_worker_is_left_to_it(self):
        with self.smtpd("none") as (port, inbox):
            server = self.create_server(port, "none", purpose_boleto=True)
            mails = self.queue(server, 3)
            other_worker = sql_db.db_connect(self.env.cr.dbname).cursor()
            try:
                other_worker.execute("SELECT pg_advisory_lock(%s, %s)", [CLAIM_LOCK_NAMESPACE, mails[1].id])
                self.env["mail.mail"].process_email_queue()
                self.assertEqual(inbox.subjects(), ["Boleto 1", "Boleto 3"])
                self.assertEqual(mails[1].state, "outgoing")
                other_worker.execute("SELECT pg_advisory_unlock(%s, %s)", [CLAIM_LOCK_NAMESPACE, mails[1].id])
            finally:
                other_worker.close()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(inbox.subjects(), ["Boleto 1", "Boleto 3", "Boleto 2"])


@tagged("post_install", "-at_install")
class TestConcurrentQueueWorkers(QueueCase):
    """Two queue runs at once, each in its own thread, transaction and database connection, as two
    Odoo workers: the data is committed, then removed at the end."""

    def run_workers(self, server_values, count):
        registry = self.registry
        created = {}
        with self.smtpd("none", inbox=Inbox(delay=0.02)) as (port, inbox):
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    server = env["ir.mail_server"].create(
                        {
                            "name": "Concurrent workers",
                            "smtp_host": "127.0.0.1",
                            "smtp_port": port,
                            "smtp_encryption": "none",
                            **server_values,
                        }
                    )
                    mails = self.queue(server, count, env=env, auto_delete=False)
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
                            # Only these mails: rows the test's own open transaction holds would block.
                            env["mail.mail"].process_email_queue(ids=created["mails"])
                    except Exception as error:  # reported by the test below
                        errors.append(error)

                threads = [threading.Thread(target=worker) for _ in range(2)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(30)

                self.assertFalse([thread for thread in threads if thread.is_alive()], "a worker hung")
                self.assertFalse(errors)
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    mails = env["mail.mail"].browse(created["mails"])
                    states = mails.mapped("state")
                    log_states = env["cobranca.email.log"].search([("mail_mail_id", "in", mails.ids)]).mapped("state")
                    counters = env["ir.mail_server"].browse(created["server"]).limit_hour_count
                return inbox, states, log_states, counters
            finally:
                if created:
                    with registry.cursor() as cr:
                        env = api.Environment(cr, SUPERUSER_ID, {})
                        env["cobranca.email.log"].search([("mail_mail_id", "in", created["mails"])]).unlink()
                        env["mail.mail"].browse(created["mails"]).unlink()
                        env["ir.mail_server"].browse(created["server"]).unlink()

    def test_two_workers_never_send_a_mail_twice(self):
        inbox, states, log_states, _counters = self.run_workers({"purpose_boleto": True}, 30)
        subjects = inbox.subjects()
        self.assertEqual(len(subjects), 30, "each mail exactly once")
        self.assertEqual(sorted(subjects), sorted(f"Boleto {n}" for n in range(1, 31)))
        self.assertEqual(set(states), {"sent"})
        self.assertEqual(log_states, ["sent"] * 30)

    def test_two_workers_together_stay_within_the_limit(self):
        with freeze_time("2026-11-23 14:25:00", ignore=REAL_TIME):
            inbox, states, log_states, counters = self.run_workers({"limit_per_hour": 10}, 30)
        self.assertEqual(len(inbox.messages), 10)
        self.assertEqual(sorted(log_states), ["deferred"] * 20 + ["sent"] * 10)
        self.assertEqual(len(set(inbox.subjects())), 10)
        self.assertEqual(sorted(states), ["outgoing"] * 20 + ["sent"] * 10)
        self.assertEqual(counters, 10)
