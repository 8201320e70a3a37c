# The two commands: `make run` (product with demo data) and `make test` (ruff, mypy + all tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgres://postgres:postgres@127.0.0.1:5432/rallypoynt
PYTEST_ARGS ?= -n 2

.PHONY: run test install install-test lint test-sqlite test-postgres test-night bench clean

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
	$(MAKE) test-night

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=src $(BIN)/lint-imports --no-cache
	PYTHONPATH=src $(BIN)/mypy
	RALLYPOYNT_VAR_DIR=$$(mktemp -d) $(BIN)/python -m django makemigrations --check --dry-run \
		--settings=rallypoynt.config.settings

test-sqlite:
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL =="
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The apps that read the clock, once more at a US night on a DST change day: the UTC date is a
# day ahead of the org's (10:30 PM EDT, 8:30 PM MDT on Sunday, March 8), so the suite passes at
# any hour. Any other clock: make test-night NIGHT=2027-01-01T03:30:00Z
NIGHT ?= 2026-03-09T03:30:00Z
NIGHT_TESTS ?= src/rallypoynt/transactions src/rallypoynt/journeys src/rallypoynt/web \
	src/rallypoynt/leads/tests/test_my_day.py src/rallypoynt/leads/tests/test_speed_to_lead.py \
	tests/test_journey_follows_the_work.py

test-night:
	@echo "== time-sensitive tests at $(NIGHT) =="
	RALLYPOYNT_TEST_NOW=$(NIGHT) env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS) \
		-m "not browser and not slow_cli" $(NIGHT_TESTS)

bench:
	$(BIN)/rallypoynt bench demo --scale 100000

clean:
	rm -rf $(VENV) var build *.egg-info
