# Two commands on a fresh machine with only Python 3.11 and make:
#   make run   - virtualenv, install, migrate, demo data, serve on http://127.0.0.1:8000
#   make test  - virtualenv, install, the whole suite (SQLite and eager Celery unless configured)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: messages messages-update run test test-browser bench bench-http lint format migrations-check deploy-check clean install

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# The translations' .mo files, made from the .po catalogues with Babel (no GNU gettext).
messages: $(STAMP)
	$(BIN)/python manage.py catalogues compile

# For translators: add the code's new strings to every catalogue (LANGS="pt" starts one).
messages-update: $(STAMP)
	$(BIN)/python manage.py catalogues update $(LANGS)
	$(BIN)/python manage.py catalogues check $(LANGS) || true

run: messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: messages
	$(BIN)/python -m pytest -q

test-browser: messages
	$(BIN)/python -m pytest -q -m browser

# The nightly job against its raw-SQL floor (needs DATABASE_URL on PostgreSQL): per-phase
# times and peak memory, and a usual night. SIZES=100000,300000 or SIZES=1000000 (a long run).
bench: $(STAMP)
	$(BIN)/python bench/status_bench.py --phases --usual-night $(if $(SIZES),--sizes $(SIZES))
	$(BIN)/python bench/import_bench.py

# The application POST against /healthz on gunicorn (2 workers), PostgreSQL and Redis: needs
# DATABASE_URL (a scratch database is made beside it) and a Redis on 127.0.0.1:6379.
bench-http: $(STAMP)
	$(BIN)/python bench/http_bench.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

deploy-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=meetcoop.settings.production \
	DJANGO_SECRET_KEY=check-deploy-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH \
	DJANGO_ALLOWED_HOSTS=members.example.org \
	OIDC_RSA_PRIVATE_KEY="$$($(BIN)/python -c 'from meetcoop.settings.config import rsa_private_key_pem; print(rsa_private_key_pem())')" \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
