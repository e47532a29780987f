#!/usr/bin/env python3
"""Benchmark: Odoo's mail queue alone, with and without this repository's delivery bookkeeping.

Usage: python3 bench/bench_mail_queue.py [--messages 5000] [--keep]

Creates a database (mail_outgoing_delivery and cobranca_email, no demo data) and a local SMTP sink
(aiosmtpd on 127.0.0.1), then, for each scenario, queues ``--messages`` plain e-mails (one recipient,
a few lines of HTML) through a mail server pointing at the sink and times Odoo's queue
(``mail.mail.process_email_queue``, batches of 1,000 as its scheduled action) until none is left.
It prints messages per second and SQL queries per message of each scenario:

1. no limits: Odoo's own path (the delivery addon's retry hooks are on, but nothing fails);
2. hourly and daily limits far above the load: the sending-limit bookkeeping (claims, counters);
3. 20 messages per connection: a new SMTP connection every 20 messages;
4. 10% of messages answered ``451 try again later``: the retry bookkeeping (each retried message is
   sent again once its wait is over; the time to wait is not counted).

Not a test: it asserts nothing. Needs Odoo 18 and `make setup`.
"""

import argparse
import logging
import os
import sys
import tempfile
import threading
import time
import zlib

from bench_common import addons_path, create_database, db_options, drop_database, free_port, odoo_command

SCENARIOS = (
    ("no limits", {}, 0.0),
    ("hourly and daily limits (far above the load)", {"limit_per_hour": 1_000_000, "limit_per_day": 10_000_000}, 0.0),
    ("20 messages per connection", {"limit_per_connection": 20}, 0.0),
    ("10% answered 451 try again later, then retried", {"retry_first_delay": 1}, 0.1),
)


class Sink:
    """aiosmtpd handler: counts, and answers 451 to a fixed share of first attempts."""

    def __init__(self):
        self.accepted = 0
        self.deferred = 0
        self.defer_rate = 0.0
        self.seen = set()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        key = bytes(envelope.original_content or envelope.content or b"")[-200:]
        with self.lock:
            first = key not in self.seen
            self.seen.add(key)
            if first and (zlib.crc32(key) % 1000) / 1000 < self.defer_rate:
                self.deferred += 1
                return "451 4.3.0 try again later"
            self.accepted += 1
        return "250 OK"


def queue_messages(env, server, count, tag):
    values = [
        {
            "subject": f"{tag} message {number}",
            "body_html": f"<p>Message {number} of the benchmark: a few lines, as a notification has.</p>",
            "email_from": "bench@example.com",
            "email_to": f"customer{number:05d}@example.com",
            "mail_server_id": server.id,
        }
        for number in range(count)
    ]
    for start in range(0, count, 1000):
        env["mail.mail"].create(values[start : start + 1000])


def drain(env, cr):
    """Run the queue as its scheduled action does until nothing is outgoing; returns (seconds, queries)."""
    from odoo import fields  # noqa: PLC0415

    Mail = env["mail.mail"]
    queries, seconds = 0, 0.0
    while True:
        due = Mail.search_count(
            [
                ("state", "=", "outgoing"),
                "|",
                ("scheduled_date", "=", False),
                ("scheduled_date", "<=", fields.Datetime.now()),
            ]
        )
        if not due:
            waiting = Mail.search([("state", "=", "outgoing")])
            if not waiting:
                return seconds, queries
            # Retries: the wait is not what is measured; make them due now.
            waiting.write({"scheduled_date": False})
            cr.commit()
            continue
        before, start = cr.sql_log_count, time.perf_counter()
        Mail.process_email_queue(batch_size=1000)
        cr.commit()
        seconds += time.perf_counter() - start
        queries += cr.sql_log_count - before


def run(args, cmd, root):
    import aiosmtpd.controller  # noqa: PLC0415

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    dbname = f"cobranca_bench_queue_{os.getpid()}"
    data_dir = tempfile.mkdtemp(prefix="cobranca-bench-")
    os.environ.setdefault("XDG_RUNTIME_DIR", data_dir)
    odoo.tools.config["data_dir"] = data_dir
    print(f"creating {dbname}...", flush=True)
    create_database(cmd, root, dbname, data_dir, modules="mail_outgoing_delivery,cobranca_email")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's conversation log
    sink = Sink()
    port = free_port()
    controller = aiosmtpd.controller.Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    rows = []
    try:
        registry = Registry.new(dbname)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            # The queue's own scheduled action stays out of the way (we call it ourselves).
            env.ref("mail.ir_cron_mail_scheduler_action").active = False
            for name, server_values, defer_rate in SCENARIOS:
                server = env["ir.mail_server"].create(
                    {"name": name, "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_encryption": "none",
                     **server_values}
                )  # fmt: skip
                queue_messages(env, server, args.messages, name)
                cr.commit()
                sink.defer_rate, accepted_before = defer_rate, sink.accepted
                seconds, queries = drain(env, cr)
                sent = sink.accepted - accepted_before
                rows.append((name, sent, seconds, queries))
                print(
                    f"{name}: {sent} delivered in {seconds:.1f} s, {sent / seconds:.0f} messages/s, "
                    f"{queries / max(sent, 1):.1f} SQL queries a message",
                    flush=True,
                )
                server.active = False
                cr.commit()
        print("\n| scenario | messages | seconds | messages/s | SQL queries a message |\n|---|---|---|---|---|")
        for name, sent, seconds, queries in rows:
            print(f"| {name} | {sent:,} | {seconds:.1f} | {sent / seconds:.0f} | {queries / max(sent, 1):.1f} |")
        base = rows[0][1] / rows[0][2]
        for name, sent, seconds, _queries in rows[1:]:
            print(f"{name}: {100 * (1 - (sent / seconds) / base):+.1f}% throughput cost against no limits")
        print(f"(451 answers at the sink: {sink.deferred})")
    finally:
        controller.stop()
        if args.keep:
            print(f"kept database {dbname}")
        else:
            Registry.delete(dbname)
            drop_database(cmd, dbname, data_dir)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    cmd, root = odoo_command()
    if cmd is None:
        print(root, file=sys.stderr)
        return 2
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config([*db_options(), f"--addons-path={addons_path(root)}", "--log-level=warn"])
    run(args, cmd, root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
