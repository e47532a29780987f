"""``odoo-bin cobranca-remessa``: generate a wallet's remessa, for companies that send it to the bank
with the bank's own software.

    odoo-bin --addons-path=... cobranca-remessa -c odoo.conf -d DB --wallet ID [--output FILE]

Writes the file (``--output``: that file, or into that folder; default: the current folder, under
the bank's file name) and keeps it in Odoo as a CNAB file, like the wallet's button. Exit status:
0 a file was written, or nothing was waiting to be sent; 1 some boletos were left out (each is
printed with the field the bank would refuse) or none could be sent; 2 nothing ran (wrong
arguments, no database, addon not installed, unknown wallet, a wallet without a CNAB layout or
with a code missing, busy with another file).
"""
# A command line's report is its standard output, not Odoo's log.
# pylint: disable=print-used

import base64
import optparse
import sys
from pathlib import Path

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError

from odoo.addons.cobranca_email.cli.command_line import database_name, open_registry, parse_options

OK, SOME_FAILED, NOT_RUN = 0, 1, 2


class CobrancaRemessa(Command):
    """Generate the CNAB remessa of a billing wallet (cobranca_cnab)"""

    name = "cobranca-remessa"

    def run(self, args):
        options = parse_options(
            self,
            "CNAB remessa (cobranca_cnab)",
            args,
            [
                optparse.make_option(
                    "--wallet", dest="cobranca_wallet_id", type="int", metavar="ID", help="the billing wallet"
                ),
                optparse.make_option(
                    "--output",
                    dest="cobranca_output",
                    metavar="FILE",
                    help="where to write the file (a folder: under the bank's file name); default: the current folder",
                ),
            ],
        )
        sys.exit(main(options, sys.stdout))


def main(options, out):
    dbname = database_name(CobrancaRemessa.name, out)
    if not dbname:
        return NOT_RUN
    if not options.cobranca_wallet_id:
        print("cobranca-remessa: give the billing wallet with --wallet ID", file=out)
        return NOT_RUN
    registry = open_registry(CobrancaRemessa.name, dbname, "cobranca.cnab.file", "cobranca_cnab", out)
    if not registry:
        return NOT_RUN
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        return run(env, options.cobranca_wallet_id, options.cobranca_output, out)


def run(env, wallet_id, output, out):
    """Generate the wallet's remessa, write it and print what it holds; returns the exit status.

    Shared with the tests: the button, the scheduled action and this command go through
    ``RemessaGenerator``; its messages are in the user's language.
    """
    from ..tools.remessa_generator import RemessaGenerator  # noqa: PLC0415 (the addon's, once Odoo loaded it)

    wallet = env["cobranca.wallet"].sudo().browse(wallet_id).exists()
    if not wallet:
        print(f"cobranca-remessa: no billing wallet with id {wallet_id}", file=out)
        return NOT_RUN
    if not wallet.cnab_layout:
        print(f"cobranca-remessa: billing wallet {wallet.display_name} (id {wallet.id}) has no CNAB layout", file=out)
        return NOT_RUN
    wallet = wallet.with_company(wallet.company_id).with_context(lang=env.user.lang or "en_US")
    try:
        result = RemessaGenerator(wallet).generate()
    except UserError as error:
        print(f"cobranca-remessa: {error}", file=out)
        return NOT_RUN
    for message in result.left_out.values():
        print(f"  LEFT OUT  {message}", file=out)
    if not result.file:
        if result.left_out:
            print(f"wallet {wallet.display_name} (id {wallet.id}): no remessa, every boleto was left out", file=out)
            return SOME_FAILED
        print(f"wallet {wallet.display_name} (id {wallet.id}): nothing to send", file=out)
        return OK
    file = result.file
    target = Path(output) if output else Path.cwd()
    if target.is_dir():
        target = target / file.name
    target.write_bytes(base64.b64decode(file.data))
    entries = sum(1 for line in file.line_ids if line.movement == "entry")
    print(
        f"wallet {wallet.display_name} (id {wallet.id}): remessa number {file.sequence}, {len(file.line_ids)} "
        f"boleto(s) ({entries} entr(ies), {len(file.line_ids) - entries} write-off request(s)) -> {target}",
        file=out,
    )
    return SOME_FAILED if result.left_out else OK
