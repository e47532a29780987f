"""``odoo-bin cobranca-retorno``: import retorno files downloaded with the bank's own software.

    odoo-bin --addons-path=... cobranca-retorno -c odoo.conf -d DB FILE...

Each file goes to the billing wallet of its bank account and is committed on its own; a file
imported before changes nothing. Prints, per file, what was done and each line not applied with
the reason. Exit status: 0 every line of every file was applied or recorded (or the file was
imported before); 1 a file was refused or a line was not applied; 2 nothing ran (wrong arguments,
no database, addon not installed, a file that cannot be read).
"""
# A command line's report is its standard output, not Odoo's log.
# pylint: disable=print-used

import sys
from pathlib import Path

import psycopg2.errors

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError
from odoo.tools import config

from odoo.addons.cobranca_email.cli.command_line import database_name, open_registry

OK, SOME_FAILED, NOT_RUN = 0, 1, 2
KINDS = ("registered", "rejected", "paid", "written_off")
# A file another import was applying at the same time is retried with a fresh snapshot.
ATTEMPTS = 3


class CobrancaRetorno(Command):
    """Import CNAB retorno files into their billing wallets (cobranca_cnab)"""

    name = "cobranca-retorno"

    def run(self, args):
        parser = config.parser
        parser.prog = f"{Path(sys.argv[0]).name} {self.name}"
        parser.usage = "%prog -c CONF -d DATABASE FILE..."
        # Odoo's configuration refuses positional arguments: the files are taken off the end first.
        _values, paths = parser.parse_args(list(args))
        if paths and list(args[-len(paths) :]) != paths:
            print("cobranca-retorno: give the files after the options", file=sys.stdout)
            sys.exit(NOT_RUN)
        options = config.parse_config(list(args[: len(args) - len(paths)]), setup_logging=True)
        sys.exit(main(paths, options, sys.stdout))


def main(paths, options, out):
    paths = [path for path in (paths or []) if path]
    dbname = database_name(CobrancaRetorno.name, out)
    if not dbname:
        return NOT_RUN
    if not paths:
        print("cobranca-retorno: give the retorno files to import", file=out)
        return NOT_RUN
    contents = {}
    for path in paths:
        try:
            contents[path] = Path(path).read_bytes()
        except OSError as error:
            print(f"cobranca-retorno: cannot read {path}: {error.strerror}", file=out)
            return NOT_RUN
    registry = open_registry(CobrancaRetorno.name, dbname, "cobranca.cnab.file", "cobranca_cnab", out)
    if not registry:
        return NOT_RUN
    status = OK
    for path, content in contents.items():
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            status = max(status, import_one(env, Path(path).name, content, out))
    return status


def import_one(env, name, content, out):
    """Import one file (committed on its own, retried when another import held its boletos): the
    exit status of this file. Shared with the tests."""
    from ..tools.retorno_importer import RetornoImporter  # noqa: PLC0415 (the addon's, once Odoo loaded it)

    env = env(context=dict(env.context, lang=env.user.lang or "en_US"))
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with env.cr.savepoint():
                result = RetornoImporter(env).import_file(name, content)
            break
        except (psycopg2.errors.SerializationFailure, UserError) as error:
            env.invalidate_all()
            if isinstance(error, UserError) or attempt == ATTEMPTS:
                print(f"{name}: not imported: {error}", file=out)
                return SOME_FAILED
    file = result.file
    if result.already:
        print(f"{name}: {result.message}", file=out)
        return OK
    if result.refused:
        print(f"{name}: REFUSED  {result.message}", file=out)
        return SOME_FAILED
    print(f"{name}: imported into billing wallet {file.wallet_id.display_name} (id {file.wallet_id.id})", file=out)
    lines = file.line_ids
    applied = lines.filtered(lambda line: line.result == "applied")
    counts = {kind: len(applied.filtered(lambda line, kind=kind: line.occurrence_kind == kind)) for kind in KINDS}
    print(
        f"  {len(lines)} line(s): {counts['registered']} registered, {counts['rejected']} rejected, "
        f"{counts['paid']} paid ({len(applied.payment_id)} payment(s), {file.amount_total:.2f}), "
        f"{counts['written_off']} written off, {len(lines.filtered(lambda line: line.result == 'recorded'))} "
        f"recorded, {len(lines.filtered(lambda line: line.result == 'not_applied'))} not applied",
        file=out,
    )
    for line in lines.filtered(lambda line: line.result == "not_applied").sorted("line_number"):
        print(f"  NOT APPLIED  line {line.line_number}, nosso número {line.nosso_numero}: {line.message}", file=out)
    return SOME_FAILED if file.state == "attention" else OK
