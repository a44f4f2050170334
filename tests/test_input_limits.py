"""Odd input gets a clear 4xx in the user's language, never a 500, and changes
nothing: oversized bodies (413), ids past INTEGER (404), NUL characters in form
fields (422 with the input kept) or anywhere else (400); the SQLite file is
private (0600). Run on PostgreSQL too: there a NUL or a too large id used to
reach the database and fail with a 500."""

from __future__ import annotations

import stat

from lti_app.config import create_private_sqlite_file
from tests.db_snapshot import snapshot
from tests.issuing.helpers import complete_course
from tests.learning.helpers import form_tokens, launch_ltik


def test_a_150_mb_launch_post_is_refused_unparsed(app, client, lms):
    lms.launch(client, sub="existing-user")
    before = snapshot(app)
    body = b"id_token=" + b"a" * (150 * 1024 * 1024)
    response = client.post("/lti/launch", data=body,
                           content_type="application/x-www-form-urlencoded",
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "What you sent is too large" in text
    assert "does not accept this much data in one request" in text
    assert snapshot(app) == before


def test_a_5_mb_id_token_is_refused(app, client, lms):
    before = snapshot(app)
    auth = lms.login(client)
    response = client.post("/lti/launch", data={"id_token": "e" * (5 * 1024 * 1024),
                                                "state": auth["state"]},
                           headers={"Accept-Language": "nl"})
    assert response.status_code == 413
    assert "Wat je hebt verstuurd is te groot" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_ids_past_the_integer_range_are_not_found(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    before = snapshot(app)
    for path in ("/shadowing/9999999999999", "/shadowing/2147483648/edit",
                 "/certificate/99999999999999999999.pdf"):
        response = client.get(f"{path}?ltik={ltik}", headers={"Accept-Language": "en"})
        assert response.status_code == 404, path
        assert "Page not found" in response.get_data(as_text=True)
    assert client.get(f"/shadowing/2147483647?ltik={ltik}").status_code == 404  # the largest id
    assert snapshot(app) == before


def test_a_nul_in_a_form_field_shows_the_form_again(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    url = f"/shadowing/new?ltik={ltik}"
    token = form_tokens(client.get(url).get_data(as_text=True))["csrf_token"]
    before = snapshot(app)
    response = client.post(url, data={
        "csrf_token": token, "day": "2026-01-05", "host_library": "utrecht",
        "host_library_other": "", "department": "Open\x00 Science team",
        "host_contact_name": "Joke Hendriks", "host_contact_email": "j.hendriks@uu.nl",
        "learning_goals": "See the repository.", "activities": "Shadowed.", "reflection": "Useful.",
    })
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Remove the NUL character (\\0) from this field." in text
    assert 'value="Open Science team"' in text  # what was typed is kept
    assert "Joke Hendriks" in text
    assert snapshot(app) == before


def test_a_nul_in_the_printed_name_shows_the_form_again(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    complete_course(app, "user-1")
    token = form_tokens(client.get(f"/certificate?ltik={ltik}").get_data(as_text=True))["csrf_token"]
    before = snapshot(app)
    response = client.post(f"/certificate?ltik={ltik}", data={
        "csrf_token": token, "learner_name": "Anna\x00 de Vries", "language": "en"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Remove the NUL character" in text and 'value="Anna de Vries"' in text
    assert snapshot(app) == before


def test_a_nul_anywhere_else_is_a_clear_400(app, client, lms):
    lms.launch(client, sub="existing-user")
    before = snapshot(app)
    verify = client.get("/verify/abc%00def", headers={"Accept-Language": "en"})
    assert verify.status_code == 400
    assert "contains a NUL character" in verify.get_data(as_text=True)
    login = client.post("/lti/login", data={"iss": lms.platform.issuer + "\x00",
                                            "login_hint": "x", "target_link_uri": "http://localhost/lti/launch"},
                        headers={"Accept-Language": "en"})
    assert login.status_code == 400
    assert "NUL character" in login.get_data(as_text=True)
    assert snapshot(app) == before


def test_the_sqlite_file_is_created_private(tmp_path):
    from lti_app import create_app

    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path / "instance"))
    db_file = tmp_path / "instance" / "kennisdeling.sqlite3"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{db_file}"
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600
    # A configured file elsewhere too, and the journal files SQLite adds follow it.
    other = tmp_path / "data" / "tool.sqlite3"
    create_private_sqlite_file(f"sqlite:///{other}")
    assert stat.S_IMODE(other.stat().st_mode) == 0o600
    import sqlite3

    connection = sqlite3.connect(other)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    assert stat.S_IMODE((tmp_path / "data" / "tool.sqlite3-wal").stat().st_mode) == 0o600
    connection.close()
