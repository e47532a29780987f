"""pytest set-up shared by the two test tiers.

pytest-odoo's plugin loads into every pytest run of an interpreter where it is installed. The core
tier (``pytest tests``) keeps it idle (``tests/conftest.py``). For the addon tier
(``pytest --odoo-database=DB cobranca_email/tests``), when no Odoo configuration is given
(``--odoo-config`` or ``ODOO_RC``), this checkout's ``var/odoo.conf`` (written by ``make setup``:
database connection, addons path) is used, and Odoo's HTTP server is started so that the browser
tours run instead of being skipped; and Odoo's "a test is running" flag is raised for the session,
as Odoo's own test runner raises it, so that code which commits outside tests (batches of the
scheduled actions) keeps to savepoints inside them. Addon tests named without a database are
refused with a message instead of failing on import.
"""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
ODOO_CONF = REPO / "var" / "odoo.conf"


def _odoo_requested(config):
    return bool(
        config.getoption("--odoo-database")
        or config.getoption("--odoo-config")
        or config.getoption("--odoo-dev")
        or os.environ.get("ODOO_RC")
        or os.environ.get("OPENERP_SERVER")
    )


def _addon_run(config):
    return config.pluginmanager.get_plugin("odoo") is not None and _odoo_requested(config)


def _addon_paths(config):
    """The command-line paths that lie inside an Odoo addon (a folder with a __manifest__.py)."""
    found = []
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if any((folder / "__manifest__.py").is_file() for folder in (path, *path.parents)):
            found.append(arg)
    return found


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_cmdline_main(config):
    plugin = config.pluginmanager.get_plugin("odoo")
    if plugin is not None:
        if _odoo_requested(config):
            if not config.getoption("--odoo-config") and not os.environ.get("ODOO_RC") and ODOO_CONF.is_file():
                config.option.odoo_config = str(ODOO_CONF)
            config.option.odoo_http = True
        else:
            inside = _addon_paths(config)
            if inside:
                raise pytest.UsageError(
                    f"{', '.join(inside)}: addon tests run inside Odoo; name a database with the addons "
                    "installed: pytest --odoo-database=DB ... (README, 'The addon tests through pytest-odoo')"
                )
    yield


@pytest.fixture(scope="session", autouse=True)
def odoo_current_test(request):
    """Odoo 18's test loader sets ``odoo.modules.module.current_test`` while module tests run
    (``account.move.send._can_commit`` and our batch runners read it); pytest-odoo does so from
    Odoo 19 on only."""
    if not _addon_run(request.config):
        yield
        return
    request.getfixturevalue("load_registry")
    from odoo.modules import module  # noqa: PLC0415 (only where Odoo runs)

    module.current_test = True
    yield
    module.current_test = False
