#!/usr/bin/env python3
"""Benchmark under faults: boleto e-mails and dunning notices sent by two cron workers to a failing SMTP server.

Usage: python3 bench/bench_faults.py [--partners 2000] [--installments 20000] [--fault-rate 0.1]
                                     [--drop-rate 0.03] [--seed 2026] [--mode cron|direct] [--keep]

Creates a database (cobranca_email, no demo data), a Brazilian company with an Itaú wallet that
e-mails boletos when invoices are posted and has dunning notices on, the customers (e-mail
delivery) and their posted invoices of 2 installments each (30 and 60 days; invoice dates spread
over the last 120 days, as in bench_dunning.py, so most installments are past due and some are
coming due): every invoice's boleto e-mail is *To send*. Then:

1. **Faulty run.** A local SMTP sink (aiosmtpd on 127.0.0.1) refuses a seeded random
   ``--fault-rate`` of the messages at the end of DATA, half with a temporary ``451 4.3.0`` and
   half with a permanent ``550 5.1.1``, and hangs up on ``--drop-rate`` of them (one third each
   when the sender gives the next MAIL FROM of a session, at RCPT TO, and after the content
   instead of replying). Two cron workers, separate processes each with its own registry, run
   Odoo's scheduler (``ir_cron._process_jobs``, which locks a job with ``FOR NO KEY UPDATE SKIP
   LOCKED``, so one job runs in one worker at a time) on the database: "Billing e-mail: Send
   generated boletos", "Send dunning notices" (triggered, with PDFs) and "Mail: Email Queue
   Manager". They stop when none of the three is ready and none has work left; when one has work
   left but is not ready (it reported nothing left to do and was rescheduled), they wait for its
   next call, as Odoo would (up to ``--max-wait``), and the report says so. Odoo's other scheduled
   actions are postponed, so the times are those of billing. ``--mode direct``: the workers call
   the three actions' methods in a loop instead, without the scheduler's job lock, so that both
   run the same action at the same time (the addon's own claims are then all that keeps a
   message from leaving twice).
2. **Later run.** The sink turns healthy and the three actions are triggered again; the two
   workers run again until nothing is left.

After each run it prints the counts of the database (boleto e-mails and dunning notices sent,
failed, still to send; e-mail log and mail.mail by state; retries), the wall time, the peak
memory of each worker, and the checks, as PASS/FAIL lines:

(a) for boleto e-mails and for dunning notices: sent + failed + still to send = due;
(b) no (recipients, subject) accepted twice by the sink (and the sink accepted what the
    database says was sent);
(c) after the later run, nothing is still to send, and every message not refused for good (5xx)
    was delivered.

Not a test: a FAIL is printed, the script goes on and exits 0 unless it could not run. Drops its
database at the end unless --keep. Needs Odoo 18, wkhtmltopdf and aiosmtpd (`make setup`).
"""

import argparse
import email.parser
import email.policy
import hashlib
import json
import logging
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

from bench_common import (
    REPO,
    addons_path,
    billing_company,
    create_database,
    db_options,
    drop_database,
    free_port,
    odoo_command,
)

BATCH = 500
INSTALLMENTS_PER_INVOICE = 2  # bench_common.billing_company's 30/60 days payment term
BOLETO_CRON = "cobranca_email.ir_cron_send_boleto_emails"
DUNNING_CRON = "cobranca_email.ir_cron_cobranca_dunning"
MAIL_CRON = "mail.ir_cron_mail_scheduler_action"
CRONS = (BOLETO_CRON, DUNNING_CRON, MAIL_CRON)
CRON_NAMES = {BOLETO_CRON: "Billing e-mail: Send generated boletos", DUNNING_CRON: "Send dunning notices",
              MAIL_CRON: "Mail: Email Queue Manager"}  # fmt: skip
DUNNING_PURPOSES = ("dunning", "notice")
TEMPORARY = "451 4.3.0 try again later"
PERMANENT = "550 5.1.1 mailbox unavailable"
HANG_UP = "421 4.3.2 closing connection"  # never reaches the client: the transport is closed first

# What the workers count in their own log records (logger, message template) -> key.
COUNTED_LOGS = {
    ("odoo.addons.mail.models.mail_mail", "Mail with ID %r and Message-Id %r successfully sent"): "mails_sent",
    ("odoo.addons.mail.models.mail_mail", "failed sending mail (id: %s) due to %s"): "mails_failed",
    (
        "odoo.addons.mail_outgoing_delivery.models.mail_mail",
        "The SMTP server hung up while sending mail %s: trying it again",
    ): "hang_ups_retried",
    (
        "odoo.addons.mail_outgoing_delivery.models.mail_mail",
        "Mail %s failed: the SMTP server hung up (%s)",
    ): "hang_ups_failed",
    (
        "odoo.addons.mail_outgoing_delivery.models.mail_mail",
        "%s e-mail(s) to try again after a temporary failure: %s",
    ): "mails_to_retry",
    ("odoo.addons.cobranca_email.models.cobranca_dunning", "Dunning batch retried (attempt %s): %s"): (
        "dunning_batches_retried"
    ),
    (
        "odoo.addons.cobranca_email.models.cobranca_dunning",
        "Dunning notices of %s: a batch failed, running its customers one by one",
    ): "dunning_batches_one_by_one",
    (
        "odoo.addons.cobranca_email.models.cobranca_dunning",
        "Dunning notices of %s: customer(s) %s left to the run at work on them: %s",
    ): "dunning_customers_left_to_another_run",
    (
        "odoo.addons.cobranca_email.models.account_move",
        "A batch of %s invoices failed together, doing them one by one",
    ): "boleto_batches_one_by_one",
}
CRON_LOG = ("odoo.addons.base.models.ir_cron", "Job %r (%s) processed %s records, %s records remaining")


# --------------------------------------------------------------------------------------------------
# The faulty SMTP sink
# --------------------------------------------------------------------------------------------------


class FaultySink:
    """aiosmtpd handler that refuses and hangs up on a seeded random share of the messages.

    Each message is known by its recipients and subject. Refusals and hang-ups after the content
    are drawn from a hash of (seed, message, attempt), so the same messages fail from one run to the
    next whatever the order in which the workers send them; hang-ups at MAIL FROM and RCPT TO (where
    the subject is not known yet) are drawn from a random generator seeded alike. A message is
    accepted only with the 250 reply: a hang-up never loses or duplicates an accepted message.
    """

    def __init__(self, fault_rate, drop_rate, seed):
        self.fault_rate = fault_rate
        self.drop_rate = drop_rate
        self.seed = seed
        self.faulty = True
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.accepted = Counter()  # message -> times accepted
        self.attempts = Counter()  # message -> times its content reached the sink
        self.history = defaultdict(list)  # message -> replies, in order ("250", "451", "550", "drop")
        self.events = Counter()

    def _chance(self, *parts):
        digest = hashlib.sha256(repr((self.seed, *parts)).encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def _hang_up(self, server, where):
        with self.lock:
            self.events[f"dropped at {where}"] += 1
        server.transport.close()
        return HANG_UP

    def _random_drop(self):
        with self.lock:
            return self.faulty and self.rng.random() < self.drop_rate / 3

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # A session the server drops between two messages (idle timeout, restart): the message
        # before was accepted, this one is not.
        if getattr(session, "bench_messages", 0) and self._random_drop():
            return self._hang_up(server, "MAIL FROM")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._random_drop():
            return self._hang_up(server, "RCPT TO")
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        session.bench_messages = getattr(session, "bench_messages", 0) + 1
        content = envelope.original_content or envelope.content or b""
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(
            content.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
        )
        key = (tuple(sorted(address.lower() for address in envelope.rcpt_tos)), str(headers["Subject"] or ""))
        with self.lock:
            self.attempts[key] += 1
            attempt = self.attempts[key]
            faulty = self.faulty
        reply = "250"
        if faulty and self._chance("fault", key, attempt) < self.fault_rate:
            reply = "451" if self._chance("kind", key, attempt) < 0.5 else "550"
        elif faulty and self._chance("drop", key, attempt) < self.drop_rate / 3:
            reply = "drop"
        with self.lock:
            self.history[key].append(reply)
            if reply == "250":
                self.accepted[key] += 1
            elif reply != "drop":
                self.events[f"refused {reply}"] += 1
        if reply == "drop":
            return self._hang_up(server, "end of DATA")
        return {"250": "250 2.0.0 OK", "451": TEMPORARY, "550": PERMANENT}[reply]

    def summary(self):
        with self.lock:
            return {
                "accepted": sum(self.accepted.values()),
                "events": dict(self.events),
                "duplicates": {key: count for key, count in self.accepted.items() if count > 1},
                "history": {key: list(replies) for key, replies in self.history.items()},
            }


# --------------------------------------------------------------------------------------------------
# The cron workers (separate processes: this script with --worker)
# --------------------------------------------------------------------------------------------------


class LogCounter(logging.Handler):
    """Counts the log records the benchmark reports (retries, sends, cron calls) and the errors."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.counts = Counter()
        self.jobs = defaultdict(lambda: [0, 0])  # cron name -> [calls, records done]

    def emit(self, record):
        key = COUNTED_LOGS.get((record.name, record.msg))
        if key:
            self.counts[key] += 1
        elif (record.name, record.msg) == CRON_LOG:
            name, _cron_id, done, _remaining = record.args
            self.jobs[str(name)][0] += 1
            self.jobs[str(name)][1] += done or 0
        if record.levelno >= logging.ERROR:
            self.counts[f"ERROR lines of {record.name}"] += 1


def call_actions(registry, counter):
    """--mode direct: the three actions' methods, each in its own transaction, as the scheduler would
    call them but without its job lock, so both workers run the same action at the same time."""
    import odoo  # noqa: PLC0415

    for xmlid in CRONS:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            try:
                if xmlid == BOLETO_CRON:
                    env["account.move"]._cron_send_boleto_emails()
                elif xmlid == DUNNING_CRON:
                    env["cobranca.dunning"]._cron_send_dunning_notices()
                else:
                    env["mail.mail"].process_email_queue(batch_size=1000)
                cr.commit()
            except Exception:  # as Odoo's scheduler: logged, rolled back, called again later
                logging.getLogger(__name__).exception("Action %s failed", CRON_NAMES[xmlid])
                cr.rollback()
                counter.counts["action failures"] += 1
        counter.jobs[CRON_NAMES[xmlid]][0] += 1


def worker_main(args):
    """One cron worker: Odoo's scheduler on the database until the benchmark says stop.

    Odoo's cron thread calls ``ir_cron._process_jobs`` when woken up (a trigger's NOTIFY, or every
    60 s); this loop calls it again as soon as it returns (after 0.2 s when it found nothing to
    do), until the file ``--stop-file`` exists. Writes its counts and peak memory to
    ``--worker-result``.
    """
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [*db_options(), f"--addons-path={args.worker_addons}", f"--data-dir={args.data_dir}",
         f"--logfile={args.worker_log}", "--log-level=warn",
         "--log-handler=odoo.addons.base.models.ir_cron:INFO", "--log-handler=odoo.addons.cobranca_email:INFO",
         "--log-handler=odoo.addons.mail.models.mail_mail:INFO"]
    )  # fmt: skip
    counter = LogCounter()
    logging.getLogger().addHandler(counter)
    from odoo.modules.registry import Registry  # noqa: PLC0415

    from odoo.addons.base.models.ir_cron import ir_cron  # noqa: PLC0415

    dbname = args.worker
    started = time.perf_counter()
    registry = Registry(dbname)
    loaded = time.perf_counter()
    stop = Path(args.stop_file)
    while not stop.exists():
        if args.mode == "direct":
            call_actions(registry, counter)
            time.sleep(0.1)
            continue
        calls = sum(calls for calls, _done in counter.jobs.values())
        ir_cron._process_jobs(dbname)
        if sum(calls for calls, _done in counter.jobs.values()) == calls:
            time.sleep(0.2)
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "pid": os.getpid(),
        "registry_seconds": loaded - started,
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": own.ru_maxrss / 1024,
        "children_peak_rss_mb": children.ru_maxrss / 1024,
        "cpu_seconds": own.ru_utime + own.ru_stime,
        "children_cpu_seconds": children.ru_utime + children.ru_stime,
        "counts": dict(counter.counts),
        "jobs": {name: list(values) for name, values in counter.jobs.items()},
    }
    Path(args.worker_result).write_text(json.dumps(result))


# --------------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args, cmd, root):
        self.args = args
        self.cmd = cmd
        self.root = root
        self.dbname = f"cobranca_bench_faults_{os.getpid()}"
        self.data_dir = tempfile.mkdtemp(prefix="cobranca-bench-")
        self.log_dir = Path(args.log_dir or tempfile.mkdtemp(prefix="cobranca-bench-faults-logs-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.sink = FaultySink(args.fault_rate, args.drop_rate, args.seed)
        self.registry = None
        self.company_id = None
        self.today = None
        self.cron_ids = []
        self.due_move_ids = []
        self.due_partner_ids = []
        self.phases = []

    # set-up

    def build(self, env):
        """Company, mail server, customers and their posted invoices, committed batch by batch."""
        from odoo import Command  # noqa: PLC0415

        args, cr = self.args, env.cr
        company, term = billing_company(env, email_on_post=True)
        company.write(
            {"cobranca_delivery_type": "email", "cobranca_dunning_enabled": True, "cobranca_dunning_upcoming_days": 3,
             "cobranca_dunning_include_overdue": True, "cobranca_dunning_overdue_after_days": 2,
             "cobranca_dunning_interval_days": 5}
        )  # fmt: skip
        server_values = {"name": "Faulty sink", "smtp_host": "127.0.0.1", "smtp_port": self.port,
                         "smtp_encryption": "none", "smtp_timeout": 30,
                         "sender_email": "cobranca@bench.com.br"}  # fmt: skip
        for purpose in ("purpose_boleto", "purpose_dunning", "purpose_notice"):
            if purpose in env["ir.mail_server"]._fields:
                server_values[purpose] = True
        # Temporary failures are tried again (mail_outgoing_delivery): after 1, then 2 minutes here,
        # so that the run measures the retries rather than the wait.
        if "retry_first_delay" in env["ir.mail_server"]._fields:
            server_values.update(retry_first_delay=1, retry_max_delay=2)
        env["ir.mail_server"].create(server_values)
        customers = env["res.partner"].create(
            [{"name": f"Cliente {n:05d}", "email": f"cliente{n:05d}@example.com", "vat": "529.982.247-25",
              "street": f"Rua {n}, 100", "city": "Campinas", "country_id": env.ref("base.br").id}
             for n in range(args.partners)]
        )  # fmt: skip
        cr.commit()
        today = env["cobranca.dunning"]._today(company)
        invoices = -(-args.installments // INSTALLMENTS_PER_INVOICE)
        rng = random.Random(args.seed)
        started = time.perf_counter()
        for start in range(0, invoices, BATCH):
            moves = env["account.move"].create(
                [{"move_type": "out_invoice", "partner_id": customers[n % args.partners].id,
                  "invoice_date": today - timedelta(days=rng.randrange(120)), "invoice_payment_term_id": term.id,
                  "invoice_line_ids": [Command.create({"name": "Mensalidade", "quantity": 1,
                                                       "price_unit": round(rng.uniform(50, 900), 2)})]}
                 for n in range(start, min(start + BATCH, invoices))]
            )  # fmt: skip
            moves.action_post()
            cr.commit()
            env.invalidate_all()
            print(f"  {start + len(moves)} invoices posted ({time.perf_counter() - started:.0f} s)", flush=True)
        return company, today

    def prepare(self):
        """What is due: the boleto e-mails to send, the customers due a notice today (a dry run)."""
        import odoo  # noqa: PLC0415

        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            started = time.perf_counter()
            company, self.today = self.build(env)
            self.company_id = company.id
            env = env(context={"allowed_company_ids": [company.id]})
            cr.execute(
                """SELECT count(*), count(*) FILTER (WHERE date_maturity < %s),
                          count(*) FILTER (WHERE date_maturity BETWEEN %s AND %s)
                     FROM account_move_line
                    WHERE company_id = %s AND display_type = 'payment_term' AND parent_state = 'posted'""",
                [self.today, self.today, self.today + timedelta(days=3), company.id],
            )
            lines, past_due, coming = cr.fetchone()
            cr.execute(
                "SELECT id FROM account_move WHERE company_id = %s AND cobranca_mail_state = 'pending' ORDER BY id",
                [company.id],
            )
            self.due_move_ids = [row[0] for row in cr.fetchall()]
            cr.execute("SELECT count(*) FROM cobranca_boleto WHERE move_id = ANY(%s)", [self.due_move_ids])
            boletos = cr.fetchone()[0]
            plan = env["cobranca.dunning"].with_company(company)._run(company, today=self.today, dry_run=True)
            self.due_partner_ids = sorted(outcome.partner_id for outcome in plan.outcomes if outcome.planned)
            print(
                f"dataset: {self.args.partners} customers, {len(self.due_move_ids)} invoices, {lines} installments "
                f"({past_due} past due, {coming} due in the next 3 days), {boletos} boletos; built in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
            print(
                f"due: {len(self.due_move_ids)} boleto e-mails (invoices To send), {len(self.due_partner_ids)} "
                f"dunning notices today ({len(plan.to_send)} with an address)",
                flush=True,
            )
            self.cron_ids = [env.ref(xmlid).id for xmlid in CRONS]
            # Only billing runs: Odoo's other scheduled actions wait (their first run would be timed too).
            cr.execute(
                "UPDATE ir_cron SET nextcall = now() at time zone 'UTC' + interval '30 days' WHERE id != ALL(%s)",
                [self.cron_ids],
            )
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id != ALL(%s)", [self.cron_ids])

    # phases

    def trigger(self):
        import odoo  # noqa: PLC0415

        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            for xmlid in CRONS:
                env.ref(xmlid)._trigger()

    def start_worker(self, number, phase, stop):
        log = self.log_dir / f"phase{phase}-worker{number}.log"
        result = self.log_dir / f"phase{phase}-worker{number}.json"
        result.unlink(missing_ok=True)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        env.setdefault("XDG_RUNTIME_DIR", self.data_dir)
        with open(log.with_suffix(".stderr"), "w", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--worker", self.dbname, "--data-dir", self.data_dir,
                 "--worker-addons", addons_path(self.root), "--worker-log", str(log), "--worker-result", str(result),
                 "--stop-file", str(stop), "--mode", self.args.mode],
                env=env, stdout=subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
        return process, log, result

    def progress(self):
        """(boleto e-mails to compose, customers due a notice not planned yet, mails queued)."""
        import odoo  # noqa: PLC0415

        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            cr.execute(
                "SELECT count(*) FROM account_move WHERE id = ANY(%s) AND cobranca_mail_state = 'pending'",
                [self.due_move_ids],
            )
            boletos = cr.fetchone()[0]
            company = env["res.company"].browse(self.company_id)
            pending = set(env["cobranca.dunning"]._candidate_partner_ids(company, today=self.today, pending_only=True))
            cr.execute("SELECT count(*) FROM mail_mail WHERE state = 'outgoing'")
            return boletos, len(pending & set(self.due_partner_ids)), cr.fetchone()[0]

    def next_calls(self):
        """{cron xml id: seconds until it is ready (0 or less: ready now)}."""
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT cron.id,
                          EXTRACT(EPOCH FROM least(cron.nextcall, (SELECT min(t.call_at) FROM ir_cron_trigger t
                                                                    WHERE t.cron_id = cron.id))
                                             - (now() at time zone 'UTC'))
                     FROM ir_cron cron
                    WHERE cron.active AND cron.id = ANY(%s)""",
                [self.cron_ids],
            )
            seconds = dict(cr.fetchall())
        return {xmlid: float(seconds[cron_id]) for xmlid, cron_id in zip(CRONS, self.cron_ids, strict=True)
                if cron_id in seconds}  # fmt: skip

    def run_phase(self, number, faulty):
        """Two workers until no action is ready and none has work left.

        When work is left but its action is not ready (it reported nothing left to do and was
        rescheduled), the workers wait for its next call, as Odoo would, up to ``--max-wait``.
        """
        title = "faulty sink" if faulty else "healthy sink (later run)"
        self.sink.faulty = faulty
        self.trigger()
        before = self.sink.summary()
        how = "Odoo's scheduler" if self.args.mode == "cron" else "the actions called directly, no job lock"
        print(f"\nphase {number}: two cron workers ({how}), {title}...", flush=True)
        stop = self.log_dir / f"phase{number}.stop"
        stop.unlink(missing_ok=True)
        start = time.perf_counter()
        workers = [self.start_worker(n, number, stop) for n in (1, 2)]
        marks, notes, last_print, idle_since, ending = {}, [], start, None, None
        waited = Counter()
        try:
            while not ending:
                time.sleep(2)
                elapsed = time.perf_counter() - start
                boletos, notices, queued = self.progress()
                work = {BOLETO_CRON: boletos, DUNNING_CRON: notices, MAIL_CRON: queued}
                if not boletos:
                    marks.setdefault("no boleto e-mail left to compose", elapsed)
                if not notices:
                    marks.setdefault("no dunning notice left to compose", elapsed)
                if not any(work.values()):
                    marks.setdefault("nothing left to compose or send", elapsed)
                if time.perf_counter() - last_print >= self.args.progress:
                    last_print = time.perf_counter()
                    sink = self.sink.summary()
                    print(
                        f"  [{elapsed:6.0f} s] to compose: {boletos} boleto e-mails, {notices} notices; {queued} "
                        f"queued; sink: {sink['accepted']} accepted, {dict(sorted(sink['events'].items()))}",
                        flush=True,
                    )
                if any(process.poll() is not None for process, _log, _result in workers):
                    ending = "a worker stopped"
                elif elapsed > self.args.timeout:
                    ending = f"--timeout ({self.args.timeout:.0f} s)"
                if self.args.mode == "direct":  # the workers call the actions, ready or not
                    next_calls = {xmlid: 0 if work[xmlid] else float("inf") for xmlid in CRONS}
                else:
                    next_calls = self.next_calls()
                if any(seconds <= 0 for seconds in next_calls.values()):
                    idle_since = None
                    continue
                waiting = {xmlid: next_calls.get(xmlid, float("inf")) for xmlid, left in work.items() if left}
                if not waiting:
                    idle_since = idle_since or time.perf_counter()
                    if time.perf_counter() - idle_since >= self.args.idle:
                        ending = ending or "done"
                    continue
                idle_since = None
                xmlid, seconds = min(waiting.items(), key=lambda item: item[1])
                note = (
                    f"{work[xmlid]} item(s) left for '{CRON_NAMES[xmlid]}', which is not ready: it reported "
                    f"nothing left and runs again in {seconds:.0f} s"
                )
                if seconds > self.args.max_wait:
                    ending = ending or f"work left, next call beyond --max-wait ({self.args.max_wait:.0f} s)"
                    notes.append(f"at {elapsed:.0f} s: {note}: not waited for")
                    continue
                if not waited[xmlid]:
                    notes.append(f"at {elapsed:.0f} s: {note}: waited for")
                    print(f"  [{elapsed:6.0f} s] {note}", flush=True)
                waited[xmlid] += 2
        finally:
            stop.touch()
            for process, _log, _result in workers:
                try:
                    process.wait(600)
                except subprocess.TimeoutExpired:
                    process.terminate()
                    try:
                        process.wait(30)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
        seconds = time.perf_counter() - start
        results = []
        for process, log, result in workers:
            data = json.loads(result.read_text()) if result.exists() else None
            results.append({"exit": process.returncode, "log": str(log), "result": data})
        phase = {"number": number, "title": title, "seconds": seconds, "marks": marks, "workers": results,
                 "ending": ending, "notes": notes, "waited": dict(waited), "sink_before": before,
                 "sink_after": self.sink.summary()}  # fmt: skip
        self.phases.append(phase)
        return phase

    # counting

    def tally(self):
        """The database's counts, from the e-mail log (which outlives the mails the queue deletes)."""
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT coalesce(cobranca_mail_state, 'none'), count(*) FROM account_move
                    WHERE id = ANY(%s) GROUP BY 1""",
                [self.due_move_ids],
            )
            moves = dict(cr.fetchall())
            cr.execute("SELECT purpose, state, count(*) FROM cobranca_email_log GROUP BY 1, 2")
            logs = defaultdict(Counter)
            for purpose, state, count in cr.fetchall():
                logs[purpose][state] += count
            cr.execute("SELECT purpose, failure_reason FROM cobranca_email_log WHERE state = 'failed'")
            causes = defaultdict(Counter)
            for purpose, reason in cr.fetchall():
                causes["boleto" if purpose == "boleto" else "dunning"][failure_cause(reason)] += 1
            cr.execute("SELECT state, count(*) FROM mail_mail GROUP BY 1")
            mails = dict(cr.fetchall())
            cr.execute(
                """SELECT count(*) FROM (SELECT rel.move_id FROM cobranca_email_log_account_move_rel rel
                                           JOIN cobranca_email_log log ON log.id = rel.log_id
                                          WHERE log.purpose = 'boleto'
                                          GROUP BY rel.move_id HAVING count(*) > 1) twice"""
            )
            boleto_twice = cr.fetchone()[0]
            cr.execute(
                """SELECT count(*) FROM (SELECT partner_id FROM cobranca_email_log WHERE purpose = ANY(%s)
                                          GROUP BY partner_id HAVING count(*) > 1) twice""",
                [list(DUNNING_PURPOSES)],
            )
            notice_twice = cr.fetchone()[0]
            cr.execute("SELECT count(*), count(DISTINCT partner_id) FROM cobranca_dunning_notice")
            notices, noticed = cr.fetchone()
        _boletos, notices_to_plan, _queued = self.progress()
        dunning_logs = logs["dunning"] + logs["notice"]
        return {
            "moves": moves,
            "logs": logs,
            "causes": causes,
            "mails": mails,
            "boleto": {
                "due": len(self.due_move_ids),
                "sent": logs["boleto"]["sent"],
                "failed": logs["boleto"]["failed"],
                "to send": logs["boleto"]["queued"]
                + logs["boleto"]["deferred"]
                + logs["boleto"]["retry"]
                + moves.get("pending", 0),
                "to send detail": f"queued {logs['boleto']['queued']}, deferred {logs['boleto']['deferred']}, "
                f"waiting to retry {logs['boleto']['retry']}, not composed yet {moves.get('pending', 0)}",
                "twice": boleto_twice,
            },
            "dunning": {
                "due": len(self.due_partner_ids),
                "sent": dunning_logs["sent"],
                "failed": dunning_logs["failed"],
                "to send": dunning_logs["queued"] + dunning_logs["deferred"] + dunning_logs["retry"] + notices_to_plan,
                "to send detail": f"queued {dunning_logs['queued']}, deferred {dunning_logs['deferred']}, "
                f"waiting to retry {dunning_logs['retry']}, customers not planned yet {notices_to_plan}",
                "twice": notice_twice,
                "notices": notices,
                "customers noticed": noticed,
            },
        }

    # report

    def report(self, phase, tally, final):
        print(f"phase {phase['number']} ({phase['title']}): {phase['seconds']:.1f} s wall time", flush=True)
        if phase["ending"] != "done":
            print(f"  (stopped: {phase['ending']})")
        for note in phase["notes"]:
            print(f"  {note}")
        for xmlid, seconds in phase["waited"].items():
            print(f"  waited {seconds} s, nothing ready, for the next call of '{CRON_NAMES[xmlid]}'")
        for name, seconds in phase["marks"].items():
            print(f"  {name} after {seconds:.0f} s")
        for number, worker in enumerate(phase["workers"], start=1):
            data = worker["result"]
            if not data:
                print(f"  worker {number}: no result (exit {worker['exit']}; see {worker['log']})")
                continue
            jobs = ", ".join(
                f"{name}: {calls} calls" + (f", {done} done" if self.args.mode == "cron" else "")
                for name, (calls, done) in sorted(data["jobs"].items())
            )
            print(
                f"  worker {number} (pid {data['pid']}): {data['seconds']:.0f} s ({data['registry_seconds']:.0f} s "
                f"loading the registry), peak RSS {data['peak_rss_mb']:.0f} MB (largest child, wkhtmltopdf: "
                f"{data['children_peak_rss_mb']:.0f} MB), CPU {data['cpu_seconds']:.0f} s + children "
                f"{data['children_cpu_seconds']:.0f} s; {jobs or 'no job'}; log {worker['log']}"
            )
            print(f"    counted in its log: {dict(sorted(data['counts'].items())) or 'nothing'}")
        sink = phase["sink_after"]
        before = phase["sink_before"]
        events = Counter(sink["events"])
        events.subtract(before["events"])
        print(
            f"  sink: {sink['accepted'] - before['accepted']} messages accepted in this phase "
            f"({sink['accepted']} in all); {dict(sorted((k, v) for k, v in events.items() if v))}"
        )
        for kind in ("boleto", "dunning"):
            counts = tally[kind]
            label = "boleto e-mails" if kind == "boleto" else "dunning notices"
            print(
                f"  {label}: due {counts['due']}, sent {counts['sent']}, failed {counts['failed']} "
                f"({dict(tally['causes'][kind]) or 'none'}), still to send {counts['to send']} "
                f"({counts['to send detail']})"
            )
        print(f"  invoices by boleto e-mail state: {dict(sorted(tally['moves'].items()))}")
        dunning = tally["dunning"]
        print(f"  dunning notice records: {dunning['notices']} for {dunning['customers noticed']} customers")
        for purpose, states in sorted(tally["logs"].items()):
            print(f"  e-mail log {purpose}: " + ", ".join(f"{s} {states[s]}" for s in LOG_STATES))
        print(f"  mail.mail by state (sent ones are deleted by the queue): {dict(sorted(tally['mails'].items()))}")
        self.retries(phase)
        print("checks:")
        for kind in ("boleto", "dunning"):
            counts = tally[kind]
            label = "boleto e-mails" if kind == "boleto" else "dunning notices"
            total = counts["sent"] + counts["failed"] + counts["to send"]
            detail = (
                f"{counts['sent']} + {counts['failed']} + {counts['to send']} = {total}, due {counts['due']}; "
                f"{counts['twice']} {'invoices' if kind == 'boleto' else 'customers'} with more than one e-mail"
            )
            check(f"(a) {label}: sent + failed + still to send = due", total == counts["due"], detail)
        duplicates = sink["duplicates"]
        examples = "; ".join(
            f"{rcpts} {subject!r} x{count}" for (rcpts, subject), count in list(duplicates.items())[:3]
        )
        check(
            "(b) no (recipients, subject) accepted twice by the sink",
            not duplicates,
            f"{len(duplicates)} accepted more than once" + (f": {examples}" if examples else ""),
        )
        sent = tally["boleto"]["sent"] + tally["dunning"]["sent"]
        check(
            "(b) the sink accepted as many messages as the database says were sent",
            sent == sink["accepted"],
            f"sink {sink['accepted']}, database {sent}",
        )
        if final:
            self.final_checks(tally)

    def retries(self, phase):
        counts = Counter()
        for worker in phase["workers"]:
            counts.update((worker["result"] or {}).get("counts", {}))
        history = phase["sink_after"]["history"]
        after_temporary = sum(1 for replies in history.values() if "451" in replies and "250" in replies)
        again = sum(1 for replies in history.values() if len(replies) > 1)
        print(
            f"  retried: {counts['hang_ups_retried']} mails after a hang-up (sent again through a new connection), "
            f"{counts['hang_ups_failed']} failed on a second hang-up; dunning: {counts['dunning_batches_retried']} "
            f"batches retried, {counts['dunning_batches_one_by_one']} redone customer by customer, "
            f"{counts['dunning_customers_left_to_another_run']} customers left to another run; boleto e-mails: "
            f"{counts['boleto_batches_one_by_one']} batches redone invoice by invoice"
        )
        print(
            f"  at the sink (both runs so far): {again} messages whose content arrived more than once, "
            f"{after_temporary} accepted after a 451 (temporary refusal retried)"
        )

    def final_checks(self, tally):
        still = tally["boleto"]["to send"] + tally["dunning"]["to send"]
        check(
            "(c) after the later run, nothing is still to send",
            still == 0,
            f"boleto e-mails {tally['boleto']['to send']}, dunning notices {tally['dunning']['to send']}",
        )
        undelivered = Counter()
        for kind in ("boleto", "dunning"):
            for cause, count in tally["causes"][kind].items():
                if cause != "refused for good (5xx)":
                    undelivered[f"{kind}: {cause}"] += count
        history = self.sink.summary()["history"]
        never = sum(1 for replies in history.values() if "451" in replies and "250" not in replies)
        check(
            "(c) after the later run, every message not refused for good (5xx) was delivered",
            not undelivered,
            f"failed for other reasons: {dict(undelivered) or 'none'}; refused with 451 at the sink and never "
            f"accepted: {never}",
        )

    # main

    def run(self):
        import aiosmtpd.controller  # noqa: PLC0415

        import odoo  # noqa: PLC0415
        from odoo.modules.registry import Registry  # noqa: PLC0415

        os.environ.setdefault("XDG_RUNTIME_DIR", self.data_dir)
        odoo.tools.config["data_dir"] = self.data_dir
        self.port = free_port()
        controller = aiosmtpd.controller.Controller(self.sink, hostname="127.0.0.1", port=self.port)
        controller.start()
        try:
            print(f"creating {self.dbname} (cobranca_email)...", flush=True)
            started = time.perf_counter()
            create_database(self.cmd, self.root, self.dbname, self.data_dir)
            print(f"  created in {time.perf_counter() - started:.0f} s", flush=True)
            self.registry = Registry.new(self.dbname)
            print(
                f"building {self.args.partners} customers, {self.args.installments} installments "
                f"({INSTALLMENTS_PER_INVOICE} per invoice)...",
                flush=True,
            )
            started = time.perf_counter()
            self.prepare()
            print(f"set-up: {time.perf_counter() - started:.1f} s", flush=True)
            print(
                f"sink on 127.0.0.1:{self.port}: fault rate {self.args.fault_rate:.0%} (half 451, half 550), drop rate "
                f"{self.args.drop_rate:.0%}, seed {self.args.seed}; worker logs in {self.log_dir}",
                flush=True,
            )
            self.report(self.run_phase(1, faulty=True), self.tally(), final=False)
            self.report(self.run_phase(2, faulty=False), self.tally(), final=True)
            own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print("\nsummary:")
            for phase in self.phases:
                marks = ", ".join(f"{name} at {seconds:.0f} s" for name, seconds in phase["marks"].items())
                peaks = ", ".join(
                    f"{worker['result']['peak_rss_mb']:.0f} MB" if worker["result"] else "n/a"
                    for worker in phase["workers"]
                )
                print(f"  phase {phase['number']} ({phase['title']}): {phase['seconds']:.0f} s ({marks}); "
                      f"workers' peak RSS {peaks}")  # fmt: skip
            print(f"  this process (set-up, sink): peak RSS {own:.0f} MB")
            print(f"checks failed: {len(FAILED)}" + (" (" + "; ".join(FAILED) + ")" if FAILED else ""))
        finally:
            controller.stop()
            if self.args.keep:
                print(f"kept database {self.dbname} (data dir {self.data_dir})")
            else:
                if self.registry:
                    Registry.delete(self.dbname)
                drop_database(self.cmd, self.dbname, self.data_dir)


LOG_STATES = ("queued", "deferred", "retry", "sent", "failed")
FAILED = []


def failure_cause(reason):
    reason = reason or ""
    if "550" in reason:
        return "refused for good (5xx)"
    if "451" in reason:
        return "refused for now (4xx)"
    if "closed the connection" in reason or "hung up" in reason or "Disconnected" in reason:
        return "hang-up"
    return "other: " + (reason.strip().splitlines() or [""])[-1][:80]


def check(title, ok, detail):
    print(f"  {'PASS' if ok else 'FAIL'} {title}: {detail}", flush=True)
    if not ok:
        FAILED.append(title)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=2000, help="customers (default: %(default)s)")
    parser.add_argument("--installments", type=int, default=20000, help="installments (default: %(default)s)")
    parser.add_argument("--fault-rate", type=float, default=0.1, help="messages refused, 4xx or 5xx (%(default)s)")
    parser.add_argument("--drop-rate", type=float, default=0.03, help="messages hung up on (%(default)s)")
    parser.add_argument("--seed", type=int, default=2026, help="of the faults and of the dataset (%(default)s)")
    parser.add_argument("--idle", type=float, default=4, help="seconds with nothing to do before the workers stop")
    parser.add_argument(
        "--max-wait", type=float, default=600, help="seconds to wait for an action's next call while it has work left"
    )
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds before a phase's workers are stopped")
    parser.add_argument("--progress", type=float, default=60, help="seconds between progress lines")
    parser.add_argument("--log-dir", help="where the workers write their logs (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    # A cron worker process, started by the benchmark itself.
    parser.add_argument(
        "--mode",
        choices=("cron", "direct"),
        default="cron",
        help="cron: the workers run Odoo's scheduler (one job in one worker at a time); direct: they call the "
        "three actions' methods in a loop, without the scheduler's job lock (default: %(default)s)",
    )
    for option in ("--worker", "--data-dir", "--worker-addons", "--worker-log", "--worker-result", "--stop-file"):
        parser.add_argument(option, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return
    cmd, root = odoo_command()
    if cmd is None:
        sys.exit(f"bench: {root}")
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config([*db_options(), f"--addons-path={addons_path(root)}", "--log-level=warn"])
    # aiosmtpd logs every command; a transport closed on purpose makes asyncio complain.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    Bench(args, cmd, root).run()


if __name__ == "__main__":
    main()
