#!/usr/bin/env python3
"""Benchmark: dunning notices on the reference portfolio, against OCA account_credit_control.

Usage: python3 bench/bench_dunning.py [--partners 2000] [--invoices 10000] [--pdf-partners 400]
                                     [--keep | --reuse DATABASE]

Creates a database (cobranca_email and account_credit_control, no demo data), a Brazilian company
with an Itaú wallet, the partners and their posted invoices of 2 installments each (30 and 60 days;
invoice dates spread over the last 120 days, so about 60% of the receivable lines are past due),
then prints the time and the SQL queries:

1. to select: who gets a notice today, with which debts (the dry run of the preview and the CLI);
2. to select and compose every notice without PDFs (notice records, mail template, chatter
   message and queued mail.mail, e-mail log, stored states), rolled back afterwards;
3. the same with the debt statement and boleto PDFs, for the first ``--pdf-partners`` customers
   (wkhtmltopdf, real PDFs), in partners per second: (a) when no boleto page is stored yet, every
   page is printed; (b) when the boletos' pages were stored as their e-mails were sent (the boleto
   e-mails of posting, measured apart), the usual case;
4. OCA account_credit_control computing its credit lines on the same data (its "3 time policy"),
   and the ratio to (1).

Not a test: it asserts nothing. Drops its database at the end unless --keep. Needs Odoo 18,
wkhtmltopdf and the odoo-addon-account-credit-control package.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta

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

BATCH = 500


def build_dataset(env, partners, invoices, today):
    """Company, wallet and portfolio, committed batch by batch (SQL-efficient ORM batch creates)."""
    from odoo import Command  # noqa: PLC0415

    cr = env.cr
    # The boleto e-mails of posting are not measured here.
    company, term = billing_company(env, email_on_post=False)
    company.write(
        {"cobranca_dunning_enabled": True, "cobranca_dunning_upcoming_days": 3,
         "cobranca_dunning_include_overdue": True, "cobranca_dunning_overdue_after_days": 2,
         "cobranca_dunning_interval_days": 5}
    )  # fmt: skip
    customers = env["res.partner"].create(
        [{"name": f"Cliente {n:05d}", "email": f"cliente{n:05d}@example.com", "vat": "529.982.247-25",
          "street": f"Rua {n}, 100", "city": "Campinas", "country_id": env.ref("base.br").id}
         for n in range(partners)]
    )  # fmt: skip
    cr.commit()
    rng = random.Random(2026)
    started = time.perf_counter()
    for start in range(0, invoices, BATCH):
        moves = env["account.move"].create(
            [{"move_type": "out_invoice", "partner_id": customers[n % partners].id,
              "invoice_date": today - timedelta(days=rng.randrange(120)), "invoice_payment_term_id": term.id,
              "invoice_line_ids": [Command.create({"name": "Mensalidade", "quantity": 1,
                                                   "price_unit": round(rng.uniform(50, 900), 2)})]}
             for n in range(start, min(start + BATCH, invoices))]
        )  # fmt: skip
        moves.action_post()
        cr.commit()
        env.invalidate_all()
        print(f"  {start + len(moves)} invoices posted ({time.perf_counter() - started:.0f} s)", flush=True)
    return company


def cpu_seconds():
    """CPU time of this process and of its finished children (wkhtmltopdf): unlike the wall time,
    it does not grow when other work shares the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def measure(env, function):
    """(seconds, SQL queries, result) of ``function()`` with cold ORM caches; CPU in ``LAST_CPU``."""
    env.invalidate_all()
    queries = env.cr.sql_log_count
    own, children = cpu_seconds()
    start = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - start
    own_after, children_after = cpu_seconds()
    LAST_CPU[:] = [own_after - own, children_after - children]
    return elapsed, env.cr.sql_log_count - queries, result


LAST_CPU = [0.0, 0.0]


def run(args, cmd, root):
    import aiosmtpd.controller  # noqa: PLC0415

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    dbname = args.reuse or f"cobranca_bench_dunning_{os.getpid()}"
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="cobranca-bench-")
    os.environ.setdefault("XDG_RUNTIME_DIR", data_dir)
    odoo.tools.config["data_dir"] = data_dir
    today = date.today()
    if not args.reuse:
        print(f"creating {dbname} (cobranca_email, account_credit_control)...", flush=True)
        create_database(cmd, root, dbname, data_dir, "cobranca_email,account_credit_control")
    sink = Sink()
    controller = aiosmtpd.controller.Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        registry = Registry.new(dbname)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            start = time.perf_counter()
            if args.reuse:
                company = env["res.company"].search([("name", "=", "Bench Ltda")], limit=1)
            else:
                print(f"building {args.partners} partners, {args.invoices} invoices of 2 installments...", flush=True)
                company = build_dataset(env, args.partners, args.invoices, today)
            env = env(context={"allowed_company_ids": [company.id]})
            server_values = {"name": "Sink", "smtp_host": "127.0.0.1", "smtp_encryption": "none",
                             "smtp_port": controller.port}  # fmt: skip
            for purpose in ("purpose_dunning", "purpose_notice"):
                if purpose in env["ir.mail_server"]._fields:
                    server_values[purpose] = True
            server = env["ir.mail_server"].search([("name", "=", "Sink")], limit=1)
            server.write(server_values) if server else server.create(server_values)
            cr.commit()
            cr.execute(
                """SELECT count(*), count(*) FILTER (WHERE date_maturity < %s)
                     FROM account_move_line
                    WHERE company_id = %s AND display_type = 'payment_term' AND parent_state = 'posted'""",
                [today, company.id],
            )
            lines, past_due = cr.fetchone()
            print(
                f"dataset: {lines} receivable lines, {past_due} past due ({100 * past_due / lines:.0f}%), "
                f"built in {time.perf_counter() - start:.0f} s",
                flush=True,
            )
            report(env, company, today, args)
            credit_control(env, company, today, args)
    finally:
        controller.stop()
        if args.keep or args.reuse:
            print(f"kept database {dbname} (data dir {data_dir})")
        else:
            Registry.delete(dbname)
            drop_database(cmd, dbname, data_dir)


RESULTS = {}


def step(function):
    """A step that fails prints why and lets the others run."""

    def wrapper(env, *args):
        try:
            function(env, *args)
        except Exception as error:  # a benchmark reports, it does not stop
            env.cr.rollback()
            env.invalidate_all()
            print(f"   {function.__name__} failed: {error!r}", flush=True)

    return wrapper


def report(env, company, today, args):
    select(env, company, today)
    compose(env, company, today)
    compose_with_pdfs(env, company, today, args)


def select(env, company, today):
    Dunning = env["cobranca.dunning"].with_company(company)

    seconds, queries, plan = measure(env, lambda: Dunning._run(company, today=today, dry_run=True))
    RESULTS["select"] = (seconds, queries)
    overdue = sum(len(o.entry.overdue) for o in plan.to_send)
    print(
        f"1. select: {seconds:.2f} s, {queries} SQL queries for {len(plan.outcomes)} customers: "
        f"{len(plan.to_send)} notices ({overdue} overdue and {sum(len(o.entry.upcoming) for o in plan.to_send)} "
        f"coming-due installments)",
        flush=True,
    )
    RESULTS["plan"] = plan


@step
def compose(env, company, today):
    Dunning = env["cobranca.dunning"].with_company(company)
    seconds, queries, result = measure(env, lambda: Dunning._run(company, today=today, with_pdf=False, commit=False))
    sent = len(result.sent)
    print(
        f"2. select + compose without PDFs: {seconds:.2f} s, {queries} SQL queries, {sent} notices "
        f"({queries / max(sent, 1):.1f} queries a customer, {sent / seconds:.0f} customers/s; "
        f"Odoo process CPU {LAST_CPU[0]:.1f} s)",
        flush=True,
    )
    env.cr.rollback()
    env.invalidate_all()


@step
def compose_with_pdfs(env, company, today, args):
    """Twice: with no boleto page stored yet (a first run, every page printed), then with the pages the
    boleto e-mails stored when they were sent (the usual case: a boleto is e-mailed when its invoice is
    posted, then listed in notices)."""
    sample = [outcome.partner_id for outcome in RESULTS["plan"].to_send][: args.pdf_partners]
    moves = env["account.move"].search([("partner_id", "in", sample), ("move_type", "=", "out_invoice")])
    env.cr.execute(
        "DELETE FROM ir_attachment WHERE res_model = 'cobranca.boleto' AND res_field = 'page_pdf' AND res_id IN "
        "(SELECT id FROM cobranca_boleto WHERE move_id IN %s)",
        [tuple(moves.ids)],
    )
    env.cr.execute("UPDATE cobranca_boleto SET page_pdf_key = NULL WHERE move_id IN %s", [tuple(moves.ids)])
    env.cr.commit()
    notice_run(env, company, today, sample, "3a. with PDFs, no boleto page stored yet")
    seconds, queries, _pdfs = measure(
        env, lambda: moves.with_context(force_report_rendering=True)._cobranca_render_boletos_by_move()
    )
    env.cr.commit()
    print(
        f"    (boleto e-mails of their {len(moves)} invoices: pages printed and stored in {seconds:.1f} s, "
        f"{queries} SQL queries, "
        f"CPU: Odoo process {LAST_CPU[0]:.1f} s, wkhtmltopdf {LAST_CPU[1]:.1f} s)",
        flush=True,
    )
    notice_run(env, company, today, sample, "3b. with PDFs, boleto pages stored when their e-mails were sent")


def notice_run(env, company, today, sample, title):
    Dunning = env["cobranca.dunning"].with_company(company)
    seconds, queries, result = measure(
        env,
        lambda: Dunning.with_context(force_report_rendering=True)._run(
            company, today=today, partner_ids=sample, commit=False
        ),
    )
    sent = len(result.sent)
    notices = env["cobranca.dunning.notice"].browse([o.notice_id for o in result.sent])
    boletos = sum(len(notice._boletos()) for notice in notices)
    print(
        f"{title} ({sent} customers, {boletos} boletos attached): {seconds:.1f} s, "
        f"{queries} SQL queries = {sent / seconds:.1f} customers/s, {queries / max(sent, 1):.1f} queries a customer; "
        f"CPU: Odoo process {LAST_CPU[0]:.1f} s, wkhtmltopdf {LAST_CPU[1]:.1f} s "
        f"= {1000 * sum(LAST_CPU) / max(sent, 1):.0f} ms a customer",
        flush=True,
    )
    env.cr.rollback()
    env.invalidate_all()


@step
def credit_control(env, company, today, args):
    policy = env.ref("account_credit_control.credit_control_3_time")
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)]
    )
    policy.write({"account_ids": [(6, 0, receivable.ids)], "company_id": company.id})
    company.credit_policy_id = policy
    env.cr.commit()
    run = (
        env["credit.control.run"]
        .with_company(company)
        .create({"date": today, "policy_ids": [(6, 0, policy.ids)], "company_id": company.id})
    )
    seconds, queries, _result = measure(env, run.generate_credit_lines)
    lines = len(run.line_ids)
    ours_seconds, ours_queries = RESULTS["select"]
    print(
        f"4. OCA account_credit_control, credit lines of '{policy.name}': {seconds:.2f} s, {queries} SQL queries, "
        f"{lines} lines; ratio to our selection: {seconds / ours_seconds:.1f}x the time, "
        f"{queries / max(ours_queries, 1):.0f}x the queries",
        flush=True,
    )
    env.cr.rollback()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--pdf-partners", type=int, default=400, help="customers composed with PDFs")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure on a database kept by --keep")
    parser.add_argument("--data-dir", help="Odoo data dir of the reused database (file store)")
    args = parser.parse_args()
    cmd, root = odoo_command()
    if cmd is None:
        sys.exit(f"bench: {root}")
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config([*db_options(), f"--addons-path={addons_path(root)}", "--log-level=warn"])
    run(args, cmd, root)


if __name__ == "__main__":
    main()
