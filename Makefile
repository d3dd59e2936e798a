# ET Phone Home. `make run` starts the app with demo data, `make call` walks a call through it in the
# terminal; `make test` runs the linter and the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run call manage serve test test-sqlite test-postgres lint format install install-dev superuser clean \
	chromium bench bench-servers messages docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A stamp per requirements file: pip runs again only when the file changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian's Chromium for the browser tests (Playwright drives it; its own download does not work),
# with a Japanese font: without one the Japanese admin's screenshots show empty boxes.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# GNU gettext: makemessages and compilemessages (`make messages`), and the test that the
# catalogues hold every marked string. Running the app needs none: the .mo files are committed.
XGETTEXT := /usr/bin/xgettext
# Prometheus and promtool: a test scrapes the production server with a real Prometheus, and
# promtool checks the alert rules in deploy/prometheus/ and runs their unit tests.
PROMETHEUS := /usr/bin/prometheus
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

## chromium: install Debian's chromium package and a Japanese font when missing
chromium: $(CHROMIUM) $(CJK_FONT)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

$(CJK_FONT):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-noto-cjk

$(XGETTEXT):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y gettext

$(PROMETHEUS):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		prometheus

## messages: update the Japanese catalogues (*/locale/ja/.../django.po) from the code, then
## compile them (.mo); translate what is new in the .po files, run it again, commit both
messages: install $(XGETTEXT)
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages --locale ja --add-location file
	DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --locale ja --ignore '.*'

## run: set up the SQLite database, load the demo into an empty directory, serve on :8000
run: install
	scripts/run

## call: walk a call through the app `make run` serves, in the terminal (signed with its local
## token); ARGS go to `manage.py call`, e.g. make call ARGS="--press 2 3"
call: install
	scripts/call $(ARGS)

## manage: manage.py in the environment `make run` has (debug on, the local token); ARGS go to
## it, e.g. make manage ARGS="purge_calls --older-than 30"
manage: install
	scripts/manage $(ARGS)

## serve: the production server (granian, whitenoise); see docs/deploying.md
serve: install
	scripts/serve

## superuser: create an admin login for yourself (asks for a password)
superuser: install
	scripts/manage createsuperuser

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@# Not --quiet: mkdocs would then not count the warnings --strict fails on.
	site=$$(mktemp -d) && $(BIN)/mkdocs build --strict --site-dir "$$site"; \
		status=$$?; rm -rf "$$site"; exit $$status

## docs: serve the docs site (mkdocs.yml, docs/) on http://127.0.0.1:$(DOCS_PORT), rebuilt as
## you edit; make lint builds it --strict, so a broken link or anchor fails make test
DOCS_PORT ?= 8001
docs: install-dev
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(DOCS_PORT)

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## test: the linter, then the whole suite on SQLite, then again on a throwaway PostgreSQL
test: lint test-sqlite test-postgres

# Each run on every core (pytest-xdist), a test file's tests on one worker: a file's module
# fixtures (a server, a checkout's copy) start once. TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest --numprocesses $(TEST_WORKERS) --dist loadfile

test-sqlite: install-dev $(CHROMIUM) $(CJK_FONT) $(XGETTEXT) $(PROMETHEUS)
	env -u DATABASE_URL $(PYTEST)

test-postgres: install-dev $(CHROMIUM) $(CJK_FONT) $(XGETTEXT) $(PROMETHEUS)
	scripts/with-postgres $(PYTEST)

## bench: the production server under signed Twilio traffic beside the tutorial's Node sample
## and two floors, then on PostgreSQL with two app servers, then with a million calls logged
## (under 15 minutes; not a test). Prints the tables and writes them into docs/performance.md.
bench: install-dev
	$(BIN)/python -m bench.run

## bench-servers: the same mix on each server candidate, to choose the one `make serve` runs
bench-servers: install-dev
	for server in gunicorn-sync gunicorn-gthread granian; do \
		$(BIN)/python -m bench.run --server $$server --no-planets9 --million 0 || exit 1; \
	done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
