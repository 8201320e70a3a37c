# The two commands: `make run` (product with demo data) and `make test` (ruff + all tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgres://postgres:postgres@127.0.0.1:5432/rallypoynt
PYTEST_ARGS ?= -n 2

.PHONY: run test install install-test lint test-sqlite test-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

run:
	bash scripts/system-deps.sh run
	$(MAKE) install
	$(BIN)/rallypoynt migrate
	$(BIN)/rallypoynt demo --no-migrate
	$(BIN)/rallypoynt serve --with-worker

test:
	bash scripts/system-deps.sh test
	$(MAKE) install-test
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	RALLYPOYNT_VAR_DIR=$$(mktemp -d) $(BIN)/python -m django makemigrations --check --dry-run \
		--settings=rallypoynt.config.settings

test-sqlite:
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL =="
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

bench:
	$(BIN)/rallypoynt bench demo --scale 100000

clean:
	rm -rf $(VENV) var build *.egg-info
