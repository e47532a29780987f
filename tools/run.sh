#!/usr/bin/env bash
# Start Odoo 18 with cobranca_email and its demo data on http://127.0.0.1:8069, its scheduled actions
# running, and the demo outbox (tools/demo_outbox.py) that receives what the demo sends.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
DB=${COBRANCA_RUN_DB:-cobranca_demo}
PORT=${COBRANCA_RUN_PORT:-8069}
OUTBOX_SMTP_PORT=${COBRANCA_OUTBOX_SMTP_PORT:-2525}  # the port of the demo data's mail server
OUTBOX_HTTP_PORT=${COBRANCA_OUTBOX_HTTP_PORT:-8070}
OUTBOX_DIR=${COBRANCA_OUTBOX_DIR:-$REPO/var/outbox}

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
odoo_opts=(--db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD"
    --addons-path="$addons" --database="$DB" --db-filter="^$DB\$" --load-language=pt_BR)

# The outbox first: what Odoo sends from its first minute must find it. It stops when this script ends.
for port in "$OUTBOX_SMTP_PORT" "$OUTBOX_HTTP_PORT"; do
    if (: >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "make run: port $port of 127.0.0.1 is taken (another make run?). Choose others with" \
            "COBRANCA_OUTBOX_SMTP_PORT and COBRANCA_OUTBOX_HTTP_PORT." >&2
        exit 1
    fi
done
"$PYTHON" "$REPO/tools/demo_outbox.py" --smtp-port="$OUTBOX_SMTP_PORT" --http-port="$OUTBOX_HTTP_PORT" \
    --folder="$OUTBOX_DIR" &
outbox=$!
trap 'kill "$outbox" 2>/dev/null || true; wait "$outbox" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    (: >"/dev/tcp/127.0.0.1/$OUTBOX_SMTP_PORT") 2>/dev/null && break
    kill -0 "$outbox" 2>/dev/null || { echo "make run: the demo outbox did not start (see above)." >&2; exit 1; }
    sleep 0.1
done

# First run installs the addon with its demo data; later runs update it to this checkout's code.
installed=$(psql -d "$DB" -tAX -c "SELECT 1 FROM ir_module_module WHERE name = 'cobranca_email' AND state = 'installed'" 2>/dev/null || true)
module_opts=(--update=cobranca_email)
if [ "$installed" != "1" ]; then
    echo "Installing cobranca_email with its demo data in the database $DB (a few minutes, once)."
    "${odoo_bin[@]}" "${odoo_opts[@]}" --init=cobranca_email --stop-after-init --max-cron-threads=0
    module_opts=()
fi
# The demo's mail server sends to this outbox, also when COBRANCA_OUTBOX_SMTP_PORT moved it (demo data
# is never overwritten by an update, and a server pointed elsewhere is left alone).
psql -d "$DB" -qtAX -c "UPDATE ir_mail_server SET smtp_port = $OUTBOX_SMTP_PORT
    WHERE smtp_host = '127.0.0.1' AND smtp_port <> $OUTBOX_SMTP_PORT AND id = (SELECT res_id FROM ir_model_data
    WHERE module = 'cobranca_email' AND name = 'demo_mail_server_outbox')"

echo "Starting Odoo 18 on http://127.0.0.1:$PORT (database $DB, login admin, password admin)."
echo "What the demo sends arrives in the demo outbox: http://127.0.0.1:$OUTBOX_HTTP_PORT (files in $OUTBOX_DIR)."
echo "Ctrl-C stops both."
# Scheduled actions on: boletos of posted invoices and the mail queue leave within a minute.
"${odoo_bin[@]}" "${odoo_opts[@]}" "${module_opts[@]}" --max-cron-threads=2 \
    --http-interface=127.0.0.1 --http-port="$PORT" "$@"
