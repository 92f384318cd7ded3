# Liangwang: `make run` serves the app with Henan demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PORT ?= 5000
WORKERS ?= 2
# Threads per worker: a browser's idle or cancelled connection never holds a whole worker.
THREADS ?= 4
EMPLOYERS ?= 200000
PYTEST_ARGS ?=

.PHONY: run test lint-js lint-py setup system-run system-test venv node seed-1m bench clean-db fonts

setup: venv node

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

system-run:
	@scripts/ensure-system.sh run

system-test:
	@scripts/ensure-system.sh test

run: system-run setup
	LIANGWANG_DEMO=1 $(VENV)/bin/flask --app wsgi prepare --employers $(EMPLOYERS)
	@echo "serving on http://127.0.0.1:$(PORT)  (demo accounts: var/demo-accounts.json)"
	rm -rf var/prometheus && mkdir -p var/prometheus
	LIANGWANG_DEMO=1 PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/var/prometheus exec $(VENV)/bin/gunicorn -c webapp/gunicorn_conf.py --workers $(WORKERS) --threads $(THREADS) --bind 127.0.0.1:$(PORT) \
		--timeout 120 --access-logfile - wsgi:app

lint-js: node
	node_modules/.bin/eslint webapp/static/js eslint.config.js

lint-py: venv
	$(VENV)/bin/ruff check .

# pytest exits 5 when it collects no tests: that is not a failure of the suite.
test: system-test setup lint-js lint-py
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

seed-1m: system-run setup
	LIANGWANG_DEMO=1 $(VENV)/bin/flask --app wsgi seed --employers 1000000 --reset

bench: system-run setup
	LIANGWANG_DEMO=1 $(VENV)/bin/python -m bench.run_all

# The interface font (webapp/static/fonts/lw-ui.woff2) after the catalogs gain characters.
fonts: setup
	$(VENV)/bin/python -m webapp.core.fonts
