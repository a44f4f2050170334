# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test test-moodle install install-test translations clean

$(BIN)/flask:
	@echo "== Creating a virtualenv in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/flask
	@echo "== Installing the tool and its dependencies (the first time takes a minute)"
	$(BIN)/pip install --quiet --progress-bar off -e .

install-test: $(BIN)/flask
	@echo "== Installing the tool with its test dependencies"
	$(BIN)/pip install --quiet --progress-bar off -e ".[test]"

# The tool with the built-in demo LMS at http://127.0.0.1:$(PORT)/dev/ (SQLite).
run: install
	@echo "== Creating or migrating the database (instance/)"
	$(BIN)/flask --app lti_app db upgrade
	@echo "== Starting: open http://127.0.0.1:$(PORT)/dev/ and pick a person"
	FLASK_DEMO_LMS_ENABLED=true FLASK_DEMO_LMS_ISSUER=$${FLASK_DEMO_LMS_ISSUER:-http://127.0.0.1:$(PORT)/dev} \
	  $(BIN)/flask --app lti_app run --debug --port $(PORT)

# The whole suite; TEST_DATABASE_URL=postgresql+psycopg://... runs it on PostgreSQL.
# Two steps: the fast tests on every CPU (pytest-xdist, a database per worker),
# then the browser tests on their own, so Chromium never competes for a CPU.
test: install-test
	$(BIN)/python -m pytest -n auto -m "not browser"
	$(BIN)/python -m pytest -m browser

# End-to-end tests against a real Moodle (tests_e2e/; README: "End-to-end tests
# against a real Moodle"): MOODLE_TARBALL=/path/to/moodle-*.tar.xz, by default the
# shared Moodle 4.5.5+ when it exists. Without one it says so and skips (exit 0).
MOODLE_TARBALL ?= $(wildcard ../shared/lms/moodle-4.5.5plus.tar.xz)
test-moodle: install-test
	@if [ -z "$(MOODLE_TARBALL)" ]; then \
	  echo "test-moodle: SKIPPED: no Moodle source (make test-moodle MOODLE_TARBALL=/path/to/moodle-*.tar.xz)"; \
	else \
	  MOODLE_TARBALL="$(abspath $(MOODLE_TARBALL))" $(BIN)/python -m pytest tests_e2e -p no:cacheprovider --durations=0 $(PYTEST_ARGS); \
	fi

# Re-extract the user-facing strings and compile the nl/en catalogues.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lti_app/translations/messages.pot .
	$(BIN)/pybabel update -i lti_app/translations/messages.pot -d lti_app/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d lti_app/translations

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
