#!/usr/bin/env bash
# The linters, as OCA repositories run them: ruff (lint and format), pylint-odoo with OCA's
# mandatory checks (.pylintrc-mandatory), and OCA's XML/manifest and PO checks. Every one runs;
# the exit code is non-zero when any of them found something.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
cd "$REPO"
ADDONS=(mail_outgoing_delivery cobranca_email cobranca_email_contract cobranca_cnab)
status=0
step() {
    printf 'lint: %s\n' "$1"
    shift
    "$@" || status=1
}
step "ruff check" "$PYTHON" -m ruff check .
step "ruff format --check" "$PYTHON" -m ruff format --check .
step "pylint-odoo (OCA mandatory checks)" "$PYTHON" -m pylint --rcfile=.pylintrc-mandatory "${ADDONS[@]}"
step "oca-checks-odoo-module (manifest, XML, CSV)" "$PYTHON" -m oca_pre_commit_hooks.cli "${ADDONS[@]}"
step "addon README.rst up to date" "$PYTHON" tools/gen_addon_readme.py --check
shopt -s nullglob
po_files=()
for addon in "${ADDONS[@]}"; do po_files+=("$addon"/i18n/*.po "$addon"/i18n/*.pot); done
step "oca-checks-po" "$PYTHON" -m oca_pre_commit_hooks.cli_po --disable=po-pretty-format "${po_files[@]}"
exit $status
