#!/usr/bin/env bash
# Start Odoo 18 with cobranca_email and its demo data on http://127.0.0.1:8069.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
DB=${COBRANCA_RUN_DB:-cobranca_demo}
PORT=${COBRANCA_RUN_PORT:-8069}

root=$("$PYTHON" -c 'import odoo.release as r, pathlib; assert r.major_version == "18.0"; print(pathlib.Path(r.__file__).resolve().parent.parent)' 2>/dev/null) || {
    echo "make run: Odoo 18.0 is not importable by $PYTHON. Install Odoo 18.0 first (README, Requirements)." >&2
    exit 2
}
addons="$REPO"
[ -d "$root/addons" ] && addons="$root/addons,$REPO"
odoo_bin=("$PYTHON" "$root/odoo-bin")
[ -f "$root/odoo-bin" ] || odoo_bin=("$PYTHON" -m odoo)
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"  # this checkout's cobranca_core
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}  # wkhtmltopdf (Qt) warns without one
export PGHOST=${COBRANCA_DB_HOST:-127.0.0.1} PGPORT=${COBRANCA_DB_PORT:-5432}
export PGUSER=${COBRANCA_DB_USER:-odoo} PGPASSWORD=${COBRANCA_DB_PASSWORD:-odoo}
db_opts=(--db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD")

# First run installs the addon with its demo data; later runs update it to this checkout's code.
installed=$(psql -d "$DB" -tAX -c "SELECT 1 FROM ir_module_module WHERE name = 'cobranca_email' AND state = 'installed'" 2>/dev/null || true)
if [ "$installed" = "1" ]; then module_opt=--update=cobranca_email; else module_opt=--init=cobranca_email; fi

echo "Starting Odoo 18 on http://127.0.0.1:$PORT (database $DB, login admin, password admin). Ctrl-C stops it."
exec "${odoo_bin[@]}" "${db_opts[@]}" --addons-path="$addons" --database="$DB" --db-filter="^$DB\$" \
    "$module_opt" --http-interface=127.0.0.1 --http-port="$PORT" --load-language=pt_BR "$@"
