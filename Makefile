# Two commands do all set-up on a fresh Debian machine with Python 3.11:
#   make run   - install, migrate, load the standard and the demo city, serve on 127.0.0.1:8000
#                (gunicorn and the background-job worker, both stopped by Ctrl+C)
#   make test  - lint, migration check, type check and the whole test suite (unit, integration, browser)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: a CJK font (PDF export, screenshots), Pango (WeasyPrint), Chromium (browser tests),
# poppler (PDF text in tests) and LibreOffice without GUI (the docx/xlsx forms converted in tests).
SYS_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 chromium poppler-utils \
	libreoffice-writer-nogui libreoffice-calc-nogui
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test install sysdeps assets migrate demo static lint check typecheck bench clean serve

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip sync --quiet --python $(PY) requirements.txt requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed sysdeps

assets: node_modules/.installed

sysdeps:
	@missing=""; for p in $(SYS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages. Run:  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loadstandard

demo: migrate
	$(PY) manage.py seed_demo

static: install
	$(PY) manage.py collectstatic --noinput -v 0

run: demo static
	$(PY) manage.py demo_logins
	@echo "Serving on http://$(HOST):$(PORT)/ with a background-job worker  (Ctrl+C stops both)"
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) scripts/serve

lint: install
	$(BIN)/ruff check .

check: install
	$(PY) manage.py makemigrations --check --dry-run --settings=config.test_settings
	$(PY) manage.py check --settings=config.test_settings

# mypy (with django-stubs), strict on the standard's engine and schema, the review policy and the services.
typecheck: install
	$(BIN)/mypy

test: install lint check typecheck
	$(BIN)/pytest

# Benchmarks (figures, not tests): generates the bench cities under var/ and on PostgreSQL
# (BENCH_PG_URL), about an hour and a half on 2 cores; BENCH_ARGS="--small 30 --big 60 --rows 2000" checks the chain.
bench: static
	$(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
