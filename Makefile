# Peritus — one command to run the demo, one to test everything.
#   make demo    create .venv, install from the lock file, migrate, load demo data, serve :8000
#   make test    lint, type-check, then the whole suite on SQLite and PostgreSQL, browser tests included
#   make bench   benchmarks (ONLY=<name> for one)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PERITUS := $(BIN)/peritus
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2
DEMO_ENV := var/demo.env
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
# This machine's pip configuration names local mirror folders that may not exist; pip warns once
# per package. Keep the output readable without hiding a failure (pipefail keeps pip's status).
QUIET_PIP := 2>&1 | { grep -v "^WARNING: Location 'file:" || true; }

.PHONY: help demo serve test test-sqlite test-postgres check lint typecheck imports migrations-check demo-smoke \
	bench system-deps browser postgres clean lock redis

help:
	@echo "make demo   — run Peritus with demo data on http://127.0.0.1:8000"
	@echo "make test   — the whole suite on SQLite and PostgreSQL, with browser tests, ruff and mypy"
	@echo "make bench  — benchmarks (make bench ONLY=verification)"

$(VENV)/.runtime: requirements/lock.txt pyproject.toml bin/find-python
	@PY=$$(bin/find-python) || exit 1; \
	if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then \
		rm -rf $(VENV); echo "creating $(VENV) with $$PY"; "$$PY" -m venv $(VENV); fi
	$(PIP) --require-hashes -r requirements/lock.txt $(QUIET_PIP)
	$(PIP) --no-deps -e . $(QUIET_PIP)
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements/lock-dev.txt
	$(PIP) --require-hashes -r requirements/lock-dev.txt $(QUIET_PIP)
	@touch $@

$(DEMO_ENV):
	@mkdir -p var/mail
	@{ echo "PERITUS_DEMO=true"; \
	   echo "SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')$$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"; \
	   echo "ALLOWED_HOSTS=127.0.0.1,localhost"; \
	   echo "EMAIL_URL=file://$(CURDIR)/var/mail"; \
	   echo "PERITUS_BASE_URL=http://127.0.0.1:8000"; } > $@
	@echo "wrote $@ (demo configuration: a random SECRET_KEY, mail written to var/mail/)"

demo: $(VENV)/.runtime $(DEMO_ENV)
	@set -a; source $(DEMO_ENV); set +a; \
	$(PERITUS) migrate --no-input -v 0 && \
	$(PERITUS) collectstatic --no-input -v 0 && \
	$(PERITUS) demo && \
	$(MAKE) --no-print-directory serve

serve: $(VENV)/.runtime $(DEMO_ENV)
	@set -a; source $(DEMO_ENV); set +a; \
	echo "Peritus is running on http://127.0.0.1:8000  (Ctrl-C stops the web server and the worker)"; \
	$(PERITUS) db_worker --interval 1 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null || true' EXIT INT TERM; \
	$(BIN)/gunicorn peritus.config.wsgi -c python:peritus.config.gunicorn

# --- tests ---------------------------------------------------------------------------------------

system-deps: browser postgres redis

browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] && echo "" || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi
	@command -v chromium >/dev/null || { echo "chromium is required for the browser tests and could not be installed"; exit 1; }

postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start 2>/dev/null || true; \
		sleep 2; fi
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is required on 127.0.0.1:5432 for the test suite"; exit 1; }

redis:
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
		echo "Redis is not answering on 127.0.0.1:6379; trying to start it"; \
		if ! command -v redis-server >/dev/null 2>&1; then \
			SUDO=$$( [ "$$(id -u)" = 0 ] && echo "" || echo sudo ); \
			$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null; \
		fi; \
		redis-server --bind 127.0.0.1 --port 6379 --daemonize yes >/dev/null; sleep 1; fi
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "Redis is required on 127.0.0.1:6379 for the test suite (shared rate-limit cache)"; exit 1; }

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests conftest.py
	$(BIN)/ruff format --check src tests conftest.py

typecheck: $(VENV)/.dev
	$(BIN)/mypy src tests conftest.py

imports: $(VENV)/.dev
	$(BIN)/lint-imports

migrations-check: $(VENV)/.dev
	PERITUS_TESTING=true $(PERITUS) makemigrations --check --dry-run -v 1

check: lint typecheck imports migrations-check

# pytest exits 5 when it collected nothing: that is a failure here, never a pass.
define run_pytest
	$(BIN)/pytest -n $(PYTEST_WORKERS) --create-db -q $(1); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status
endef

test-sqlite: $(VENV)/.dev browser redis
	@echo "== test suite on SQLite"
	@unset DATABASE_URL; $(call run_pytest,)

test-postgres: $(VENV)/.dev browser postgres redis
	@echo "== test suite on PostgreSQL ($(PG_URL))"
	@DATABASE_URL=$(PG_URL) $(call run_pytest,)

demo-smoke: $(VENV)/.dev
	@echo "== demo smoke test (what make demo does, in a scratch folder)"
	@bin/demo-smoke

test: system-deps check test-sqlite test-postgres demo-smoke
	@echo "all checks passed on SQLite and PostgreSQL"

bench: $(VENV)/.dev postgres
	@$(BIN)/python tests/bench/run.py "$(ONLY)"

lock:
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.12 --generate-hashes -o requirements/lock.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.12 --generate-hashes -o requirements/lock-dev.txt

clean:
	rm -rf $(VENV) var/static var/test var/bench
