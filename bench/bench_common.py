"""What both benchmark scripts need: a counting SMTP sink, a fresh database, the billing company."""

import os
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO))

# Re-exported for the benchmark scripts: tools/ is on the path once this module is imported.
from addon_tests import addons_path, db_options, drop_database, free_port, odoo_command  # noqa: E402

__all__ = ["Sink", "addons_path", "billing_company", "create_database", "db_options", "drop_database", "free_port",
           "odoo_command"]  # fmt: skip


class Sink:
    """aiosmtpd handler that only counts."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def create_database(cmd, root, dbname, data_dir, modules="cobranca_email"):
    """A new database with ``modules`` installed, no demo data."""
    env = dict(os.environ, PYTHONPATH=str(REPO), XDG_RUNTIME_DIR=data_dir)
    subprocess.run(
        [*cmd, *db_options(), f"--addons-path={addons_path(root)}", f"--data-dir={data_dir}", f"--database={dbname}",
         f"--init={modules}", "--without-demo=all", "--stop-after-init", "--log-level=warn"],
        check=True, env=env,
    )  # fmt: skip


def billing_company(env, email_on_post):
    """The current company made Brazilian ("Bench Ltda"), with an Itaú wallet with Pix as its default
    wallet; returns the company and a 30/60 days payment term."""
    from odoo import Command  # noqa: PLC0415

    company = env.company
    company.write({"name": "Bench Ltda", "vat": "11.222.333/0001-81", "city": "São Paulo", "email": "f@bench.com.br"})
    company.country_id = env.ref("base.br")
    env["account.chart.template"].try_loading("br", company, install_demo=False)
    bank = env["res.bank"].create({"name": "Itaú Unibanco", "cobranca_bank_code": "341"})
    account = env["res.partner.bank"].create(
        {"acc_number": "0057 12345-7", "bank_id": bank.id, "partner_id": company.partner_id.id,
         "proxy_type": "br_random", "proxy_value": "71d6c6e1-64ea-4a11-9560-a10870c40ca2"}
    )  # fmt: skip
    company.cobranca_wallet_id = env["cobranca.wallet"].create(
        {"name": "Itaú 109", "partner_bank_id": account.id, "agency": "0057", "account": "12345",
         "account_dv": "7", "carteira": "109", "pix_enabled": True, "email_on_post": email_on_post,
         "fine_percent": 2, "interest_monthly_percent": 1}
    )  # fmt: skip
    term = env["account.payment.term"].create(
        {"name": "30/60", "line_ids": [Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                                       Command.create({"value": "percent", "value_amount": 50, "nb_days": 60})]}
    )  # fmt: skip
    return company, term
