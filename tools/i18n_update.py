#!/usr/bin/env python3
"""Refresh each addon's i18n/<module>.pot from Odoo and merge it into its pt_BR.po.

Usage: python3 tools/i18n_update.py [--db NAME]

Installs (or updates) this repository's addons, with demo data, in the given database (default: a
throw-away one), exports each template with Odoo's own exporter, then merges it into pt_BR.po:
existing translations are kept, new terms arrive empty, vanished ones are dropped. It prints the
terms still untranslated; the addon tier's test_i18n fails while any remains.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from addon_tests import ODOO_CONF, REPO, child_env, drop_database, odoo_command, repository_modules, write_config


def merge(module, pot):
    po_path = REPO / module / "i18n" / "pt_BR.po"
    po = polib.pofile(str(po_path))
    po.merge(polib.pofile(str(pot)))
    po[:] = [entry for entry in po if not entry.obsolete]
    po.metadata["Language"] = "pt_BR"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
    po.save(str(po_path))
    missing = [entry.msgid for entry in po if not entry.msgstr]
    print(f"{module}: {len(po)} terms, {len(missing)} untranslated")
    for msgid in missing:
        print(f"  {msgid!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="existing database to use (kept); default: a temporary one")
    args = parser.parse_args()
    cmd, root = odoo_command()
    if cmd is None:
        sys.exit(root)
    write_config(root)
    modules = repository_modules(root)
    dbname = args.db or f"cobranca_i18n_{os.getpid()}"
    common = [*cmd, f"--config={ODOO_CONF}", f"--database={dbname}", "--stop-after-init", "--log-level=warn"]
    env = child_env()
    try:
        # Export reads an installed registry: install or update first (with demo data, whose terms
        # are exported too), then export module by module.
        subprocess.run([*common, f"--init={','.join(modules)}"], check=True, env=env)
        for module in modules:
            pot = REPO / module / "i18n" / f"{module}.pot"
            subprocess.run([*common, f"--i18n-export={pot}", f"--modules={module}", "--language="], check=True, env=env)
            merge(module, pot)
    finally:
        if not args.db:
            drop_database(cmd, dbname)


if __name__ == "__main__":
    main()
