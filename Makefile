# Partner-MEDDIC PRM — developer commands. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format bench vendor messages browser clean fuzz load faults

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[test]"
	@touch $(STAMP) $@

## Create .venv and install the project with its test tools.
install: $(TEST_STAMP)

## Serve the demo on http://$(HOST):$(PORT) with SQLite and in-process tasks.
run: $(STAMP)
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the whole suite. Set DATABASE_URL and REDIS_URL to run on PostgreSQL with a real Celery worker.
## Any failure fails the target, and so does collecting no tests at all (pytest exit code 5).
test: $(TEST_STAMP) browser
	@echo "make test: database $${DATABASE_URL:+from DATABASE_URL}$${DATABASE_URL:-SQLite}; tasks $${REDIS_URL:+on Redis (REDIS_URL), worker tests on}$${REDIS_URL:-eager, worker tests skipped}"
	@$(BIN)/python -m pytest $(PYTEST_ARGS) || { rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: FAILED - pytest collected no tests" >&2; \
	  else echo "make test: FAILED (pytest exit code $$rc)" >&2; fi; exit $$rc; }

## Headless Chromium for the browser tests (Debian's package; browser downloads do not work offline).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; \
	  else echo "Browser tests need /usr/bin/chromium: sudo apt-get install -y chromium fonts-noto-cjk" >&2; exit 1; fi; }

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Fuzz every API operation from its OpenAPI schema with many more examples than the suite's few (tests/api/test_fuzz.py).
fuzz: $(TEST_STAMP)
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-200} $(BIN)/python -m pytest tests/api/test_fuzz.py $(PYTEST_ARGS)

## KPI and API benchmark on PostgreSQL (BENCH_DATABASE_URL, default prm_bench on 127.0.0.1); writes bench/results/latest.json.
bench: $(TEST_STAMP)
	$(BIN)/python -m bench

## 16 simulated reps for 60 s on a private PostgreSQL, Redis, gunicorn and Celery (127.0.0.1, ports 5433, 6390, 8078);
## requests/s, p50/p95/p99 per endpoint, errors and a reconciliation of acknowledged writes; bench/results/load.json.
load: $(TEST_STAMP)
	$(BIN)/python -m bench.load_main

## Fault drills on a private stack (ports 5434, 6391, 8079): SIGKILL of the worker during a KPI recompute, Redis
## stopped and PostgreSQL restarted during traffic; bench/results/faults.json.
faults: $(TEST_STAMP)
	$(BIN)/python -m bench.faults_main

## Copy front-end assets (versions pinned in package.json) into static/vendor/.
vendor:
	npm install --no-audit --no-fund
	rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons/fonts static/vendor/htmx static/vendor/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css static/vendor/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff static/vendor/bootstrap-icons/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/chartjs/
	for p in bootstrap bootstrap-icons htmx.org chart.js; do \
	  cp node_modules/$$p/LICENSE* static/vendor/$$(echo $$p | sed 's/htmx.org/htmx/; s/chart.js/chartjs/')/ 2>/dev/null || true; done

## Extract and compile the ja/en catalogs.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l ja -l en --no-location --ignore=node_modules --ignore=.venv --ignore=static/vendor
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) var staticfiles
