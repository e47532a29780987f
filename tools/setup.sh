#!/usr/bin/env bash
# One-time set-up of a machine for the tests and `make run`. Idempotent: every step checks first
# and does nothing when its work is already done, so a second run is quick and changes nothing.
#
# It does not install Odoo itself: Odoo 18.0 is not on the package registries and is installed by
# hand (README, "Requirements"). Without it, the addon tier is skipped.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
DB_HOST=${COBRANCA_DB_HOST:-127.0.0.1}
DB_PORT=${COBRANCA_DB_PORT:-5432}
DB_USER=${COBRANCA_DB_USER:-odoo}
DB_PASSWORD=${COBRANCA_DB_PASSWORD:-odoo}
DEBIAN_PACKAGES=(wkhtmltopdf poppler-utils zbar-tools chromium fonts-dejavu-core)

say() { printf 'setup: %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        say "needs root for: $*"; return 1
    fi
}

apt_updated=
apt_install() {
    if [ -z "$apt_updated" ]; then
        as_root apt-get update -qq
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Python: cobranca_core (editable, so Odoo sees this checkout) and the test tools ------------
# The check runs from / so that this checkout being the current directory (on sys.path) does not
# make an install from another folder (say, a deleted clone) look like this one.
python_ready() {
    (cd / && "$PYTHON" - "$REPO" <<'EOF'
import importlib.metadata, sys, pathlib
import cobranca_core, pikepdf, pytest, hypothesis, aiosmtpd, freezegun, ruff, websocket  # noqa: F401
import pylint_odoo, oca_pre_commit_hooks  # noqa: F401
importlib.metadata.version("cobranca-core")
assert pathlib.Path(cobranca_core.__file__).resolve().parent.parent == pathlib.Path(sys.argv[1])
EOF
    ) 2>/dev/null
}
if python_ready; then
    say "python packages: ok"
else
    say "python packages: installing cobranca_core (editable, from $REPO), the addon's requirements and the test tools"
    "$PYTHON" -m pip install -q --disable-pip-version-check -e "$REPO[addon,test]"
fi

# --- Debian packages: wkhtmltopdf (PDF reports), pdftotext, zbarimg, chromium (UI tours) --------
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
    say "debian packages: ok"
else
    say "debian packages: installing ${missing[*]}"
    apt_install "${missing[@]}"
fi

# --- PostgreSQL: a reachable server and the role the tests use ----------------------------------
if ! command -v pg_lsclusters >/dev/null && ! command -v pg_isready >/dev/null; then
    say "postgresql: installing"
    apt_install postgresql
fi
if pg_isready -q -h "$DB_HOST" -p "$DB_PORT"; then
    say "postgresql: running on $DB_HOST:$DB_PORT"
else
    if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
        say "postgresql: no cluster, installing the server"
        apt_install postgresql
    fi
    pg_lsclusters -h | while read -r version cluster _; do
        say "postgresql: starting cluster $version/$cluster"
        as_root pg_ctlcluster "$version" "$cluster" start || true
    done
    for _ in $(seq 1 30); do pg_isready -q -h "$DB_HOST" -p "$DB_PORT" && break; sleep 1; done
    pg_isready -h "$DB_HOST" -p "$DB_PORT"
fi
psql_admin() { as_root runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtAX -p "$DB_PORT" "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" = "1" ]; then
    say "postgresql: role $DB_USER: ok"
else
    say "postgresql: creating role $DB_USER"
    psql_admin -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
fi

# --- Peers for the integration tests, only where Odoo 18 is installed --------------------------
if (cd / && "$PYTHON" -c 'import odoo.release as r; assert r.major_version == "18.0"') 2>/dev/null; then
    say "odoo: 18.0 found, addon tier will run"
    # OCA peers: contract (integration of cobranca_email_contract), account_credit_control (the dunning
    # benchmark's comparison), and pytest-odoo (the addon tier's runner). They install from PyPI next
    # to the hand-installed Odoo.
    peers=(odoo-addon-contract odoo-addon-account-credit-control pytest-odoo)
    # One `pip show` per package: with several, it succeeds as soon as one of them is installed.
    missing_peers=()
    for peer in "${peers[@]}"; do
        "$PYTHON" -m pip show -q "$peer" >/dev/null 2>&1 || missing_peers+=("$peer")
    done
    if [ ${#missing_peers[@]} -eq 0 ]; then
        say "odoo: OCA peers contract, account_credit_control and pytest-odoo: ok"
    else
        say "odoo: installing ${missing_peers[*]} (18.0)"
        "$PYTHON" -m pip install -q --disable-pip-version-check \
            'odoo-addon-contract>=18.0,<18.1' 'odoo-addon-account-credit-control>=18.0,<18.1' 'pytest-odoo>=2.1'
    fi
    if ! (cd / && "$PYTHON" -c 'import odoo; assert odoo.__file__') 2>/dev/null; then
        say "odoo: 'import odoo' finds a namespace package, not Odoo's odoo/__init__.py: reinstall Odoo with"
        say "odoo:   pip install -e <odoo source> --config-settings editable_mode=compat (README, Requirements)"
        exit 1
    fi
    "$PYTHON" "$REPO/tools/addon_tests.py" --write-config | sed 's/^addon tier: /setup: odoo: /'
else
    say "odoo: 18.0 not importable, addon tier will be skipped (README: Requirements)"
fi
