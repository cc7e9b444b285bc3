# Bouteilles: `make run` (demo on http://127.0.0.1:5000) and `make test` (everything).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST := $(BIN)/pytest -p no:cacheprovider

.PHONY: run test test-sqlite test-postgres lint bench stress install clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/flask --app bouteilles db upgrade
	$(BIN)/flask --app bouteilles demo
	@echo "Bouteilles: http://127.0.0.1:5000  (Ctrl-C to stop)"
	$(BIN)/gunicorn -c gunicorn.conf.py --access-logfile - wsgi:app

test:
	bash scripts/ensure-system-packages.sh
	$(MAKE) --no-print-directory install
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

lint:
	$(BIN)/ruff check bouteilles tests migrations bench wsgi.py
	$(BIN)/lint-imports --no-cache

test-sqlite:
	@echo "== test suite on SQLite =="
	$(PYTEST) -q

test-postgres:
	@echo "== test suite on PostgreSQL =="
	url="$$(bash scripts/pg-test-server.sh)" && TEST_DATABASE_URL="$$url" $(PYTEST) -q -m "not e2e"

bench: install
	bash scripts/ensure-system-packages.sh --bench
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

stress: install
	@echo "== stress: 32 scanners for 60 s against gunicorn, SQLite then PostgreSQL =="
	LOAD_SECONDS=60 $(PYTEST) -q -s tests/reliability/test_load.py
	LOAD_SECONDS=60 TEST_DATABASE_URL="$$(bash scripts/pg-test-server.sh)" $(PYTEST) -q -s tests/reliability/test_load.py

clean:
	rm -rf $(VENV) instance test-output
