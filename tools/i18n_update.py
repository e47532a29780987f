#!/usr/bin/env python3
"""Refresh cobranca_email/i18n/cobranca_email.pot from Odoo and merge it into pt_BR.po.

Usage: python3 tools/i18n_update.py [--db NAME]

Installs (or updates) the addon in the given database (default: a throw-away one), exports the
template with Odoo's own exporter, then merges it into pt_BR.po: existing translations are kept,
new terms arrive empty, vanished ones are dropped. It prints the terms still untranslated; the
addon tier's test_i18n fails while any remains.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from addon_tests import addons_path, db_options, drop_database, odoo_command

I18N = Path(__file__).resolve().parent.parent / "cobranca_email" / "i18n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="existing database to use (kept); default: a temporary one")
    args = parser.parse_args()
    cmd, root = odoo_command()
    if cmd is None:
        sys.exit(root)
    dbname = args.db or f"cobranca_i18n_{os.getpid()}"
    data_dir = tempfile.mkdtemp(prefix="cobranca-i18n-")
    pot = I18N / "cobranca_email.pot"
    common = [*cmd, *db_options(), f"--addons-path={addons_path(root)}", f"--data-dir={data_dir}"]
    common += [f"--database={dbname}", "--stop-after-init", "--log-level=warn"]
    try:
        # Export reads an installed registry: install or update first, then export.
        env = dict(os.environ, PYTHONPATH=str(I18N.parent.parent))
        subprocess.run([*common, "--init=cobranca_email"], check=True, env=env)
        subprocess.run(
            [*common, f"--i18n-export={pot}", "--modules=cobranca_email", "--language="], check=True, env=env
        )
    finally:
        if not args.db:
            drop_database(cmd, dbname, data_dir)
    template = polib.pofile(str(pot))
    po_path = I18N / "pt_BR.po"
    po = polib.pofile(str(po_path))
    po.merge(template)
    po[:] = [entry for entry in po if not entry.obsolete]
    po.metadata["Language"] = "pt_BR"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
    po.save(str(po_path))
    missing = [entry.msgid for entry in po if not entry.msgstr]
    print(f"{len(po)} terms, {len(missing)} untranslated")
    for msgid in missing:
        print(f"  {msgid!r}")


if __name__ == "__main__":
    main()
