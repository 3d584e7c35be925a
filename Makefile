# Partner-MEDDIC PRM — developer commands. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
TEST_PROCESSES ?= auto
HOST ?= 127.0.0.1
PORT ?= 8000
SITE_URL ?= http://$(HOST):$(PORT)
# The demo (make run, make manage): development settings, SQLite in var/ and in-process tasks.
DEMO_ENV := DEBUG=true SITE_URL=$(SITE_URL)

.PHONY: install run test lint format bench vendor messages browser clean fuzz load faults lock upgrade-check manage

# The lock files pin every dependency, direct and transitive, with hashes (make lock writes them): make, CI and
# the Dockerfile install exactly these versions and nothing pip would pick on its own.
LOCK_MAIN := requirements/main.txt
LOCK_TEST := requirements/test.txt
PIP_INSTALL := $(BIN)/python -m pip install --quiet --require-hashes
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "Python's venv module is missing: on Debian or Ubuntu, sudo apt-get install python3-venv" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(LOCK_MAIN) | $(BIN)/python
	$(PIP_INSTALL) -r $(LOCK_MAIN)
	@touch $@

$(TEST_STAMP): $(LOCK_TEST) | $(BIN)/python
	$(PIP_INSTALL) -r $(LOCK_TEST)
	@touch $(STAMP) $@

## Create .venv and install the project with its test tools.
install: $(TEST_STAMP)

## Serve the demo on http://$(HOST):$(PORT) with SQLite and in-process tasks. Links in mail and on the console
## (invitations, password resets) use SITE_URL, which follows HOST and PORT unless set.
run: $(STAMP)
	$(DEMO_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## One manage.py command against the demo database: make manage ARGS="create_vendor acme --name Acme ..."
manage: $(STAMP)
	$(DEMO_ENV) $(BIN)/python manage.py $(ARGS)

## Run the whole suite. Set DATABASE_URL and REDIS_URL to run on PostgreSQL with a real Celery worker.
## The tests are shared out to one process per core (TEST_PROCESSES=1 runs them in one), a module's (or a class's)
## tests in one process: the real-worker tests of tests/prm/test_worker.py share one worker.
## Any failure fails the target, and so does collecting no tests at all (pytest exit code 5).
test: $(TEST_STAMP) browser
	@echo "make test: database $${DATABASE_URL:+from DATABASE_URL}$${DATABASE_URL:-SQLite}; tasks $${REDIS_URL:+on Redis (REDIS_URL), worker tests on}$${REDIS_URL:-eager, worker tests skipped}"
	@$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadscope $(PYTEST_ARGS) || { rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: FAILED - pytest collected no tests" >&2; \
	  else echo "make test: FAILED (pytest exit code $$rc)" >&2; fi; exit $$rc; }

## Headless Chromium for the browser tests (Debian's package; browser downloads do not work offline).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; \
	  else echo "Browser tests need /usr/bin/chromium: sudo apt-get install -y chromium fonts-noto-cjk" >&2; exit 1; fi; }

## Re-resolve the lock files within pyproject.toml's ranges, keeping every pin that still fits.
## UPGRADE=1 takes the newest allowed version of everything; UPGRADE=django upgrades one package (and what it needs).
lock: $(TEST_STAMP)
	$(UV_COMPILE) --extra test $(if $(filter 1,$(UPGRADE)),--upgrade,$(if $(UPGRADE),--upgrade-package $(UPGRADE))) -o $(LOCK_TEST)
	$(UV_COMPILE) --constraint $(LOCK_TEST) -o $(LOCK_MAIN)
	@echo "make lock: wrote $(LOCK_TEST) and $(LOCK_MAIN); run make test, then commit them"

## Build a scratch environment from the newest versions pyproject.toml allows, print what differs from the lock
## and run the whole suite in it (var/upgrade-check/); the lock and .venv stay as they are.
upgrade-check: $(TEST_STAMP)
	$(BIN)/python scripts/upgrade_check.py $(PYTEST_ARGS)

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
	mkdir -p tests/e2e/vendor && cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/e2e/vendor/
	for p in bootstrap bootstrap-icons htmx.org chart.js; do \
	  cp node_modules/$$p/LICENSE* static/vendor/$$(echo $$p | sed 's/htmx.org/htmx/; s/chart.js/chartjs/')/ 2>/dev/null || true; done

## Extract and compile the ja/en catalogs.
messages: $(STAMP)
	$(DEMO_ENV) $(BIN)/python manage.py makemessages -l ja -l en --no-location --ignore=node_modules --ignore=.venv --ignore=static/vendor
	$(DEMO_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) var staticfiles
