"""Configuration defaults, migrations and the error pages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lti_app import create_app


def test_local_defaults_sqlite_and_persistent_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_SQLALCHEMY_DATABASE_URI", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    first = create_app(instance_path=str(tmp_path))
    second = create_app(instance_path=str(tmp_path))
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/kennisdeling.sqlite3"
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.config["DEMO_LMS_ENABLED"] is False  # off unless debug or enabled


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    monkeypatch.setenv("FLASK_LTI_LAUNCH_LIFETIME", "600")
    monkeypatch.setenv("FLASK_DEMO_LMS_ENABLED", "true")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["LTI_LAUNCH_LIFETIME"] == 600
    assert "demo_lms" in app.blueprints


def test_demo_lms_is_off_in_production(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEMO_LMS_ENABLED", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert "demo_lms" not in app.blueprints
    assert app.test_client().get("/dev/").status_code == 404


def test_db_upgrade_builds_the_schema_the_models_describe(empty_database_uri):
    env = {"FLASK_SQLALCHEMY_DATABASE_URI": empty_database_uri, "FLASK_SECRET_KEY": "x",
           "PATH": ""}
    flask = [sys.executable, "-m", "flask", "--app", "lti_app"]
    upgrade = subprocess.run(flask + ["db", "upgrade"], env=env, capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stderr
    check = subprocess.run(flask + ["db", "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr + check.stdout
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_unexpected_error_shows_a_page_not_a_trace(own_app):
    own_app.config["SHOW_ERROR_PAGES_IN_TESTS"] = True

    @own_app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = own_app.test_client().get("/boom", headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in text and "secret internals" not in text
    assert "Traceback" not in text


def test_unknown_page_in_dutch_and_as_json(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "nl"})
    assert page.status_code == 404 and "Pagina niet gevonden" in page.get_data(as_text=True)
    data = client.get("/no-such-page", headers={"Accept": "application/json"}).get_json()
    assert data["status"] == 404


@pytest.mark.parametrize("path", ["/healthz", "/lti/jwks"])
def test_public_endpoints_answer(client, path):
    assert client.get(path).status_code == 200
