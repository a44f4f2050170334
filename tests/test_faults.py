"""Faults a user could meet: the database gone mid-session, two first launches at once."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from lti_app.extensions import db
from lti_app.people.models import Person
from tests.learning.helpers import launch_ltik


def test_store_down_gives_the_503_page_not_a_bare_500(app, client, lms, monkeypatch):
    from lti_app.lti import store

    ltik = launch_ltik(client, lms, locale="en")
    app.config["SHOW_ERROR_PAGES_IN_TESTS"] = True

    def down(self, *keys):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store.DatabaseStore, "get", down)
    monkeypatch.setattr(store.DatabaseStore, "get_many", down)
    response = client.get(f"/course?ltik={ltik}", headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "temporarily unavailable" in text and "Traceback" not in text


def test_store_down_on_a_form_post_is_an_outage_not_a_csrf_error(app, client, lms,
                                                                   monkeypatch):
    from lti_app.lti import store

    ltik = launch_ltik(client, lms, locale="en")
    app.config["SHOW_ERROR_PAGES_IN_TESTS"] = True

    def down(self, *keys):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store.DatabaseStore, "get", down)
    monkeypatch.setattr(store.DatabaseStore, "get_many", down)
    response = client.post(f"/language?ltik={ltik}", data={"lang": "nl", "csrf_token": "x"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert "nothing you saved is lost" in response.get_data(as_text=True)


def test_losing_the_race_to_create_a_row_reads_the_winners_row(app, monkeypatch):
    """Two first launches at once: the second finds no row, then its insert conflicts."""
    from lti_app.people import service
    from lti_app.platforms.service import add_platform

    with app.app_context():
        platform = add_platform(issuer="https://lms.example", client_id="c",
                                auth_login_url="https://lms.example/a",
                                auth_token_url="https://lms.example/t",
                                jwks_url="https://lms.example/j", deployment_ids=["1"])
        winner = Person(platform_id=platform.id, sub="same-user", name="Winner")
        db.session.add(winner)
        db.session.commit()  # the other worker's launch committed first
        query = select(Person).filter_by(platform_id=platform.id, sub="same-user")
        monkeypatch.setattr(db.session, "scalar", _miss_once(db.session.scalar, query))
        no_name = SimpleNamespace(sub="same-user", name=None, given_name=None,
                                  family_name=None, email=None, locale=None)
        person = service.upsert_person(platform=platform, claims=no_name)
        assert person.id == winner.id and person.name == "Winner"
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def _miss_once(scalar, query):
    state = {"missed": False}

    def patched(statement, *args, **kwargs):
        if not state["missed"] and str(statement) == str(query):
            state["missed"] = True
            return None  # the first look finds nothing, as in the race
        return scalar(statement, *args, **kwargs)

    return patched
