# Bouteilles: `make run` (demo on GUNICORN_BIND, default 127.0.0.1:5000) and `make test` (everything).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST := $(BIN)/pytest -p no:cacheprovider

.PHONY: run test test-sqlite test-postgres lint bench stress install clean epcis-js
.PHONY: translations translations-extract translations-update

install: $(STAMP) translations

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

# Translations (README, "Translations"). The .po files are the sources; what the
# app reads is compiled from them: the .mo, and the scanner's scan.json.
# pybabel's options are in pyproject.toml ([tool.babel.*]) and babel.cfg.
CATALOGUES := bouteilles/translations
PO_FILES := $(wildcard $(CATALOGUES)/*/LC_MESSAGES/messages.po)
SCAN_SCRIPTS := $(wildcard bouteilles/static/scan/*.js)

translations: $(PO_FILES:.po=.mo) $(PO_FILES:messages.po=scan.json)

$(CATALOGUES)/%/LC_MESSAGES/messages.mo: $(CATALOGUES)/%/LC_MESSAGES/messages.po | $(BIN)/pybabel
	$(BIN)/pybabel compile -l $* -i $< -o $@

$(CATALOGUES)/%/LC_MESSAGES/scan.json: $(CATALOGUES)/%/LC_MESSAGES/messages.po $(SCAN_SCRIPTS) scripts/scanner_messages.py | $(BIN)/pybabel
	$(BIN)/python scripts/scanner_messages.py $< $@

# pybabel comes with the app's dependencies (Babel); a venv without it gets them.
$(BIN)/pybabel:
	$(MAKE) --no-print-directory $(STAMP)

# Every marked text of the sources (Python, templates, the scanner's scripts) into the .pot.
translations-extract: | $(BIN)/pybabel
	$(BIN)/pybabel extract

# The .po files brought up to date with the sources: new texts appear untranslated,
# changed ones fuzzy (to review), removed ones go. Then translate, and `make translations`.
translations-update: translations-extract
	$(BIN)/pybabel update

# The GS1 community SDK epcis2.js, which the EPCIS tests validate exports with
# (tests/epcis_check.py): the versions of tests/epcis-js/package-lock.json, from the npm
# registry. Its placeholder dependency `fs` is an empty local package (overrides).
EPCIS_JS := tests/epcis-js
EPCIS_JS_STAMP := $(EPCIS_JS)/node_modules/.package-lock.json

epcis-js: $(EPCIS_JS_STAMP)

$(EPCIS_JS_STAMP): $(EPCIS_JS)/package.json $(EPCIS_JS)/package-lock.json
	npm ci --prefix $(EPCIS_JS) --no-audit --no-fund --loglevel=error
	touch $@

run: install
	$(BIN)/flask --app bouteilles db upgrade
	$(BIN)/flask --app bouteilles demo
	$(BIN)/gunicorn -c gunicorn.conf.py --access-logfile - wsgi:app  # prints its address

test:
	bash scripts/ensure-system-packages.sh
	$(MAKE) --no-print-directory install
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

lint:
	$(BIN)/ruff check bouteilles tests migrations bench wsgi.py
	$(BIN)/lint-imports --no-cache

test-sqlite: translations epcis-js
	@echo "== test suite on SQLite =="
	$(PYTEST) -q

test-postgres: translations epcis-js
	@echo "== test suite on PostgreSQL =="
	url="$$(bash scripts/pg-test-server.sh)" && TEST_DATABASE_URL="$$url" $(PYTEST) -q -m "not e2e"

bench: install
	bash scripts/ensure-system-packages.sh --bench
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

stress: install
	@echo "== stress: 32 scanners for 60 s against gunicorn, SQLite then PostgreSQL =="
	LOAD_SECONDS=60 $(PYTEST) -q -s tests/reliability/test_load.py
	LOAD_SECONDS=60 TEST_DATABASE_URL="$$(bash scripts/pg-test-server.sh)" $(PYTEST) -q -s tests/reliability/test_load.py
	@echo "== stress: schemathesis, 100 examples per operation and phase, a fresh seed =="
	SCHEMATHESIS_EXAMPLES=100 SCHEMATHESIS_SEED=$$(date +%s) $(PYTEST) -q -s tests/reliability/test_schemathesis.py

clean:
	rm -rf $(VENV) instance test-output
