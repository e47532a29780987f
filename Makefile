# The README's commands. `make setup` once per machine, then `make test`.
PYTHON ?= python3
export PYTHON

.PHONY: setup test test-core test-addon addon-db lint format run

setup:
	bash tools/setup.sh

test:
	bash tools/test.sh

test-core:
	$(PYTHON) -m pytest -q tests

test-addon:
	$(PYTHON) tools/addon_tests.py

# A database with the addons and their demo data, kept, for `pytest --odoo-database=$(DB) ...`.
DB ?= cobranca_dev
addon-db:
	$(PYTHON) tools/addon_tests.py --create-db $(DB)

lint:
	bash tools/lint.sh

format:
	$(PYTHON) -m ruff check --fix . && $(PYTHON) -m ruff format .

run:
	bash tools/run.sh
