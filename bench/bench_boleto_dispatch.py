#!/usr/bin/env python3
"""Benchmark: boleto e-mails of a monthly billing run, end to end.

Usage: python3 bench/bench_boleto_dispatch.py [--sizes 200,1000] [--keep]

For each size N: a fresh database with cobranca_email, a Brazilian company with an Itaú wallet,
N customers with one posted invoice of 2 installments each (2N boletos), then the timed part: the
"Send generated boletos" scheduled action batch after batch (commit per batch, as the scheduler
does) and Odoo's mail queue sending everything to a local SMTP sink (aiosmtpd on 127.0.0.1).
Prints invoices/second, wkhtmltopdf calls, and SQL queries per invoice for each size, so one can
see they do not grow with N. Not a test: it asserts nothing. Needs Odoo 18 and `make setup`.
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

from bench_common import (
    Sink,
    addons_path,
    billing_company,
    create_database,
    db_options,
    drop_database,
    free_port,
    odoo_command,
)


def send_mail_queue(registry, composing):
    """The mail queue's cron worker: sends what is queued until composing is over and nothing is left."""
    import odoo  # noqa: PLC0415

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        while True:
            still_composing = composing.is_set()
            env["mail.mail"].process_email_queue(batch_size=500)
            cr.commit()
            if not still_composing and not env["mail.mail"].search_count([("state", "=", "outgoing")]):
                return
            time.sleep(0.1)


def build_dataset(env, size):
    from odoo import Command  # noqa: PLC0415

    _company, term = billing_company(env, email_on_post=True)
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
    create_database(cmd, root, dbname, data_dir)
    sink = Sink()
    port = free_port()
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
            # Boleto pages are printed by ir_actions_report._run_wkhtmltopdf (one call, many pages).
            from odoo.addons.cobranca_email.models import ir_actions_report  # noqa: PLC0415

            pdf_calls = [0]
            original = ir_actions_report._run_wkhtmltopdf

            def counting(*args, **kwargs):
                pdf_calls[0] += 1
                return original(*args, **kwargs)

            ir_actions_report._run_wkhtmltopdf = counting
            queries_before = cr.sql_log_count
            start = time.perf_counter()
            # Odoo runs two cron workers by default: the mail queue sends while the boletos are composed.
            composing = threading.Event()
            composing.set()
            mail_worker = threading.Thread(target=send_mail_queue, args=(registry, composing))
            mail_worker.start()
            moves = env["account.move"]
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            while moves.search_count([("cobranca_mail_state", "=", "pending")]):
                moves._cron_send_boleto_emails()
                cr.commit()
            composed = time.perf_counter()
            if profiler:
                profiler.disable()
                stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
                stats.print_stats(60)
                if os.environ.get("BENCH_CALLERS"):
                    stats.print_callers(os.environ["BENCH_CALLERS"])
                if os.environ.get("BENCH_CALLEES"):
                    stats.print_callees(os.environ["BENCH_CALLEES"])
            queries_compose = cr.sql_log_count - queries_before
            composing.clear()
            mail_worker.join()
            end = time.perf_counter()
            ir_actions_report._run_wkhtmltopdf = original
            done = invoices.filtered(lambda move: move.cobranca_mail_state == "done")
            print(
                f"N={size}: {len(done)} invoices ({2 * len(done)} boletos) dispatched in {end - start:.1f} s "
                f"= {len(done) / (end - start):.1f} invoices/s; composed in {composed - start:.1f} s, last "
                f"message sent {end - composed:.1f} s later; {sink.count} messages at the SMTP sink; "
                f"{pdf_calls[0]} wkhtmltopdf calls; {queries_compose / max(size, 1):.1f} SQL queries per invoice "
                f"to compose",
                flush=True,
            )
    finally:
        controller.stop()
        if not keep:
            Registry.delete(dbname)
            drop_database(cmd, dbname, data_dir)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000", help="invoice counts to run (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the composing part")
    args = parser.parse_args()
    cmd, root = odoo_command()
    if cmd is None:
        sys.exit(f"bench: {root}")
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config([*db_options(), f"--addons-path={addons_path(root)}", "--log-level=warn"])
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
    for size in (int(value) for value in args.sizes.split(",")):
        run(size, cmd, root, args.keep, args.profile)


if __name__ == "__main__":
    main()
