# MotCua: `make run` serves the demo portal, `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTHON ?= python3
# The test databases live on the local PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/motcua
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install install-test lint messages clean

$(VENV)/.installed: requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PIP) install -q -r requirements-test.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The demo: embedded SQLite and file broker unless DATABASE_URL / REDIS_URL are set.
run: install
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py seed_demo
	DJANGO_SETTINGS_MODULE=config.settings.dev HOST=$(HOST) PORT=$(PORT) $(PY) scripts/run_portal.py

test: install-test
	bash scripts/ensure_system_packages.sh
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
	  $(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Style (ruff), the architecture's contracts (import-linter, pyproject.toml: layers, pure rules, no
# cycles inside an app) and no import cycle between any two modules of the project.
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/import_cycles.py

# Vietnamese msgids need no catalogue; this refreshes and compiles the English one.
messages:
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=bench --ignore=tests --ignore=staticfiles --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/ staticfiles/ .pytest_cache
