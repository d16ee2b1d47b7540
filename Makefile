# The two commands the README promises: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test test-slow test-fuzz lint typecheck audit bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Set up, build the demo agency in the clone's var/muster.db if it is not there (SQLite;
## an absolute path, so the same file from any directory), then serve the dashboard on
## 127.0.0.1 with one demo login per role, passwords generated afresh and printed once.
## MUSTER_DATABASE_URL, if set, names another store. The demo server asks no second
## factor (MUSTER_TOTP_REQUIRED_ROLES empty unless set; its default is admin,coordinator).
DEMO_DATABASE_URL := sqlite:///$(CURDIR)/var/muster.db
run: setup
	MUSTER_DATABASE_URL="$${MUSTER_DATABASE_URL:-$(DEMO_DATABASE_URL)}" $(BIN)/muster demo
	MUSTER_DATABASE_URL="$${MUSTER_DATABASE_URL:-$(DEMO_DATABASE_URL)}" \
	  MUSTER_TOTP_REQUIRED_ROLES="$${MUSTER_TOTP_REQUIRED_ROLES-}" \
	  $(BIN)/muster dashboard --demo-logins demo-pd

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

## Security: bandit over the source (findings explained in pyproject.toml or inline), and
## the locked requirements against the advisory services (README "Dependency audit").
audit: setup
	$(BIN)/bandit -c pyproject.toml -q -r ledger projections replay api
	$(BIN)/python .ci/audit_deps.py

## The whole suite: lint, types, audit, and every test on SQLite and PostgreSQL (but the slow tier).
test: lint typecheck audit
	$(BIN)/pytest -n 2 --dist loadfile -m "not slow and not fuzz"

## The slow tier: the long runs of what `make test` runs briefly (8 writers for 20 s, the
## invariants property test at 200 examples x 40+ operations per backend...); CI runs it too.
## `--dist load` puts each backend's half on its own worker.
test-slow: setup
	$(BIN)/pytest -n 2 --dist load -m "slow and not fuzz"

## The fuzz tier, not in CI (README "Two commands"): schemathesis against the OpenAPI
## document for every role and anonymous, on both backends, 100 cases per operation.
test-fuzz: setup
	$(BIN)/pytest -n 2 --dist load -m fuzz

bench: setup
	$(BIN)/python benchmarks/demo_bench.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
