"""A valid launch without its state cookie (and without platform storage) is held:
nothing is recorded until the person, on a page in the LMS's frame that names
who they will be signed in as, confirms. Moodle in Safari ends in the tool this
way, without a new window and without a second login at the LMS (Moodle accepts
its lti_message_hint once).
"""

from __future__ import annotations

import logging
from html import unescape
import re
from datetime import timedelta

from sqlalchemy import select, update

from lti_app.extensions import db
from lti_app.lti.models import StoredValue
from lti_app.people.models import Person
from lti_app.platforms.service import find_platform
from lti_app.timeutil import utc_now
from tests.db_snapshot import snapshot
from tests.fake_lms import INSTRUCTOR

OWN_PAGE = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}


def cookieless_launch(app, lms, browser=None, *, lang="en", **request_kwargs):
    """Login in one browser, the launch posted by another (no state cookie)."""
    auth = lms.login(app.test_client())
    token = lms.id_token(auth, lms.launch_request(**request_kwargs))
    browser = browser or app.test_client()
    response = browser.post("/lti/launch", data={"id_token": token, "state": auth["state"]},
                            headers={"Accept-Language": lang})
    return response, token, auth


def held_id_of(response) -> str:
    return re.search(r'name="held_id" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def people(app) -> set[str]:
    with app.app_context():
        subs = set(db.session.scalars(select(Person.sub)))
        db.session.remove()
        return subs


def test_cookieless_moodle_launch_confirms_and_lands_in_the_frame(app, lms):
    before = snapshot(app)
    frame = app.test_client()
    held, _token, _auth = cookieless_launch(app, lms, frame, sub="anna", name="Anna de Vries",
                                            context_title="Library Basics 2026", locale="en")
    page = held.get_data(as_text=True)
    assert held.status_code == 200, page
    assert "Is this you?" in page
    assert "You are about to continue as Anna de Vries in Library Basics 2026 (moodle)." in page
    assert "This is not me" in page
    assert snapshot(app) == before and "anna" not in people(app)
    # Names a person: framed by this launch's LMS only, never by any https: page.
    policy = held.headers["Content-Security-Policy"]
    ancestors = policy.split("frame-ancestors ")[1]
    assert "https://moodle.example.edu" in ancestors and "https:" not in ancestors.split()

    done = frame.post("/lti/launch/confirm", headers=OWN_PAGE,
                      data={"held_id": held_id_of(held), "action": "continue"})
    assert done.status_code == 303 and "ltik=" in done.headers["Location"]
    assert "anna" in people(app)
    landing = frame.get(done.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200 and "Anna de Vries" in landing.get_data(as_text=True)


def test_the_confirmation_is_in_the_launch_language(app, lms):
    held, _t, _a = cookieless_launch(app, lms, lang="en", locale="nl")
    assert '<html lang="nl">' in held.get_data(as_text=True) and "Ben jij dit?" in held.get_data(as_text=True)
    held, _t, _a = cookieless_launch(app, lms, lang="nl", locale="en-GB")
    page = held.get_data(as_text=True)
    assert '<html lang="en">' in page and "Is this you?" in page


def test_attackers_token_in_the_victims_browser_names_the_attacker(app, client, lms):
    lms.launch(client, sub="victim", name="Vera Slachtoffer")  # the database is not empty
    before = snapshot(app)
    victim_browser = app.test_client()
    held, token, auth = cookieless_launch(app, lms, victim_browser, sub="attacker",
                                          name="Mallory Aanvaller", email="m@evil.example")
    page = held.get_data(as_text=True)
    assert held.status_code == 200 and "Mallory Aanvaller" in page
    assert "Vera" not in page
    assert snapshot(app) == before and "attacker" not in people(app)
    # The token cannot be used elsewhere meanwhile: its state and nonce are used up.
    again = app.test_client().post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert again.status_code == 401
    assert snapshot(app) == before


def test_a_replayed_confirmation_is_refused(app, lms):
    frame = app.test_client()
    held, _t, _a = cookieless_launch(app, lms, frame, sub="anna")
    held_id = held_id_of(held)
    first = frame.post("/lti/launch/confirm", data={"held_id": held_id, "action": "continue"})
    assert first.status_code == 303
    before = snapshot(app)
    for browser in (frame, app.test_client()):
        replay = browser.post("/lti/launch/confirm", headers={"Accept-Language": "en"},
                              data={"held_id": held_id, "action": "continue"})
        assert replay.status_code == 410
        assert "already" in replay.get_data(as_text=True)
        assert "Location" not in replay.headers
    assert snapshot(app) == before


def test_an_expired_confirmation_says_so(app, lms):
    held, _t, _a = cookieless_launch(app, lms, sub="anna")
    with app.app_context():
        db.session.execute(update(StoredValue).where(StoredValue.key.startswith("held-launch:"))
                           .values(expires_at=utc_now() - timedelta(seconds=1)))
        db.session.commit()
        db.session.remove()
    before = snapshot(app)
    response = app.test_client().post("/lti/launch/confirm", headers={"Accept-Language": "en"},
                                      data={"held_id": held_id_of(held), "action": "continue"})
    text = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "waited too long for your confirmation" in text and "Nothing was saved" in text
    assert snapshot(app) == before and "anna" not in people(app)


def test_unknown_or_odd_held_ids_are_refused(app, lms):
    before = snapshot(app)
    for value in ("", "x", "a" * 5000, None):
        data = {"action": "continue"} if value is None else {"held_id": value, "action": "continue"}
        response = app.test_client().post("/lti/launch/confirm", data=data)
        assert response.status_code == 410
        assert "Traceback" not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_this_is_not_me_discards_the_launch(app, lms, caplog):
    caplog.set_level(logging.INFO)
    before = snapshot(app)
    frame = app.test_client()
    held, _t, _a = cookieless_launch(app, lms, frame, sub="attacker", name="Mallory Aanvaller")
    held_id = held_id_of(held)
    declined = frame.post("/lti/launch/confirm", headers={"Accept-Language": "en"},
                          data={"held_id": held_id, "action": "not_me"})
    text = declined.get_data(as_text=True)
    assert declined.status_code == 200 and "You were not signed in" in text
    assert "Mallory" not in text
    ancestors = declined.headers["Content-Security-Policy"].split("frame-ancestors ")[1]
    assert "https://moodle.example.edu" in ancestors and "https:" not in ancestors.split()
    assert snapshot(app) == before
    later = frame.post("/lti/launch/confirm", data={"held_id": held_id, "action": "continue"})
    assert later.status_code == 410 and snapshot(app) == before
    declined_log = [r.getMessage() for r in caplog.records if "declined" in r.getMessage()]
    assert declined_log and "https://moodle.example.edu" in declined_log[0]
    assert not any("Mallory" in r.getMessage() for r in caplog.records)


def test_a_confirmation_posted_from_another_site_is_refused(app, lms):
    """Someone who held their own launch cannot make another browser confirm it."""
    held, _t, _a = cookieless_launch(app, lms, sub="attacker")
    held_id = held_id_of(held)
    before = snapshot(app)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                    {"Origin": "https://evil.example"}, {"Origin": "null"}):
        response = app.test_client().post(
            "/lti/launch/confirm", headers={"Accept-Language": "en", **headers},
            data={"held_id": held_id, "action": "continue"})
        assert response.status_code == 403, headers
        assert "not sent from the tool's own page" in unescape(response.get_data(as_text=True))
        assert snapshot(app) == before
    # The person's own page still can.
    ok = app.test_client().post("/lti/launch/confirm", headers=OWN_PAGE,
                                data={"held_id": held_id, "action": "continue"})
    assert ok.status_code == 303


def test_a_registration_refused_meanwhile_launches_nothing(app, lms, runner):
    held, _t, _a = cookieless_launch(app, lms, sub="anna")
    with app.app_context():
        platform = find_platform(lms.platform.issuer, lms.platform.client_id)
        result = runner.invoke(args=["platform", "refuse", str(platform.id)])
        db.session.remove()
    assert result.exit_code == 0, result.output
    before = snapshot(app)
    response = app.test_client().post("/lti/launch/confirm",
                                      data={"held_id": held_id_of(held), "action": "continue"})
    assert response.status_code == 403
    assert snapshot(app) == before


def test_names_in_the_confirmation_are_escaped(app, lms):
    held, _t, _a = cookieless_launch(app, lms, name="<script>alert(1)</script>",
                                     context_title='<img src=x onerror="y">')
    page = held.get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page


def test_without_a_name_the_page_says_the_lms_shares_none(app, lms):
    held, _t, _a = cookieless_launch(app, lms, name=None, given_name=None, family_name=None,
                                     email=None)
    page = held.get_data(as_text=True)
    assert held.status_code == 200
    assert "van wie je LMS de naam niet met deze tool deelt" in page  # the default: Dutch


def test_a_canvas_first_launch_is_framed_by_the_customer_domain(app, canvas):
    held, _t, _a = cookieless_launch(
        app, canvas, return_url="https://uu.instructure.com/courses/3/external_content/success")
    ancestors = held.headers["Content-Security-Policy"].split("frame-ancestors ")[1].split()
    assert "https://uu.instructure.com" in ancestors and "https:" not in ancestors


def test_a_deep_linking_launch_confirms_into_the_content_picker(app, lms):
    frame = app.test_client()
    held, _t, _a = cookieless_launch(
        app, lms, frame, message_type="LtiDeepLinkingRequest", roles=INSTRUCTOR,
        resource_link_id=None, custom={}, deep_link_data="opaque-1",
        deep_link_return_url="https://moodle.example.edu/mod/lti/contentitem_return.php")
    done = frame.post("/lti/launch/confirm", data={"held_id": held_id_of(held),
                                                   "action": "continue"})
    assert done.status_code == 303 and "/content/choose" in done.headers["Location"]
    assert frame.get(done.headers["Location"]).status_code == 200


def test_launches_with_their_cookie_are_not_held(app, client, lms):
    response = lms.launch(client, sub="anna")
    assert response.status_code == 303 and "ltik=" in response.headers["Location"]


# -- the platform's OIDC errors ---------------------------------------------------------
def test_login_required_is_shown_in_words_with_the_platforms_description(app, client, lms):
    auth = lms.login(client)
    before = snapshot(app)
    response = client.post("/lti/launch", headers={"Accept-Language": "en"}, data={
        "error": "login_required", "state": auth["state"],
        "error_description": "The user is <b>not</b> logged in " + "x" * 1000})
    text = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Your LMS says you are not logged in (login_required)" in text
    assert "did not send id_token" not in text
    assert "&lt;b&gt;not&lt;/b&gt;" in text and "<b>not</b>" not in text
    assert "x" * 300 not in text and "x" * 250 in text
    assert snapshot(app) == before


def test_other_oidc_errors_name_their_code(app, client, lms):
    before = snapshot(app)
    cases = [({"error": "unauthorized_client", "error_description": "Tool not enabled"}, 403,
              "may not be used here (unauthorized_client)"),
             ({"error": "invalid_request<script>"}, 400,
              'refused the sign-in (invalid_requestscript): "the LMS gave no description"')]
    for data, status, phrase in cases:
        response = client.post("/lti/launch", data=data, headers={"Accept-Language": "en"})
        text = unescape(response.get_data(as_text=True))
        assert response.status_code == status, text
        assert phrase in text
    assert snapshot(app) == before


# -- the log of refused launches ------------------------------------------------------
def test_a_refused_launch_is_logged_with_reason_and_issuer_only(app, client, lms, caplog):
    caplog.set_level(logging.INFO)
    response = lms.launch(client, sub="secret-sub", name="Geheime Naam", email="geheim@example.edu",
                          claims=lambda c: c.update(nonce="n" * 43))
    assert response.status_code == 401
    lines = [r for r in caplog.records if "launch refused" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno >= logging.INFO
    line = lines[0].getMessage()
    assert "reason=nonce_mismatch" in line and "issuer=https://moodle.example.edu" in line
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("Geheime", "geheim@", "secret-sub", "n" * 43, "eyJ"):
        assert secret not in everything


def test_unknown_issuer_and_refused_logins_are_logged(app, client, lms, caplog):
    caplog.set_level(logging.INFO)
    lms.launch(client, claims=lambda c: c.update(iss="https://evil.example\nforged line"))
    fields = lms.platform.login_initiation(target_link_uri="http://localhost/lti/launch",
                                           login_hint="h", lti_message_hint="m")
    fields["client_id"] = "unknown-client"
    client.post("/lti/login", data=fields)
    messages = [r.getMessage() for r in caplog.records if " refused: reason=" in r.getMessage()]
    assert any("reason=unknown_registration" in m and "issuer=https://evil.example?forged" in m
               for m in messages)
    assert any(m.startswith("login refused: reason=unknown_registration") and
               "client_id=unknown-client" in m for m in messages)
    assert all("\n" not in m for m in messages)


def test_held_launches_and_oidc_errors_are_logged_without_names(app, client, lms, caplog):
    caplog.set_level(logging.INFO)
    cookieless_launch(app, lms, name="Geheime Naam", email="geheim@example.edu")
    client.post("/lti/launch", data={"error": "login_required", "error_description": "Anna"})
    messages = [r.getMessage() for r in caplog.records]
    assert any("held for confirmation: reason=no_cookie" in m and "moodle.example.edu" in m
               for m in messages)
    assert any("reason=platform_login_required oidc_error=login_required" in m for m in messages)
    assert not any("Geheime" in m or "geheim@" in m or "Anna" in m for m in messages)
