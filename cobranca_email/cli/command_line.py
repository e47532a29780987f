"""What every command line of this repository does the same way: its options in a group of Odoo's
own parser, the database named by ``-d`` (or the configuration file) opened, and each refusal
printed on the command's output, prefixed by its name."""

# A command line's report is its standard output, not Odoo's log.
# pylint: disable=print-used

import optparse
import sys
from pathlib import Path

import odoo
from odoo.tools import config


def parse_options(command, title, args, options):
    """Odoo's configuration options plus ``options`` (``optparse.Option``), shown under ``title``."""
    parser = config.parser
    parser.prog = f"{Path(sys.argv[0]).name} {command.name}"
    group = optparse.OptionGroup(parser, title)
    for option in options:
        group.add_option(option)
    parser.add_option_group(group)
    return config.parse_config(args, setup_logging=True)


def database_name(name, out):
    """The database the command works on, or None once ``out`` says how to name one."""
    dbname = config["db_name"] and config["db_name"].split(",")[0]
    if not dbname:
        print(f"{name}: give the database with -d DATABASE (or db_name in the configuration file)", file=out)
    return dbname or None


def open_registry(name, dbname, model, addon, out):
    """The registry of ``dbname`` when ``addon`` (which defines ``model``) is installed in it, else
    None once ``out`` says why."""
    try:
        registry = odoo.modules.registry.Registry(dbname)
    except Exception as error:  # whatever keeps the database from opening ends the command
        print(f"{name}: cannot open database {dbname!r}: {error}", file=out)
        return None
    with registry.cursor() as cr:
        if model not in odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}):
            print(f"{name}: the {addon} addon is not installed in {dbname!r}", file=out)
            return None
    return registry
