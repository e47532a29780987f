#!/usr/bin/env python3
"""Benchmark: boleto e-mails of a monthly billing run, end to end.

Usage: python3 bench/bench_boleto_dispatch.py [--sizes 200,1000] [--keep] [--profile]

For each size N: a fresh database with cobranca_email, a Brazilian company with an Itaú wallet,
N customers with one posted invoice of 2 installments each (2N boletos), then the timed part: the
"Send generated boletos" scheduled action batch after batch (commit per batch, as the scheduler
does) and Odoo's mail queue sending everything to a local SMTP sink (aiosmtpd on 127.0.0.1).
Prints invoices/second, wkhtmltopdf calls, and SQL queries per invoice for each size, so one can
see they do not grow with N, and the CPU seconds spent meanwhile by this process (both workers and
the sink), by wkhtmltopdf and by PostgreSQL: the wall time varies on a shared machine, they less.
``--profile`` prints a cProfile of each worker. Not a test: it asserts nothing. Needs Odoo 18 and
`make setup`.
"""

import argparse
import cProfile
import logging
import os
import pstats
import sys
import tempfile
import threading
import time

import bench_common as common


def send_mail_queue(registry, composing, profiler=None, cpu=None):
    """The mail queue's cron worker: sends what is queued until composing is over and nothing is left."""
    import odoo  # noqa: PLC0415

    if profiler:
        profiler.enable()  # this thread only
    with registry.cursor() as cr:
        if cpu:
            cpu.add(cr)
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        while True:
            still_composing = composing.is_set()
            env["mail.mail"].process_email_queue(batch_size=500)
            cr.commit()
            if not still_composing and not env["mail.mail"].search_count([("state", "=", "outgoing")]):
                break
            time.sleep(0.1)
    if profiler:
        profiler.disable()


def print_profile(title, profiler):
    print(f"\n===== profile: {title} =====", flush=True)
    stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
    stats.print_stats(int(os.environ.get("BENCH_LINES", "60")))
    if os.environ.get("BENCH_CALLERS"):
        stats.print_callers(os.environ["BENCH_CALLERS"])
    if os.environ.get("BENCH_CALLEES"):
        stats.print_callees(os.environ["BENCH_CALLEES"])


def build_dataset(env, size):
    from odoo import Command  # noqa: PLC0415

    _company, term = common.billing_company(env, email_on_post=True)
    customers = env["res.partner"].create(
        [{"name": f"Cliente {n:05d}", "email": f"cliente{n:05d}@example.com", "vat": "529.982.247-25",
          "city": "Campinas", "country_id": env.ref("base.br").id} for n in range(size)]
    )  # fmt: skip
    invoices = env["account.move"].create(
        [{"move_type": "out_invoice", "partner_id": customer.id, "invoice_payment_term_id": term.id,
          "invoice_line_ids": [Command.create({"name": "Mensalidade", "quantity": 1, "price_unit": 199.9})]}
         for customer in customers]
    )  # fmt: skip
    invoices.action_post()
    return invoices


def run(size, cmd, root, keep, profile=False):
    import aiosmtpd.controller  # noqa: PLC0415

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    dbname = f"cobranca_bench_{os.getpid()}_{size}"
    data_dir = tempfile.mkdtemp(prefix="cobranca-bench-")
    os.environ.setdefault("XDG_RUNTIME_DIR", data_dir)
    common.create_database(cmd, root, dbname, data_dir)
    sink = common.Sink()
    port = common.free_port()
    controller = aiosmtpd.controller.Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        registry = Registry.new(dbname)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            invoices = build_dataset(env, size)
            env["ir.mail_server"].create(
                {"name": "Sink", "smtp_host": "127.0.0.1", "smtp_port": port,
                 "smtp_encryption": "none", "purpose_boleto": True, "sender_email": "cobranca@bench.com.br"}
            )  # fmt: skip
            cr.commit()
            dispatch(registry, env, invoices, sink, profile)
    finally:
        controller.stop()
        if not keep:
            Registry.delete(dbname)
            common.drop_database(cmd, dbname, data_dir)


def dispatch(registry, env, invoices, sink, profile=False):
    """The timed part: the scheduled action until nothing is left to compose, and the mail queue
    (its own thread and connection, as Odoo's second cron worker) until everything is sent."""
    # Every wkhtmltopdf process of the PDF pipeline (tools/pdf_pipeline.py) runs through this function.
    from odoo.addons.cobranca_email.tools import pdf_pipeline  # noqa: PLC0415

    cr = env.cr
    pdf_calls = [0]
    original = pdf_pipeline.run_wkhtmltopdf

    def counting(*args, **kwargs):
        pdf_calls[0] += 1
        return original(*args, **kwargs)

    pdf_pipeline.run_wkhtmltopdf = counting
    cpu = CpuTimes(cr)
    queries_before = cr.sql_log_count
    start = time.perf_counter()
    composing = threading.Event()
    composing.set()
    profiler, queue_profiler = (cProfile.Profile(), cProfile.Profile()) if profile else (None, None)
    mail_worker = threading.Thread(target=send_mail_queue, args=(registry, composing, queue_profiler, cpu))
    mail_worker.start()
    moves = env["account.move"]
    if profiler:
        profiler.enable()
    try:
        while moves.search_count([("cobranca_mail_state", "=", "pending")]):
            moves._cron_send_boleto_emails()
            cr.commit()
    finally:
        composed = time.perf_counter()
        sent_while_composing = sink.count
        if profiler:
            profiler.disable()
        queries_compose = cr.sql_log_count - queries_before
        composing.clear()
        mail_worker.join()
        end = time.perf_counter()
        pdf_pipeline.run_wkhtmltopdf = original
    if profiler:
        print_profile("composing (the scheduled action)", profiler)
        print_profile("the mail queue (its own thread)", queue_profiler)
    size = len(invoices)
    done = invoices.filtered(lambda move: move.cobranca_mail_state == "done")
    print(
        f"N={size}: {len(done)} invoices ({2 * len(done)} boletos) dispatched in {end - start:.1f} s "
        f"= {len(done) / (end - start):.1f} invoices/s; composed in {composed - start:.1f} s "
        f"({sent_while_composing} messages sent meanwhile), last message sent {end - composed:.1f} s later; "
        f"{sink.count} messages at the SMTP sink; "
        f"{pdf_calls[0]} wkhtmltopdf calls; {queries_compose / max(size, 1):.1f} SQL queries per invoice "
        f"to compose; CPU seconds: {cpu.report()}",
        flush=True,
    )


class CpuTimes:
    """CPU time spent meanwhile by this process (both workers), by its children (wkhtmltopdf) and by
    the PostgreSQL backends of the cursors added (Linux: read from /proc)."""

    def __init__(self, cr):
        self.started = os.times()
        self.backends = {}
        self.add(cr)

    def add(self, cr):
        cr.execute("SELECT pg_backend_pid()")
        pid = cr.fetchone()[0]
        self.backends[pid] = self._backend(pid)

    def report(self):
        now = os.times()
        odoo = now.user + now.system - self.started.user - self.started.system
        children = now.children_user + now.children_system - self.started.children_user - self.started.children_system
        postgres = sum(self._backend(pid) - before for pid, before in self.backends.items())
        return f"Odoo {odoo:.1f}, wkhtmltopdf {children:.1f}, PostgreSQL {postgres:.1f}"

    @staticmethod
    def _backend(pid):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000", help="invoice counts to run (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print a cProfile of the composing part and one of the mail queue's thread (environment: BENCH_SORT, "
        "BENCH_LINES, BENCH_CALLERS, BENCH_CALLEES)",
    )
    args = parser.parse_args()
    cmd, root = common.odoo_command()
    if cmd is None:
        sys.exit(f"bench: {root}")
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config(
        [*common.db_options(), f"--addons-path={common.addons_path(root)}", "--log-level=warn"]
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
    for size in (int(value) for value in args.sizes.split(",")):
        run(size, cmd, root, args.keep, args.profile)


if __name__ == "__main__":
    main()
