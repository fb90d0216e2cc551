# The Billing Center. `make run` starts everything, `make test` runs the whole suite.
# Both use PostgreSQL and Redis from DATABASE_URL / REDIS_URL, or start embedded ones under var/.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?= -n auto

.PHONY: run test check lint imports format fuzz migrations messages shell clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) scripts/stack.py run

test: $(STAMP)
	$(PY) scripts/stack.py test $(PYTEST_ARGS)
	@echo "Screenshots of every page the browser tests visited: test-artifacts/screenshots/"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

imports: $(STAMP)
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations: $(STAMP)
	$(PY) scripts/stack.py exec -- $(PY) manage.py makemigrations --check --dry-run

# Refresh locale/zh_Hans/LC_MESSAGES/django.po from the code and the templates, then compile it.
# The .po is the only translation source: translate the new entries there (make test fails on an
# untranslated or fuzzy one). makemessages needs GNU gettext's xgettext: apt-get install gettext.
messages: $(STAMP)
	@command -v xgettext >/dev/null 2>&1 || { echo "make messages needs GNU gettext: apt-get install gettext"; exit 1; }
	DJANGO_DEBUG=true DATABASE_URL=postgres://messages@localhost/messages \
	  $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=var --ignore=staticfiles
	$(VENV)/bin/pybabel compile -d locale -D django --statistics

check: lint imports migrations test

fuzz: $(STAMP)
	$(PY) scripts/stack.py fuzz

shell: $(STAMP)
	$(PY) scripts/stack.py exec -- $(PY) manage.py shell

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .hypothesis test-artifacts
