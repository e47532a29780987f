"""The core tier runs without Odoo, also where pytest-odoo is installed.

pytest-odoo's plugin loads into every pytest run of its interpreter, and its session fixtures
(autouse) open an Odoo registry, which needs a database this tier never has. These fixtures of the
same names take their place for the tests below this folder; the addon tier keeps the plugin's.
"""

import pytest


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """No Odoo registry for the core tier."""


@pytest.fixture(scope="session", autouse=True)
def load_http():
    """No Odoo HTTP server for the core tier."""


@pytest.fixture(scope="module", autouse=True)
def enable_odoo_test_flag():
    """Odoo's test mode is not the core tier's business."""
