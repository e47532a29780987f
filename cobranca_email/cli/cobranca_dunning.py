"""``odoo-bin cobranca-dunning``: run the dunning notices from an external scheduler.

    odoo-bin --addons-path=... cobranca-dunning -c odoo.conf -d DB [--company ID]... [--dry-run [--date D]]

Exit status: 0 every planned notice was queued (or, dry run, can be); 1 some could not be (no
e-mail address, a notice or a batch failed: see the output and the e-mail log); 2 nothing ran
(wrong arguments, no database, addon not installed, unknown or disabled company).
"""
# A command line's report is its standard output, not Odoo's log.
# pylint: disable=print-used

import optparse
import sys
from datetime import date

import odoo
from odoo.cli import Command

from ..tools.dunning_presenter import DunningPresenter
from .command_line import database_name, open_registry, parse_options

OK, SOME_FAILED, NOT_RUN = 0, 1, 2


class CobrancaDunning(Command):
    """Send today's dunning notices of cobranca_email (or list them with --dry-run)"""

    name = "cobranca-dunning"

    def run(self, args):
        options = parse_options(
            self,
            "Dunning notices (cobranca_email)",
            args,
            [
                optparse.make_option(
                    "--company",
                    dest="cobranca_company_ids",
                    action="append",
                    type="int",
                    default=[],
                    metavar="ID",
                    help="only this company (repeat for several); default: every company with dunning notices enabled",
                ),
                optparse.make_option(
                    "--dry-run",
                    dest="cobranca_dry_run",
                    action="store_true",
                    default=False,
                    help="print who would get which notice and why, send nothing, change nothing",
                ),
                optparse.make_option(
                    "--date",
                    dest="cobranca_date",
                    metavar="YYYY-MM-DD",
                    help="with --dry-run: plan for this day instead of today",
                ),
            ],
        )
        sys.exit(main(options, sys.stdout))


def main(options, out):
    dbname = database_name(CobrancaDunning.name, out)
    if not dbname:
        return NOT_RUN
    day = None
    if options.cobranca_date:
        if not options.cobranca_dry_run:
            print("cobranca-dunning: --date goes with --dry-run; notices are only sent for today", file=out)
            return NOT_RUN
        try:
            day = date.fromisoformat(options.cobranca_date)
        except ValueError:
            print(f"cobranca-dunning: --date {options.cobranca_date!r} is not a YYYY-MM-DD date", file=out)
            return NOT_RUN
    registry = open_registry(CobrancaDunning.name, dbname, "cobranca.dunning", "cobranca_email", out)
    if not registry:
        return NOT_RUN
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        return run(env, options.cobranca_company_ids, options.cobranca_dry_run, day, out)


def run(env, company_ids, dry_run, day, out):
    """Run (or plan) the notices of the companies and print what happened; returns the exit status.

    Shared with the tests: the cron and this command go through ``cobranca.dunning._run``; the
    reasons are the preview's sentences (``tools/dunning_presenter.py``), in the user's language.
    """
    Company = env["res.company"].sudo()
    if company_ids:
        companies = Company.browse(company_ids).exists()
        missing = set(company_ids) - set(companies.ids)
        if missing:
            print(f"cobranca-dunning: no company with id {', '.join(map(str, sorted(missing)))}", file=out)
            return NOT_RUN
        disabled = companies.filtered(lambda company: not company.cobranca_dunning_enabled)
        if disabled and not dry_run:
            names = ", ".join(f"{company.name} (id {company.id})" for company in disabled)
            print(f"cobranca-dunning: dunning notices are disabled for {names}", file=out)
            return NOT_RUN
    else:
        companies = Company.search([("cobranca_dunning_enabled", "=", True)])
        if not companies:
            print("cobranca-dunning: no company has dunning notices enabled", file=out)
            return OK
    status = OK
    for company in companies:
        Dunning = env["cobranca.dunning"].with_company(company).with_context(lang=env.user.lang or "en_US")
        # A real run resumes the day's: customers the scheduled action (or an earlier run) planned
        # today are left out, as their notice, if any, is queued already.
        result = Dunning._run(company, today=day, dry_run=dry_run, pending_only=not dry_run)
        mode = "dry run, nothing sent" if dry_run else "sent"
        print(f"company {company.name} (id {company.id}), {result.today.isoformat()} ({mode})", file=out)
        presenter = DunningPresenter(Dunning.env)
        for outcome in sorted(result.outcomes, key=lambda o: (not o.sendable, not o.planned, o.partner_id)):
            print(format_outcome(env, presenter, outcome, dry_run), file=out)
        for warning in result.warnings:
            print(f"  WARNING  {warning}", file=out)
        for error in result.errors:
            print(f"  ERROR    {error}", file=out)
        for partner in env["res.partner"].browse(result.busy):
            print(f"  BUSY     {partner.display_name} (id {partner.id}): left to another run at work on it", file=out)
        sent = len(result.to_send) if dry_run else len(result.sent)
        print(
            f"  {sent} notice(s) {'to send' if dry_run else 'queued'}, {len(result.failed)} failed, "
            f"{len(result.outcomes) - sent - len(result.failed)} customer(s) without notice today",
            file=out,
        )
        if result.failed or result.errors:
            status = SOME_FAILED
    return status


def format_outcome(env, presenter, outcome, dry_run):
    partner = env["res.partner"].browse(outcome.partner_id)
    if outcome.sendable and (dry_run or outcome.notice_id):
        entry = outcome.entry
        return (
            f"  {'SEND' if dry_run else 'SENT':<8} {partner.display_name} (id {partner.id}) "
            f"{entry.purpose}: {len(entry.overdue)} overdue, {len(entry.upcoming)} coming due "
            f"-> {', '.join(outcome.recipients)}"
        )
    if outcome.planned:
        reason = outcome.failure or presenter.reason(outcome)
        return f"  {'FAILED':<8} {partner.display_name} (id {partner.id}): {reason}"
    return f"  {'SKIP':<8} {partner.display_name} (id {partner.id}): {presenter.reason(outcome)}"
