# Portail Famille — the two set-up commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
export FLASK_APP := run.py

.PHONY: run test install demo lint translations clean-db prod-check screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Serve the demo town on http://127.0.0.1:5000 (SQLite, demo data, logins printed).
## PORTAL_STANDINS=1: also the local FranceConnect and API Particulier stand-ins.
ifeq ($(PORTAL_STANDINS),1)
run: export FRANCECONNECT_ENABLED := 1
run: export FRANCECONNECT_CLIENT_ID := portail-famille-demo
run: export FRANCECONNECT_CLIENT_SECRET := demo-secret-not-for-production
run: export FRANCECONNECT_DISCOVERY_URL := http://127.0.0.1:5010/api/v2/.well-known/openid-configuration
run: export API_PARTICULIER_URL := http://127.0.0.1:5011
run: export API_PARTICULIER_TOKEN := demo-api-particulier-token
run: export PORTAL_TOWN_SIRET ?= 21350288000010
endif
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask portal demo
	if [ "$(PORTAL_STANDINS)" = 1 ]; then $(BIN)/flask portal standins & fi; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

demo: install
	$(BIN)/flask portal demo

## The whole test suite (SQLite, or PostgreSQL when TEST_DATABASE_URL is set).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The production stack on loopback (PostgreSQL database portail_prodcheck, redis-server,
## gunicorn, Celery worker and beat, aiosmtpd) and a smoke test; stops and cleans up.
prod-check: install
	$(BIN)/python deploy/prod_check.py

lint: install
	$(BIN)/ruff check app tests bench config.py run.py

## Extract our strings (babel.cfg) and FAB's, update and compile translations/fr and en;
## lists the entries still to translate (see translations/sync.py).
translations: install
	$(BIN)/python translations/sync.py

## docs/screenshots/: the demo in a temp SQLite DB, photographed in Chromium (1280 and 375 px).
screenshots: install
	$(BIN)/python bench/screenshots.py

clean-db:
	rm -f instance/portail.db
