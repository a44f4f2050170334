"""Security review as tests: rate limits, headers, hostile and huge input."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.db_snapshot import snapshot
from tests.learning.helpers import form_tokens, launch_ltik

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def limited_app(database_uri, tmp_path):
    from lti_app.extensions import db

    app = make_app(database_uri, tmp_path / "limited", RATELIMIT_ENABLED=True,
                   RATELIMIT_LOGIN="3 per minute", RATELIMIT_VERIFY="3 per minute",
                   RATELIMIT_HOST="3 per minute", RATELIMIT_REGISTER="3 per minute")
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/lti/login", "/verify/some-code", "/host/code",
                                  "/host/confirm/not-a-token", "/lti/register"])
def test_public_endpoints_are_rate_limited(limited_app, path):
    client = limited_app.test_client()
    statuses = [client.get(path, headers={"Accept-Language": "en"}).status_code
                for _ in range(5)]
    assert statuses[:3] != [429] * 3 and statuses[3:] == [429, 429]
    page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Too many requests" in page


def test_a_registration_past_the_limit_fetches_nothing_and_saves_nothing(limited_app):
    """Every registration page makes the tool fetch the URL it is given: past
    the limit, the tool fetches nothing more for whoever sends them."""
    from tests.fake_lms import FakeLms
    from tests.lti.test_registration import MOODLE_CONFIG_URL, TOKEN, moodle_config

    client = limited_app.test_client()
    query = {"openid_configuration": MOODLE_CONFIG_URL, "registration_token": TOKEN}
    with FakeLms.serving() as http:
        http.get(MOODLE_CONFIG_URL, json=moodle_config())
        before = snapshot(limited_app)
        statuses = [client.get("/lti/register", query_string=query,
                               headers={"Accept-Language": "en"}).status_code for _ in range(5)]
        fetched = len(http.calls)
    assert statuses == [200, 200, 200, 429, 429]
    assert fetched == 3
    assert snapshot(limited_app) == before


def test_security_headers_on_a_personal_page(app, client, lms):
    ltik = launch_ltik(client, lms)
    response = client.get(f"/course?ltik={ltik}")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'self' https://moodle.example.edu" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in response.headers
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_hsts_behind_a_tls_proxy(database_uri, tmp_path):
    app = make_app(database_uri, tmp_path / "proxied", PROXY_FIX_X_PROTO=1)
    response = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_inline_scripts_carry_the_responses_nonce(app, client, lms):
    ltik = launch_ltik(client, lms)
    html = client.get(f"/course?ltik={ltik}").get_data(as_text=True)
    assert "<script>" not in html


def test_hostile_and_huge_shadowing_input(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    url = f"/shadowing/new?ltik={ltik}"
    token = form_tokens(client.get(url).get_data(as_text=True))["csrf_token"]
    before = snapshot(app)
    huge = client.post(url, data={"csrf_token": token, "day": "2026-01-05",
                                  "host_library": "leiden", "reflection": "x" * 6000})
    assert huge.status_code == 422 and snapshot(app) == before
    saved = client.post(url, data={"csrf_token": token, "day": "2026-01-05",
                                   "host_library": "other", "host_library_other": SCRIPT,
                                   "activities": SCRIPT})
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;alert(" in page


def test_hostile_names_from_the_lms_are_escaped(app, client, lms):
    ltik = launch_ltik(client, lms, name=SCRIPT, locale="en")
    page = client.get(f"/course?ltik={ltik}").get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_very_long_claims_are_cut_not_crashing(app, client, lms):
    response = lms.launch(client, name="N" * 5000, context_title="T" * 5000)
    assert response.status_code == 303


def test_javascript_return_url_is_never_linked(app, client, lms):
    ltik = launch_ltik(client, lms, return_url="javascript:alert(1)")
    assert "javascript:alert" not in client.get(f"/course?ltik={ltik}").get_data(as_text=True)
