"""Rate limits are checked on the routes that have one; a limit for every route
(set by a deployment) keeps Flask-Limiter's check before each request."""

from __future__ import annotations

import pytest

from lti_app.extensions import limiter
from tests.conftest import make_app


@pytest.fixture(autouse=True)
def _no_limit_left_for_every_route():
    """The limiter is one object for every app: an app-wide limit configured here
    stays in it (Flask-Limiter sets it once), so it is taken out again."""
    yield
    limiter.limit_manager.set_default_limits([])
    limiter.limit_manager.set_application_limits([])


def _limited_app(database_uri, tmp_path, **limits):
    from lti_app.extensions import db

    app = make_app(database_uri, tmp_path / "limited", RATELIMIT_ENABLED=True,
                   RATELIMIT_LOGIN="3 per minute", **limits)
    with app.app_context():
        db.create_all()
    return app


def _checks_before_every_request(app) -> bool:
    return any(getattr(hook, "__self__", None) is limiter
               for hook in app.before_request_funcs.get(None, []))


def test_pages_without_a_limit_skip_the_check_and_the_login_keeps_its_limit(
        database_uri, tmp_path):
    app = _limited_app(database_uri, tmp_path)
    client = app.test_client()
    assert not _checks_before_every_request(app)
    assert [client.get("/healthz").status_code for _ in range(6)] == [200] * 6
    logins = [client.get("/lti/login", headers={"Accept-Language": "en"}).status_code
              for _ in range(5)]
    assert logins[3:] == [429, 429]


@pytest.mark.parametrize("setting", ["RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION"])
def test_a_limit_for_every_route_is_still_enforced(database_uri, tmp_path, setting):
    app = _limited_app(database_uri, tmp_path, **{setting: "2 per minute"})
    client = app.test_client()
    assert _checks_before_every_request(app)
    statuses = [client.get("/healthz", headers={"Accept-Language": "en"}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
