# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test install install-test translations clean

$(BIN)/flask:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/flask
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/flask
	$(BIN)/pip install --quiet -e ".[test]"

# The tool with the built-in demo LMS at http://127.0.0.1:$(PORT)/dev/ (SQLite).
run: install
	$(BIN)/flask --app lti_app db upgrade
	FLASK_DEMO_LMS_ENABLED=true FLASK_DEMO_LMS_ISSUER=$${FLASK_DEMO_LMS_ISSUER:-http://127.0.0.1:$(PORT)/dev} \
	  $(BIN)/flask --app lti_app run --debug --port $(PORT)

# The whole suite; TEST_DATABASE_URL=postgresql+psycopg://... runs it on PostgreSQL.
test: install-test
	$(BIN)/python -m pytest

# Re-extract the user-facing strings and compile the nl/en catalogues.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lti_app/translations/messages.pot .
	$(BIN)/pybabel update -i lti_app/translations/messages.pot -d lti_app/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d lti_app/translations

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
