# The README's commands. `make setup` once per machine, then `make test`.
PYTHON ?= python3
export PYTHON

.PHONY: setup test test-core test-addon lint format run

setup:
	bash tools/setup.sh

test:
	bash tools/test.sh

test-core:
	$(PYTHON) -m pytest -q tests

test-addon:
	$(PYTHON) tools/addon_tests.py

lint:
	$(PYTHON) -m ruff check . && $(PYTHON) -m ruff format --check .

format:
	$(PYTHON) -m ruff check --fix . && $(PYTHON) -m ruff format .

run:
	bash tools/run.sh
