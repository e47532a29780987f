#!/usr/bin/env bash
# Both test tiers, whatever the first one gives, then one exit code for all.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
cd "$REPO"
status=0

echo "== lint (ruff, pylint-odoo, OCA checks)"
bash tools/lint.sh || status=1

echo "== core tier (pytest, no Odoo)"
"$PYTHON" -m pytest -q tests || status=1

echo "== addon tier (Odoo 18, PostgreSQL)"
"$PYTHON" tools/addon_tests.py "$@" || status=1

exit $status
