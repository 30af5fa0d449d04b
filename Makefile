# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck format bench clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

# Front-end libraries come from npm (package-lock.json) and are fingerprinted into
# src/homeledger/web/static/dist, which git ignores.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

ASSETS := src/homeledger/web/static/dist/manifest.json
$(ASSETS): node_modules/.package-lock.json $(STAMP) $(wildcard src/homeledger/web/static/src/*)
	$(BIN)/homeledger assets build

install: $(STAMP) $(ASSETS)

## Serve homeledger on http://127.0.0.1:8000 (SQLite under var/, nothing else needed).
run: install
	$(BIN)/homeledger migrate
	$(BIN)/homeledger serve --host 127.0.0.1 --port 8000

## Lint, type-check and run every test this machine can run.
test: install lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy --strict src tests
	$(BIN)/python scripts/check_module_size.py

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(BIN)/python -m bench.ledger.bench_ledger

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
