# Daptar: `make run` sets everything up and serves the demo; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= small

# The newest Python >= 3.12 on PATH or under pyenv; stop with a clear message otherwise.
PYENV_ROOT := $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
PYTHON ?= $(firstword $(foreach v,3.13 3.12,$(shell command -v python$(v) 2>/dev/null | grep -v shims) \
	$(wildcard $(PYENV_ROOT)/versions/$(v)*/bin/python$(v))) \
	$(shell python3 -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && command -v python3))

.PHONY: help setup run test lint typecheck bench loadtest messages clean

help:
	@echo "make run     set up (venv, dependencies, database, demo country) and serve on http://$(HOST):$(PORT)"
	@echo "make test    set up and run every test (unit, API, browser)"
	@echo "make setup   only the set-up; make lint, make typecheck, make bench, make messages"
	@echo "make loadtest  200 users for 5 minutes on the full country (LOAD_ARGS=--quick: 30 s)"

$(VENV)/.installed: requirements.txt
	@if [ -z "$(PYTHON)" ]; then echo "Daptar needs Python 3.12 or newer: install python3.13 (e.g. 'pyenv install 3.13')."; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	@touch $@

locale/bn/LC_MESSAGES/django.mo: locale/bn/LC_MESSAGES/django.po $(VENV)/.installed
	$(PY) manage.py compilemessages --locale bn --ignore '.venv/*' -v0

setup: $(VENV)/.installed locale/bn/LC_MESSAGES/django.mo
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --no-input -v0

var/demo-password:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(9))' > $@ 2>/dev/null || python3 -c 'import secrets; print(secrets.token_urlsafe(9))' > $@

run: setup var/demo-password
	$(PY) manage.py seed_demo --scale $(SCALE) --password "$$(cat var/demo-password)"
	@echo
	@echo "  Daptar is at http://$(HOST):$(PORT)/   (Ctrl-C stops the server, the worker and the reminders)"
	@echo "  Demo logins: central, central-deputy, sylhet-division, sylhet, sylhet-metro, dhaka, sylhet-sadar, jalalabad"
	@echo "  Password:    $$(cat var/demo-password)"
	@echo "  Two-factor sign-in is off in the demo: add one under Account, or run with DAPTAR_2FA_REQUIRED_LEVELS=central,division,district"
	@echo
	@DAPTAR_SECURE_COOKIES=0 DAPTAR_HSTS_SECONDS=0 DAPTAR_2FA_REQUIRED_LEVELS=$${DAPTAR_2FA_REQUIRED_LEVELS-} exec $(PY) manage.py serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed locale/bn/LC_MESSAGES/django.mo
	@[ -x /usr/bin/chromium ] || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-core >/dev/null)
	@command -v npm >/dev/null && command -v java >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq nodejs npm default-jre-headless >/dev/null)
	@[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --ignore-scripts --no-audit --no-fund
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy daptar

bench: setup
	@[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --ignore-scripts --no-audit --no-fund
	$(PY) bench/run.py
	$(PY) bench/social.py
	CHROME_PATH=/usr/bin/chromium $(PY) bench/lighthouse.py

# Locust against granian + the task worker on the full country, then a reconciliation;
# e.g. make loadtest LOAD_ARGS="--quick" or LOAD_ARGS="--users 50 --duration 60 --scale small".
loadtest: setup
	$(PY) bench/load.py $(LOAD_ARGS)

messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale bn --ignore '.venv/*' --ignore 'var/*' --no-obsolete --add-location file

requirements.txt: requirements.in
	$(PY) -m piptools compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --strip-extras --allow-unsafe -o $@ requirements.in

clean:
	rm -rf $(VENV) var/static
