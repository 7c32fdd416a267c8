# The two commands a fresh machine needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve smoke services chromium axe venv venv-dev migrate seed worker beat bench messages lint format clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

venv: $(VENV)/.runtime-installed
venv-dev: $(VENV)/.dev-installed

## run: the portal on SQLite with demo data, tasks in-process, mail to the console
run: venv
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: the whole suite against PostgreSQL and Redis, browser tests included
test: venv-dev services chromium axe
	$(PY) -m pytest $(PYTEST_ARGS)

## serve: the production-like stack here (nginx, gunicorn, a worker, one beat, PostgreSQL,
## Redis, an SMTP sink), production settings, in the foreground; Ctrl-C stops it
serve: venv-dev
	bash scripts/serve

## smoke: the multi-node smoke test (two web instances behind nginx, two workers, one beat), on a
## private PostgreSQL, Redis, S3 server and SMTP sink; one summary line. CI runs it after `make test`
smoke: venv-dev
	bash scripts/smoke $(SMOKE_ARGS)

services:
	bash scripts/services-up

chromium:
	bash scripts/ensure-chromium

## axe: axe-core from npm at the version package-lock.json pins, for tests/e2e/test_accessibility.py
axe:
	bash scripts/ensure-axe

## worker / beat: Celery against Redis (set CELERY_BROKER_URL, DATABASE_URL). Celery on its own
## defaults to the production settings; these developer targets name the dev ones unless told.
DEV_SETTINGS := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-privacy_portal.settings.dev}
worker: venv
	$(DEV_SETTINGS) CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} $(VENV)/bin/celery -A privacy_portal worker --loglevel=INFO

beat: venv
	mkdir -p var
	$(DEV_SETTINGS) CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} $(VENV)/bin/celery -A privacy_portal beat --loglevel=INFO --schedule var/celerybeat-schedule

## bench: every benchmark against a throw-away PostgreSQL database
bench: venv-dev services
	$(PY) -m bench

## messages: refresh and compile the translation catalogues (needs gettext)
messages: venv-dev
	$(PY) manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'var/*' --ignore 'bench/*'
	$(PY) manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

## lint: style, the import contract between apps, and types on services and selectors
lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: venv-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var test-artifacts .pytest_cache node_modules
