"""Faults a user could meet: the database gone mid-session, two first launches at once."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from lti_app.extensions import db
from lti_app.people.models import Person
from lti_app.timeutil import utc_now
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


def test_losing_the_race_to_create_a_row_reads_the_winners_row(app):
    """Two first launches at once: the second's insert conflicts with the first's
    committed row; it reads that row, keeps its name and makes no second person."""
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
        no_name = SimpleNamespace(sub="same-user", name=None, given_name=None,
                                  family_name=None, email=None, locale=None)
        person, made_here = service.add_person(platform=platform, claims=no_name,
                                               now=utc_now())
        assert (person.id, person.name, made_here) == (winner.id, "Winner", False)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Person)) == 1

