#!/usr/bin/env python3
"""Benchmark: Odoo's own mail APIs against the project's bulk queueing of billing e-mails (issue 13).

Usage: python3 bench/bench_queue_apis.py [--sizes 200,1000] [--rounds 3] [--keep]

For each size N: a fresh database with cobranca_email (no demo data), the Brazilian company with
its Itaú wallet, N customers and N posted invoices (one boleto each), an outgoing mail server for
boletos and a small e-mail template on invoices. Each invoice gets one e-mail to its customer with
one PDF-like attachment of 60 KB (random bytes, so that no two files are the same), queued (never
sent) in four ways:

1. the project's ``mail.mail._cobranca_queue_billing_mails_safely`` in batches of 100, as the
   scheduled action "Send generated boletos" calls it (attachments, chatter messages, mails,
   notifications and e-mail log rows in a few queries per batch);
2. Odoo's ``invoice.message_post(...)`` per invoice, with ``mail_notify_force_send=False``, the
   customer as recipient and the PDF as attachment: what a standard module does;
3. Odoo's ``mail.template.send_mail_batch(invoice_ids, email_values=...)`` (one mail.mail per
   invoice, no chatter message that outlives the mail), each mail then linked to its PDF (created
   in one call beforehand: the e-mail values are the same for every invoice), and
   ``_message_log_batch`` for a trace in the chatter;
4. ``mail.mail`` created in one ``create()`` call with the values, attachments included.

Every way renders the same template (subject and body) for the invoices in its timed part and marks
its e-mails with the billing purpose ``boleto``, so that all get the server's copy list and the
e-mail log. Each way runs in its own transaction, rolled back afterwards, on the same invoices; a
first pass on 10 invoices (rolled back too) warms the caches for all of them, and each way runs
``--rounds`` times, each round starting with another way (the lowest figures are kept). Prints, per
way: wall seconds; CPU ms per e-mail, the Odoo process's plus its PostgreSQL backend's (from /proc:
the database is on this machine), which others loading a shared machine barely move, with and
without the rendering (timed alone); SQL queries per e-mail; and whether the result is the
project's (a chatter message that stays once the mail is sent and deleted, showing the customer and
the PDF; a delivery notification per recipient linked to the mail; an outgoing mail to the customer
with the PDF, the PDF also on the invoice; an e-mail log row), with what is missing otherwise.

Not a test: it asserts nothing. Needs Odoo 18 and `make setup`.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict

from bench_common import addons_path, billing_company, create_database, db_options, drop_database, odoo_command

PDF_SIZE = 60 * 1024
BATCH = 100  # invoices per batch of the scheduled action "Send generated boletos"
WARMUP = 10

TEMPLATE_BODY = """<div>
    <p>Dear <t t-out="object.commercial_partner_id.name or ''"/>,</p>
    <p>The boletos of invoice <strong t-out="object.name or ''"/> of <t t-out="object.company_id.name or ''"/>,
       <t t-out="format_amount(object.amount_total, object.currency_id)"/> due on
       <t t-out="format_date(object.invoice_date_due)"/>, are attached.</p>
    <p>Best regards,<br/><t t-out="object.company_id.name or ''"/></p>
</div>"""


def pdf_like(number):
    """60 KB that look like a PDF and differ from every other one (the filestore keeps one file per content)."""
    head = b"%PDF-1.4\n%bench " + str(number).encode() + b"\n"
    tail = b"\n%%EOF\n"
    return head + os.urandom(PDF_SIZE - len(head) - len(tail)) + tail


def build_dataset(env, size):
    from odoo import Command  # noqa: PLC0415

    _company, _term = billing_company(env, email_on_post=False)
    customers = env["res.partner"].create(
        [{"name": f"Cliente {n:05d}", "email": f"cliente{n:05d}@example.com", "vat": "529.982.247-25",
          "city": "Campinas", "country_id": env.ref("base.br").id} for n in range(size)]
    )  # fmt: skip
    invoices = env["account.move"].create(
        [{"move_type": "out_invoice", "partner_id": customer.id,
          "invoice_line_ids": [Command.create({"name": "Mensalidade", "quantity": 1, "price_unit": 199.9})]}
         for customer in customers]
    )  # fmt: skip
    invoices.action_post()
    env["ir.mail_server"].create(
        {"name": "Boletos", "smtp_host": "127.0.0.1", "smtp_port": 25, "smtp_encryption": "none",
         "purpose_boleto": True, "sender_email": "cobranca@bench.com.br"}
    )  # fmt: skip
    template = env["mail.template"].create(
        {"name": "Bench: boletos of an invoice", "model_id": env["ir.model"]._get_id("account.move"),
         "subject": "{{ object.company_id.name }} - Boletos of invoice {{ object.name }}",
         "body_html": TEMPLATE_BODY, "partner_to": "{{ object.partner_id.id }}",
         "lang": "{{ object.partner_id.lang }}", "auto_delete": True}
    )  # fmt: skip
    return invoices, template


# ----------------------------------------------------------------------------------------------
# the four ways
# ----------------------------------------------------------------------------------------------


def render(template, moves):
    """{invoice id: (subject, body)}, the whole batch at once, as the project renders its templates."""
    subjects = template._render_field("subject", moves.ids, compute_lang=True)
    bodies = template._render_field("body_html", moves.ids, compute_lang=True)
    return {move_id: (subjects[move_id], bodies[move_id]) for move_id in moves.ids}


def filename(move):
    return f"Boletos - {move.name}.pdf".replace("/", "-")


def queue_project(env, moves, template, pdfs, sender):
    Mail = env["mail.mail"]
    for start in range(0, len(moves), BATCH):
        batch = moves[start : start + BATCH]
        rendered = render(template, batch)
        Mail._cobranca_queue_billing_mails_safely(
            [
                {
                    "record": move,
                    "partners": move.partner_id,
                    "subject": rendered[move.id][0],
                    "body": rendered[move.id][1],
                    "attachments": [(filename(move), pdfs[move.id])],
                    "purpose": "boleto",
                    **sender,
                    "company": move.company_id,
                    "partner": move.commercial_partner_id,
                    "moves": move,
                    "move_lines": move._cobranca_active_boletos().move_line_id,
                }
                for move in batch
            ]
        )


def queue_message_post(env, moves, template, pdfs, sender):
    from markupsafe import Markup  # noqa: PLC0415

    rendered = render(template, moves)
    author = env.user.partner_id.id
    for move in moves.with_context(mail_notify_force_send=False):
        subject, body = rendered[move.id]
        move.message_post(
            body=Markup(body),
            subject=subject,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=author,
            partner_ids=move.partner_id.ids,
            attachments=[(filename(move), pdfs[move.id])],
            cobranca_purpose="boleto",
            **sender,
        )


def queue_send_mail_batch(env, moves, template, pdfs, sender):
    from markupsafe import Markup  # noqa: PLC0415

    from odoo import Command  # noqa: PLC0415

    attachments = env["ir.attachment"].create(
        [{"name": filename(move), "raw": pdfs[move.id], "res_model": move._name, "res_id": move.id} for move in moves]
    )
    mails = template.send_mail_batch(moves.ids, email_values={"cobranca_purpose": "boleto", **sender})
    # email_values are the same for every invoice: each mail gets its own PDF afterwards, one write
    # a mail, as send_mail_batch links the attachments it creates itself.
    attachment_of = {attachment.res_id: attachment.id for attachment in attachments}
    for mail in mails:
        mail.attachment_ids = [Command.link(attachment_of[mail.res_id])]
    # _message_log_batch takes one set of partners and attachments for all records: neither here.
    moves._message_log_batch(
        bodies={
            mail.res_id: Markup("<p>E-mail queued to %s: %s</p>") % (mail.recipient_ids.email_formatted, mail.subject)
            for mail in mails
        },
    )


def queue_mail_create(env, moves, template, pdfs, sender):
    from odoo import Command  # noqa: PLC0415

    rendered = render(template, moves)
    env["mail.mail"].create(
        [
            {
                "model": move._name,
                "res_id": move.id,
                "message_type": "email_outgoing",
                "subject": rendered[move.id][0],
                "body_html": rendered[move.id][1],
                "recipient_ids": [Command.link(move.partner_id.id)],
                "attachment_ids": [
                    Command.create(
                        {"name": filename(move), "raw": pdfs[move.id], "res_model": move._name, "res_id": move.id}
                    )
                ],
                "auto_delete": True,
                "cobranca_purpose": "boleto",
                **sender,
            }
            for move in moves
        ]
    )


WAYS = (
    ("1. project: `_cobranca_queue_billing_mails` (batches of 100)", queue_project),
    ("2. Odoo: `message_post` per invoice", queue_message_post),
    ("3. Odoo: `send_mail_batch` + `_message_log_batch`", queue_send_mail_batch),
    ("4. Odoo: `mail.mail.create()` in one call", queue_mail_create),
)

CHECKS = (
    "chatter message kept after sending",
    "chatter shows the customer and the PDF",
    "delivery notification per recipient",
    "outgoing mail to the customer",
    "PDF on the mail and on the invoice",
    "e-mail log row",
)


def equivalence(env, moves, first_message_id):
    """{check: number of invoices that pass it}, over what was created since ``first_message_id``."""
    messages = env["mail.message"].search(
        [("model", "=", "account.move"), ("res_id", "in", moves.ids), ("id", ">=", first_message_id)]
    )
    mails = env["mail.mail"].search([("mail_message_id", "in", messages.ids)])
    # A mail that is not a notification takes its message with it when it is deleted once sent.
    kept = messages - mails.filtered(lambda mail: mail.auto_delete and not mail.is_notification).mail_message_id
    notified = {
        (note.mail_message_id.res_id, note.res_partner_id.id, note.mail_mail_id.id)
        for note in env["mail.notification"].search(
            [("mail_message_id", "in", kept.ids), ("notification_type", "=", "email")]
        )
    }
    logged = set(env["cobranca.email.log"].search([("mail_mail_id", "in", mails.ids)]).mail_mail_id.ids)
    kept_of, mails_of = defaultdict(list), defaultdict(list)
    for message in kept:
        kept_of[message.res_id].append(message)
    for mail in mails:
        mails_of[mail.res_id].append(mail)
    passed = dict.fromkeys(CHECKS, 0)
    for move in moves:
        customer = move.partner_id
        results = (
            bool(kept_of[move.id]),
            any(customer in message.partner_ids and message.attachment_ids for message in kept_of[move.id]),
            any((move.id, customer.id, mail.id) in notified for mail in mails_of[move.id]),
            any(mail.state == "outgoing" and customer in mail.recipient_ids for mail in mails_of[move.id]),
            any(
                attachment.res_model == "account.move" and attachment.res_id == move.id
                for mail in mails_of[move.id]
                for attachment in mail.attachment_ids
            ),
            any(mail.id in logged for mail in mails_of[move.id]),
        )
        for check, ok in zip(CHECKS, results, strict=True):
            passed[check] += ok
    return passed


def verdict(passed, count):
    missing = [f"{check} ({passed[check]}/{count})" for check in CHECKS if passed[check] < count]
    return "yes" if not missing else "no: " + ", ".join(missing)


class Clock:
    """Wall time, and CPU time of this process plus its PostgreSQL backend's (read from /proc, the
    database being on this machine): the CPU time barely moves when others load the machine."""

    def __init__(self, cr):
        cr.execute("SELECT pg_backend_pid()")
        self.stat = f"/proc/{cr.fetchone()[0]}/stat"
        self.tick = os.sysconf("SC_CLK_TCK")

    def backend_cpu(self):
        try:
            with open(self.stat) as stat:
                # utime and stime, fields 14 and 15, after the command name in parentheses.
                utime, stime = stat.read().rsplit(")", 1)[1].split()[11:13]
        except OSError:
            return float("nan")  # the database is elsewhere
        return (int(utime) + int(stime)) / self.tick

    def now(self):
        return time.perf_counter(), time.process_time() + self.backend_cpu()

    def since(self, then):
        wall, cpu = self.now()
        return wall - then[0], cpu - then[1]


def measure(env, cr, clock, way, moves, template, pdfs, sender):
    """Queue with ``way`` in a transaction of its own, rolled back: (wall s, CPU s, queries, equivalence)."""
    cr.rollback()
    moves = moves.with_env(env)
    last = env["mail.message"].search([], order="id desc", limit=1)
    queries_before, start = cr.sql_log_count, clock.now()
    way(env, moves, template, pdfs, sender)
    env.flush_all()
    (wall, cpu), queries = clock.since(start), cr.sql_log_count - queries_before
    passed = equivalence(env, moves, last.id + 1)
    cr.rollback()
    return wall, cpu, queries, passed


def measure_render(env, cr, clock, moves, template):
    cr.rollback()
    start = clock.now()
    render(template, moves.with_env(env))
    return clock.since(start)


def run(size, rounds, cmd, root, keep):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    dbname = f"cobranca_bench_apis_{os.getpid()}_{size}"
    data_dir = tempfile.mkdtemp(prefix="cobranca-bench-")
    os.environ.setdefault("XDG_RUNTIME_DIR", data_dir)
    odoo.tools.config["data_dir"] = data_dir
    print(f"N={size}: creating {dbname}...", flush=True)
    create_database(cmd, root, dbname, data_dir)
    try:
        registry = Registry.new(dbname)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            invoices, template = build_dataset(env, size)
            cr.commit()
            clock = Clock(cr)
            sender = env["ir.mail_server"]._cobranca_sender("boleto", invoices.company_id)
            pdfs = {move.id: pdf_like(number) for number, move in enumerate(invoices)}
            for _name, way in WAYS:
                measure(env, cr, clock, way, invoices[:WARMUP], template, pdfs, sender)
            best = {}  # name: [wall, cpu, queries, equivalence], each the lowest of the rounds
            for number in range(rounds):
                wall, cpu = measure_render(env, cr, clock, invoices, template)
                print(f"  rendering the template alone: {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
                previous = best.get("render", (wall, cpu))
                best["render"] = (min(wall, previous[0]), min(cpu, previous[1]))
                # Each round starts with another way, so that none always runs first or last.
                for name, way in WAYS[number % len(WAYS) :] + WAYS[: number % len(WAYS)]:
                    wall, cpu, queries, passed = measure(env, cr, clock, way, invoices, template, pdfs, sender)
                    print(
                        f"  {name}: {wall:.2f} s, CPU {cpu:.2f} s, {queries} queries, "
                        f"equivalent: {verdict(passed, size)}",
                        flush=True,
                    )
                    previous = best.get(name, (wall, cpu))
                    best[name] = [min(wall, previous[0]), min(cpu, previous[1]), queries, passed]
    finally:
        if keep:
            print(f"kept database {dbname}")
        else:
            Registry.delete(dbname)
            drop_database(cmd, dbname, data_dir)
    print_table(size, rounds, best)


def print_table(size, rounds, best):
    render_ms = 1000 * best["render"][1] / size
    base_ms = 1000 * best[WAYS[0][0]][1] / size
    print(
        f"\nN={size} e-mails (one 60 KB PDF each), lowest of {rounds} rounds. CPU: this process and its "
        f"PostgreSQL backend. Every way renders the template (subject and body) for its invoices; rendering "
        f"alone takes {render_ms:.1f} CPU ms per e-mail, subtracted in the columns marked 'queueing'."
    )
    print(
        "\n| way | e-mails | seconds | ms per e-mail | CPU ms per e-mail | CPU ms per e-mail, queueing "
        "| SQL queries per e-mail | CPU against 1. | CPU against 1., queueing | equivalent |"
        "\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for name, _way in WAYS:
        wall, cpu, queries, passed = best[name]
        cpu_ms = 1000 * cpu / size
        print(
            f"| {name} | {size:,} | {wall:.2f} | {1000 * wall / size:.1f} | {cpu_ms:.1f} | {cpu_ms - render_ms:.1f} "
            f"| {queries / size:.1f} | {cpu_ms / base_ms:.2f}x | {(cpu_ms - render_ms) / (base_ms - render_ms):.2f}x "
            f"| {verdict(passed, size)} |"
        )
    print(flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000", help="invoice counts to run (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each way; the fastest is kept")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    cmd, root = odoo_command()
    if cmd is None:
        print(root, file=sys.stderr)
        return 2
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config([*db_options(), f"--addons-path={addons_path(root)}", "--log-level=warn"])
    for size in (int(value) for value in args.sizes.split(",")):
        run(size, args.rounds, cmd, root, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
