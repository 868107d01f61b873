# The two commands of a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test lint typecheck pytest install dev clean pg-start pg-stop schema-doc sysdeps browser

$(BIN)/python:
	bash scripts/sysdeps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## demo: build the London estate in the embedded store and write out/estate.gpkg + out/borough_summary.csv
demo: $(VENV)/.installed
	$(BIN)/cctvscope demo --out $(OUT)

## test: lint, type check, and the whole test suite (SQLite, a real PostgreSQL/PostGIS on loopback, Chromium)
test: $(VENV)/.dev-installed browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	bash scripts/pg.sh start
	CCTVSCOPE_TEST_PG_URL="$$(bash scripts/pg.sh url)" \
	  CCTVSCOPE_CHROMIUM="$$(bash scripts/chromium.sh 2>/dev/null)" $(BIN)/pytest; rc=$$?; \
	  bash scripts/pg.sh stop; exit $$rc

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

pytest: $(VENV)/.dev-installed
	$(BIN)/pytest

pg-start:
	bash scripts/pg.sh start

pg-stop:
	bash scripts/pg.sh stop

schema-doc: $(VENV)/.installed
	$(BIN)/cctvscope schema --out docs/schema.md

sysdeps:
	bash scripts/sysdeps.sh

## browser: install Debian's Chromium for the Playwright browser tests (prints its path)
browser:
	bash scripts/chromium.sh

clean:
	rm -rf $(VENV) $(OUT) cctvscope.db .pytest_cache .mypy_cache .ruff_cache
