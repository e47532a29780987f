#!/usr/bin/env python3
"""Addon tier: install cobranca_email in a fresh database and run its tests inside Odoo 18.

Prints ``addon tier: SKIPPED (...)`` and exits 0 when Odoo 18.0 cannot be imported, so that the
core tier alone decides the result on machines without Odoo. Otherwise the exit code is non-zero
when a test fails or errors, when no test ran, or when the log holds any WARNING, ERROR or
CRITICAL line (an addon that installs with warnings is not clean). The addon is installed with its
demo data, as `make run` installs it. The database and the file store it creates are dropped at
the end, whatever happened.
"""

import argparse
import ast
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOG_LINE = re.compile(r"^\S+ \S+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)")
RESULT = re.compile(r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests when loading database")
# Lines worth showing while the tests run; the whole log goes to var/addon-tests.log.
SHOW = re.compile(r"odoo\.addons\.cobranca_email|odoo\.tests\.(stats|result)")


def db_options():
    env = os.environ
    return [
        f"--db_host={env.get('COBRANCA_DB_HOST', '127.0.0.1')}",
        f"--db_port={env.get('COBRANCA_DB_PORT', '5432')}",
        f"--db_user={env.get('COBRANCA_DB_USER', 'odoo')}",
        f"--db_password={env.get('COBRANCA_DB_PASSWORD', 'odoo')}",
    ]


def odoo_command():
    """Return the argv prefix that starts Odoo 18, or None with the reason it cannot."""
    try:
        import odoo.release  # noqa: PLC0415
    except ImportError as exc:
        return None, f"Odoo 18.0 not importable: {exc}"
    if odoo.release.major_version != "18.0":
        return None, f"Odoo 18.0 not importable: found {odoo.release.major_version}"
    root = Path(odoo.release.__file__).resolve().parent.parent
    odoo_bin = root / "odoo-bin"
    if odoo_bin.exists():
        # The generated `odoo` console script can trip over pkg_resources; odoo-bin does not.
        return [sys.executable, str(odoo_bin)], root
    return [sys.executable, "-m", "odoo"], root


def addons_path(root):
    paths = [str(REPO)]
    if (root / "addons").is_dir():
        paths.insert(0, str(root / "addons"))
    return ",".join(paths)


def repository_modules(root):
    """The addons of this repository that can be installed here: cobranca_email always, each bridge
    (cobranca_email_<peer>) only where its peer addon is installed (e.g. OCA contract)."""
    import odoo.addons  # noqa: PLC0415

    search = [Path(path) for path in odoo.addons.__path__] + [root / "addons"]
    modules = ["cobranca_email"]
    for manifest in sorted(REPO.glob("cobranca_email_*/__manifest__.py")):
        peers = [dep for dep in ast.literal_eval(manifest.read_text())["depends"] if dep != "cobranca_email"]
        if all(any((path / peer / "__manifest__.py").exists() for path in search) for peer in peers):
            modules.append(manifest.parent.name)
    return modules


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drop_database(cmd, dbname, data_dir):
    subprocess.run(
        [*cmd, "db", *db_options(), f"--data-dir={data_dir}", "drop", dbname],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", help="Odoo --test-tags (default: every installed module of this repository)")
    parser.add_argument("--modules", help="modules to install (default: this repository's installable ones)")
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--log", default=str(REPO / "var" / "addon-tests.log"))
    args = parser.parse_args()

    cmd, root = odoo_command()
    if cmd is None:
        print(f"addon tier: SKIPPED ({root})", flush=True)
        return 0

    modules = args.modules.split(",") if args.modules else repository_modules(root)
    args.modules = ",".join(modules)
    args.tags = args.tags or ",".join(f"/{module}" for module in modules)
    dbname = f"cobranca_test_{os.getpid()}"
    data_dir = tempfile.mkdtemp(prefix="cobranca-odoo-data-")
    log_path = Path(args.log)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        *cmd,
        *db_options(),
        f"--addons-path={addons_path(root)}",
        f"--data-dir={data_dir}",
        f"--database={dbname}",
        f"--init={args.modules}",
        # With demo data: the install that `make run` does is checked too, warnings included.
        "--test-enable",
        f"--test-tags={args.tags}",
        "--stop-after-init",
        "--http-interface=127.0.0.1",
        f"--http-port={free_port()}",
        "--max-cron-threads=0",
        "--workers=0",
        "--log-level=info",
    ]
    print(f"addon tier: installing {args.modules} in {dbname} and running tests {args.tags}", flush=True)
    # This checkout's cobranca_core first, whatever checkout `pip install -e` last pointed at.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    # wkhtmltopdf (Qt) warns on stderr without a runtime dir, and Odoo logs its stderr as a WARNING.
    env.setdefault("XDG_RUNTIME_DIR", data_dir)
    counts = {"WARNING": 0, "ERROR": 0, "CRITICAL": 0}
    result = None
    showing = False
    try:
        with (
            open(log_path, "w", encoding="utf-8") as log,
            subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", env=env
            ) as proc,
        ):
            for line in proc.stdout:
                log.write(line)
                match = LOG_LINE.match(line)
                if match:
                    level = match["level"]
                    showing = level in counts or bool(SHOW.search(match["logger"]))
                    if level in counts:
                        counts[level] += 1
                    found = RESULT.search(match["msg"])
                    if found:
                        result = {key: int(value) for key, value in found.groupdict().items()}
                if showing:
                    sys.stdout.write(line)
            returncode = proc.wait()
    finally:
        if not args.keep:
            drop_database(cmd, dbname, data_dir)
            shutil.rmtree(data_dir, ignore_errors=True)

    problems = []
    if returncode:
        problems.append(f"Odoo exited with status {returncode}")
    if result is None:
        problems.append("Odoo printed no test result")
        result = {"failed": 0, "errors": 0, "run": 0}
    if not result["run"]:
        problems.append("no test ran")
    bad_lines = sum(counts.values())
    if bad_lines:
        detail = ", ".join(f"{n} {level}" for level, n in counts.items() if n)
        problems.append(f"the log has {detail} line(s), see {log_path}")
    failed = result["failed"] + result["errors"]
    for problem in problems:
        print(f"addon tier: {problem}", flush=True)
    print(f"addon: {result['run'] - failed} passed, {failed} failed", flush=True)
    return 1 if problems or failed else 0


if __name__ == "__main__":
    sys.exit(main())
