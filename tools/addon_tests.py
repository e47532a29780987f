#!/usr/bin/env python3
"""Addon tier: install this repository's addons in a fresh database and run their tests in Odoo 18.

Two runners, one verdict. Where pytest-odoo is installed, the addons are installed first (with
their demo data, as `make run` installs them) and their tests then run through
``pytest --odoo-database=DB``; elsewhere, through ``odoo-bin --test-enable`` during the install.
``--runner`` chooses one.

Prints ``addon tier: SKIPPED (...)`` and exits 0 when Odoo 18.0 cannot be imported, so that the
core tier alone decides the result on machines without Odoo. Otherwise the exit code is non-zero
when a test fails or errors, when no test ran, when a test was skipped, or when Odoo's log of the
install holds any WARNING, ERROR or CRITICAL line (an addon that installs with warnings is not
clean). The database and the file store it creates are dropped at the end, whatever happened.

Also writes this checkout's Odoo configuration file, ``var/odoo.conf`` (database connection,
addons path, data folder), used by both runners and by a plain ``pytest --odoo-database=DB``
(see conftest.py); ``--write-config`` writes it and stops, ``--create-db NAME`` also installs the
addons in NAME and keeps it, for running tests by hand.
"""

import argparse
import ast
import configparser
import importlib.util
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ODOO_CONF = REPO / "var" / "odoo.conf"
DATA_DIR = REPO / "var" / "odoo-data"
LOG_LINE = re.compile(r"^\S+ \S+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)")
RESULT = re.compile(r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests when loading database")
# pytest's closing line, e.g. "=== 140 passed, 2 failed, 1 skipped, 3 warnings in 600.12s ===".
PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)\b")
PYTEST_CLOSING = re.compile(r"^=+ .*\bin [\d.]+s\b.* =+$")
# Lines worth showing while the tests run; the whole log goes to var/addon-tests.log.
SHOW = re.compile(r"odoo\.addons\.(cobranca_email|cobranca_cnab|mail_outgoing_delivery)|odoo\.tests\.(stats|result)")


def db_settings():
    env = os.environ
    return {
        "db_host": env.get("COBRANCA_DB_HOST", "127.0.0.1"),
        "db_port": env.get("COBRANCA_DB_PORT", "5432"),
        "db_user": env.get("COBRANCA_DB_USER", "odoo"),
        "db_password": env.get("COBRANCA_DB_PASSWORD", "odoo"),
    }


def db_options():
    """The database connection as odoo-bin options (for scripts that start Odoo without var/odoo.conf)."""
    return [f"--{key}={value}" for key, value in db_settings().items()]


def write_config(root):
    """Write var/odoo.conf for this checkout: Odoo's own format, read by odoo-bin -c and pytest-odoo."""
    config = configparser.ConfigParser(interpolation=None)
    config["options"] = {
        **db_settings(),
        "addons_path": addons_path(root),
        "data_dir": str(DATA_DIR),
        "http_interface": "127.0.0.1",
        "max_cron_threads": "0",
    }
    ODOO_CONF.parent.mkdir(parents=True, exist_ok=True)
    with open(ODOO_CONF, "w", encoding="utf-8") as conf:
        conf.write("; Written by tools/addon_tests.py (make setup, make test) for this checkout.\n")
        config.write(conf)
    return ODOO_CONF


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


# Odoo's own addons installed next to ours for the addon tier: the OAuth mail servers (Gmail,
# Outlook), which cobranca_email's tests send through. cobranca_email does not depend on them.
ODOO_TEST_MODULES = ("google_gmail", "microsoft_outlook")


def repository_modules(root):
    """The addons of this repository that can be installed here: the transport addon
    mail_outgoing_delivery and cobranca_email always, every other addon of the repository (a folder
    with a __manifest__.py: cobranca_cnab, the bridges cobranca_email_<peer>) only where the addons
    it depends on outside the repository are installed (e.g. OCA contract)."""
    import odoo.addons  # noqa: PLC0415

    search = [Path(path) for path in odoo.addons.__path__] + [root / "addons"]
    modules = ["mail_outgoing_delivery", "cobranca_email"]
    ours = {manifest.parent.name for manifest in REPO.glob("*/__manifest__.py")}
    for manifest in sorted(REPO.glob("*/__manifest__.py")):
        if manifest.parent.name in modules:
            continue
        peers = [dep for dep in ast.literal_eval(manifest.read_text())["depends"] if dep not in ours]
        if all(any((path / peer / "__manifest__.py").exists() for path in search) for peer in peers):
            modules.append(manifest.parent.name)
    return modules


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drop_database(cmd, dbname, data_dir=None):
    """Drop ``dbname`` and its file store (in ``data_dir``, default var/odoo.conf's)."""
    options = [*db_options(), f"--data-dir={data_dir}"] if data_dir else [f"--config={ODOO_CONF}"]
    subprocess.run(
        [*cmd, "db", *options, "drop", dbname],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def child_env():
    # This checkout's cobranca_core first, whatever checkout `pip install -e` last pointed at.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    # wkhtmltopdf (Qt) warns on stderr without a runtime dir, and Odoo logs its stderr as a WARNING.
    runtime = REPO / "var" / "runtime"
    runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
    env.setdefault("XDG_RUNTIME_DIR", str(runtime))
    return env


def run_odoo(argv, log_path, env):
    """Run Odoo, keep its whole log, show what matters; return (exit code, test result, bad lines)."""
    counts = {"WARNING": 0, "ERROR": 0, "CRITICAL": 0}
    result = None
    showing = False
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
    return returncode, result, counts


def install_argv(cmd, dbname, modules):
    return [
        *cmd,
        f"--config={ODOO_CONF}",
        f"--database={dbname}",
        f"--init={','.join((*ODOO_TEST_MODULES, modules))}",
        "--stop-after-init",
        f"--http-port={free_port()}",
        "--workers=0",
        "--log-level=info",
    ]


def run_pytest(dbname, paths, log_path, env):
    """Run the installed addons' tests through pytest-odoo; return (exit code, counts)."""
    argv = [
        sys.executable,
        "-m",
        "pytest",
        f"--odoo-database={dbname}",
        f"--odoo-config={ODOO_CONF}",
        "--odoo-http",
        *paths,
    ]
    counts = {}
    with (
        open(log_path, "a", encoding="utf-8") as log,
        subprocess.Popen(
            argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", env=env
        ) as proc,
    ):
        for line in proc.stdout:
            log.write(line)
            sys.stdout.write(line)
            if PYTEST_CLOSING.match(line.strip()):
                counts = {}
                for number, word in PYTEST_COUNT.findall(line):
                    key = "errors" if word.startswith("error") else word
                    counts[key] = counts.get(key, 0) + int(number)
        returncode = proc.wait()
    return returncode, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runner",
        choices=("auto", "pytest-odoo", "odoo-bin"),
        default="auto",
        help="auto (default): pytest-odoo where it is installed, else odoo-bin --test-enable",
    )
    parser.add_argument("--tags", help="odoo-bin runner: Odoo --test-tags (default: every installed module's tests)")
    parser.add_argument("--modules", help="modules to install (default: this repository's installable ones)")
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--write-config", action="store_true", help="write var/odoo.conf and stop")
    parser.add_argument("--create-db", metavar="NAME", help="install the addons with demo data in NAME, run no test")
    parser.add_argument("--log", default=str(REPO / "var" / "addon-tests.log"))
    parser.add_argument("pytest_args", nargs="*", help="pytest-odoo runner: test paths (default: each module's tests)")
    args = parser.parse_args()

    cmd, root = odoo_command()
    if cmd is None:
        if args.write_config or args.create_db:
            print(f"addon tier: {root}", file=sys.stderr)
            return 2
        print(f"addon tier: SKIPPED ({root})", flush=True)
        return 0
    write_config(root)
    if args.write_config:
        print(f"addon tier: wrote {ODOO_CONF}")
        return 0

    modules = args.modules.split(",") if args.modules else repository_modules(root)
    env = child_env()
    log_path = Path(args.log)
    log_path.parent.mkdir(parents=True, exist_ok=True)

    if args.create_db:
        print(f"addon tier: installing {','.join(modules)} with demo data in {args.create_db}", flush=True)
        returncode, _result, counts = run_odoo(install_argv(cmd, args.create_db, ",".join(modules)), log_path, env)
        bad = {level: n for level, n in counts.items() if n}
        if returncode or bad:
            print(f"addon tier: the install failed or logged {bad or 'nothing'}, see {log_path}")
            return 1
        print(f"addon tier: ready: pytest --odoo-database={args.create_db} {' '.join(f'{m}/tests' for m in modules)}")
        return 0

    runner = args.runner
    if runner == "auto":
        runner = "pytest-odoo" if importlib.util.find_spec("pytest_odoo") else "odoo-bin"
    dbname = f"cobranca_test_{os.getpid()}"
    problems = []
    try:
        if runner == "pytest-odoo":
            passed, failed = run_through_pytest(cmd, dbname, modules, args, log_path, env, problems)
        else:
            passed, failed = run_through_odoo_bin(cmd, dbname, modules, args, log_path, env, problems)
    finally:
        if not args.keep:
            drop_database(cmd, dbname)
    for problem in problems:
        print(f"addon tier: {problem}", flush=True)
    print(f"addon tier: ran through {runner}", flush=True)
    print(f"addon: {passed} passed, {failed} failed", flush=True)
    return 1 if problems or failed else 0


def bad_lines(counts, log_path):
    if any(counts.values()):
        detail = ", ".join(f"{n} {level}" for level, n in counts.items() if n)
        return [f"the log has {detail} line(s), see {log_path}"]
    return []


def run_through_odoo_bin(cmd, dbname, modules, args, log_path, env, problems):
    """Install with --test-enable: Odoo runs at_install tests during the install, post_install after."""
    tags = args.tags or ",".join(f"/{module}" for module in modules)
    print(f"addon tier: installing {','.join(modules)} in {dbname} and running tests {tags}", flush=True)
    argv = [*install_argv(cmd, dbname, ",".join(modules)), "--test-enable", f"--test-tags={tags}"]
    returncode, result, counts = run_odoo(argv, log_path, env)
    if returncode:
        problems.append(f"Odoo exited with status {returncode}")
    if result is None:
        problems.append("Odoo printed no test result")
        result = {"failed": 0, "errors": 0, "run": 0}
    if not result["run"]:
        problems.append("no test ran")
    problems.extend(bad_lines(counts, log_path))
    failed = result["failed"] + result["errors"]
    return result["run"] - failed, failed


def run_through_pytest(cmd, dbname, modules, args, log_path, env, problems):
    """Install (demo data included), then run the tests through pytest-odoo on that database."""
    print(f"addon tier: installing {','.join(modules)} in {dbname}", flush=True)
    returncode, _result, counts = run_odoo(install_argv(cmd, dbname, ",".join(modules)), log_path, env)
    problems.extend(bad_lines(counts, log_path))
    if returncode:
        problems.append(f"the install exited with status {returncode}, see {log_path}")
        return 0, 0
    print(f"addon tier: running the tests through pytest-odoo on {dbname}", flush=True)
    paths = args.pytest_args or [f"{module}/tests" for module in modules]
    returncode, counts = run_pytest(dbname, paths, log_path, env)
    passed = counts.get("passed", 0)
    failed = counts.get("failed", 0) + counts.get("errors", 0)
    if not counts:
        problems.append(f"pytest printed no result (exit status {returncode}), see {log_path}")
    elif not passed + failed:
        problems.append("no test ran")
    if counts.get("skipped"):
        problems.append(f"{counts['skipped']} test(s) skipped: every addon test must run here")
    if returncode and not failed:
        problems.append(f"pytest exited with status {returncode}")
    return passed, failed


if __name__ == "__main__":
    sys.exit(main())
