# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
# Test worker processes (pytest-xdist); 0 runs the suite in this process.
TEST_WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: install setup run test lint deploy clean-venv

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Prepare the database and files for development: idempotent, safe to run again. Loads the synthetic
# 2024 baseline and makes a development administrator: never for production (see `make deploy`).
setup: install
	@if [ "$${DJANGO_DEBUG:-1}" = "0" ]; then echo "DJANGO_DEBUG=0: use 'make deploy' (no synthetic data, no generated account)."; exit 1; fi
	$(PY) manage.py compiletranslations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@if [ -f fixtures/baseline_2024.json ]; then $(PY) manage.py load_baseline --skip-if-loaded; \
	  else echo "No baseline fixture yet: skipping the 2024 baseline."; fi
	$(PY) manage.py ensure_staff --url http://127.0.0.1:$(PORT)/

run: setup
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production: translations, migrations and static files only. Create accounts with
# `manage.py createsuperuser` or `manage.py create_user NAME --role ROLE`.
deploy: install
	$(PY) manage.py compiletranslations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py check --deploy --fail-level WARNING

test: install
	$(PY) manage.py compiletranslations
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

clean-venv:
	rm -rf $(VENV)
