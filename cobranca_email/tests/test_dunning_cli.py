import io
import os
import re
import subprocess
import sys
from pathlib import Path

import odoo
from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.cobranca_email.cli import cobranca_dunning as cli

from .common_dunning import DAY1, DunningCommon, on

SEND_LINE = re.compile(r"^\s+(SEND|SENT)\s+.* \(id (\d+)\) (dunning|notice):")


def partner_ids(output, kinds=("SEND", "SENT")):
    return {int(match[2]) for match in map(SEND_LINE.match, output.splitlines()) if match and match[1] in kinds}


def odoo_bin(*args):
    """Run ``odoo-bin cobranca-dunning`` against this test database, as an external scheduler would."""
    odoo_bin_path = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    db_args = [f"--db_host={config['db_host'] or '127.0.0.1'}", f"--db_port={config['db_port'] or 5432}"]
    if config["db_user"]:
        db_args += [f"--db_user={config['db_user']}", f"--db_password={config['db_password']}"]
    command = [sys.executable, str(odoo_bin_path), f"--addons-path={config['addons_path']}", "cobranca-dunning"]
    return subprocess.run(
        [*command, *db_args, "--log-level=warn", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
        check=False,
    )


@tagged("post_install", "-at_install")
class TestDunningCommand(DunningCommon):
    def run_cli(self, company_ids=(), dry_run=True, day=DAY1):
        out = io.StringIO()
        status = cli.run(self.env, list(company_ids), dry_run, day, out)
        return status, out.getvalue()

    def test_dry_run_prints_who_gets_what_and_why(self):
        status, output = self.run_cli([self.company.id])
        self.assertEqual(partner_ids(output), {self.olga.id, self.ulisses.id, self.carla.id})
        self.assertIn(f"Olga Overdue (id {self.olga.id}) dunning: 2 overdue, 1 coming due -> olga@example.com", output)
        self.assertIn(f"Ulisses Upcoming (id {self.ulisses.id}) notice: 0 overdue, 1 coming due", output)
        self.assertIn("-> billing@carla.example.com", output)
        self.assertRegex(output, rf"FAILED\s+Nelson No-Email \(id {self.nelson.id}\): No valid e-mail address")
        self.assertRegex(output, rf"SKIP\s+Tiago Tolerated \(id {self.tiago.id}\): Past due but within the tolerance")
        self.assertIn("3 notice(s) to send, 1 failed, 4 customer(s) without notice today", output)
        self.assertEqual(status, cli.SOME_FAILED, "a notice that cannot leave makes the scheduler's run fail")
        # Nothing was written.
        self.assertFalse(self.env["cobranca.dunning.state"].search([("partner_id", "=", self.olga.id)]))

    def test_dry_run_lists_the_customers_the_scheduled_action_sends_to(self):
        for some_day in (DAY1, DAY1.replace(day=12), DAY1.replace(day=15)):
            with self.subTest(day=some_day):
                _status, output = self.run_cli([self.company.id], day=some_day)
                sent = self.cron(some_day)
                self.assertEqual(partner_ids(output), {partner.id for partner in sent})

    def test_a_real_run_prints_what_it_queued(self):
        with on(DAY1):
            status, output = self.run_cli([self.company.id], dry_run=False, day=None)
        self.assertEqual(partner_ids(output, kinds=("SENT",)), {self.olga.id, self.ulisses.id, self.carla.id})
        self.assertIn("3 notice(s) queued, 1 failed", output)
        self.assertEqual(status, cli.SOME_FAILED)
        with on(DAY1):
            status, output = self.run_cli([self.company.id], dry_run=False, day=None)
        self.assertIn("0 notice(s) queued, 0 failed, 0 customer(s) without notice today", output, "resumes the day")

    def test_dry_run_without_failures_exits_zero(self):
        self.nelson.email = "nelson@example.com"
        status, output = self.run_cli([self.company.id])
        self.assertEqual(status, cli.OK)
        self.assertIn(self.nelson.id, partner_ids(output))

    def test_arguments_that_cannot_run(self):
        status, output = self.run_cli([987654])
        self.assertEqual(status, cli.NOT_RUN)
        self.assertIn("no company with id 987654", output)
        self.company.cobranca_dunning_enabled = False
        status, output = self.run_cli([self.company.id], dry_run=False, day=None)
        self.assertEqual(status, cli.NOT_RUN)
        self.assertIn("dunning notices are disabled for Cobrança Teste Ltda", output)

    def test_odoo_bin_command_on_the_demo_company(self):
        """The real command line, in another process, on this database's committed demo data."""
        company = self.env.ref("base.demo_company_br")
        company.cobranca_dunning_enabled = True  # as committed (DunningCommon turns it off here)
        expected = self.env["cobranca.dunning"].with_company(company)._run(company, dry_run=True)
        done = odoo_bin("-d", self.env.cr.dbname, "--company", str(company.id), "--dry-run")
        self.assertIn(f"company {company.name} (id {company.id})", done.stdout, done.stderr)
        self.assertEqual(partner_ids(done.stdout), {outcome.partner_id for outcome in expected.to_send})
        self.assertIn(self.env.ref("cobranca_email.demo_customer_maria").id, partner_ids(done.stdout))
        self.assertEqual(done.returncode, cli.SOME_FAILED if expected.failed else cli.OK)

        done = odoo_bin("-d", self.env.cr.dbname, "--date", "2026-03-10")
        self.assertEqual(done.returncode, cli.NOT_RUN)
        self.assertIn("--date goes with --dry-run", done.stdout)
