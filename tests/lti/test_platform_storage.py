"""The cookie-less launch (LTI platform storage) is no login-CSRF hole.

Without its state cookie a launch goes straight in only when the tool's own
launch page (a same-origin POST) posts the random value that the login page put
in the platform's storage, read from the platform's own frame and origin, and
only for a login that offered that storage. Anything less (the value posted by
another site, read through Canvas's '*' fallback, or no answer) holds the launch
for the person's confirmation (tests/lti/test_confirmation.py). The nonce, which
is in the id_token, is no proof: whoever owns a token could post it from a
victim's browser (an auto-submitting form on any site).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lti_app.lti.browser_state import STORAGE_SLOTS, storage_key
from tests.db_snapshot import snapshot
from tests.fake_lms import TOOL_LAUNCH_URL

STORAGE_TARGET = "post_message_forwarding"
OWN_PAGE = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}


def login_with_storage(client, lms) -> tuple[dict[str, str], str]:
    """POST /lti/login offering platform storage; return (auth params, stored value)."""
    fields = lms.platform.login_initiation(
        target_link_uri=TOOL_LAUNCH_URL, login_hint="hint", lti_message_hint="msg"
    )
    fields["lti_storage_target"] = STORAGE_TARGET
    response = client.post("/lti/login", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    auth_url = html.unescape(re.search(r'id="continue" href="([^"]+)"', page).group(1))
    auth = {k: v[0] for k, v in parse_qs(urlsplit(auth_url).query).items()}
    put = re.search(r"ltiStorage\.put\(([^,]+),\s*([^,]+),", page)
    assert json.loads(put.group(1)) == storage_key(auth["state"])
    return auth, json.loads(put.group(2))


def test_the_platform_keeps_a_bounded_number_of_keys_whatever_the_logins(client, lms):
    """Canvas keeps 4096 characters per tool; a launch by cookie never reads its
    state back, so each login's key is one of a few: 60 logins, at most 32 keys."""
    keys = {json.loads(re.search(r"ltiStorage\.put\(([^,]+),", client.post(
        "/lti/login", data={**lms.platform.login_initiation(
            target_link_uri=TOOL_LAUNCH_URL, login_hint="hint", lti_message_hint="msg"),
            "lti_storage_target": STORAGE_TARGET}).get_data(as_text=True)).group(1))
        for _ in range(60)}
    assert 1 < len(keys) <= STORAGE_SLOTS
    assert all(len(key) <= len("kd-state-31") for key in keys)


def test_the_stored_value_is_in_no_token(app, client, lms):
    auth, stored = login_with_storage(client, lms)
    token = lms.id_token(auth, lms.launch_request())
    assert stored not in (auth["nonce"], auth["state"])
    assert stored not in token and len(stored) >= 40


def test_genuine_storage_launch_without_cookie_works(app, client, lms):
    auth, stored = login_with_storage(client, lms)
    token = lms.id_token(auth, lms.launch_request(sub="anna"))
    iframe = app.test_client()  # no cookie came back to the iframe
    first = iframe.post("/lti/launch", data={"id_token": token, "state": auth["state"]},
                        headers={"Accept-Language": "en"})
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "ltiStorage.get" in page and "Signing in" in page
    assert 'name="lti_storage_via"' in page and 'name="lti_storage_unavailable"' in page
    done = iframe.post("/lti/launch", data={"id_token": token, "state": auth["state"],
                                            "lti_storage_value": stored,
                                            "lti_storage_via": "platform"},
                       headers={"Sec-Fetch-Site": "same-origin"})
    assert done.status_code == 303 and "ltik=" in done.headers["Location"]


def test_the_origin_header_alone_also_proves_the_own_page(app, client, lms):
    auth, stored = login_with_storage(client, lms)
    token = lms.id_token(auth, lms.launch_request(sub="anna"))
    done = app.test_client().post(
        "/lti/launch", headers={"Origin": "http://localhost"},
        data={"id_token": token, "state": auth["state"], "lti_storage_value": stored,
              "lti_storage_via": "platform"})
    assert done.status_code == 303 and "ltik=" in done.headers["Location"]


def _held(response) -> bool:
    return response.status_code == 200 and 'name="held_id"' in response.get_data(as_text=True)


def test_a_stored_value_without_proof_of_our_own_page_is_held(app, client, lms):
    """Whoever ran a login saw its value: posted from elsewhere it proves nothing."""
    lms.launch(client, sub="victim")
    cases = [
        ({"lti_storage_via": "platform"}, {}),  # no Sec-Fetch-Site, no Origin
        ({"lti_storage_via": "platform"}, {"Sec-Fetch-Site": "cross-site"}),
        ({"lti_storage_via": "platform"}, {"Origin": "https://evil.example"}),
        ({"lti_storage_via": "parent"}, OWN_PAGE),  # Canvas's '*' fallback
        ({}, OWN_PAGE),
    ]
    for extra, headers in cases:
        attacker = app.test_client()
        auth, stored = login_with_storage(attacker, lms)
        token = lms.id_token(auth, lms.launch_request(sub="attacker", name="Mallory"))
        before = snapshot(app)
        response = app.test_client().post(
            "/lti/launch", headers={"Accept-Language": "en", **headers},
            data={"id_token": token, "state": auth["state"], "lti_storage_value": stored,
                  **extra})
        assert _held(response), (extra, headers)
        assert "Mallory" in response.get_data(as_text=True)
        assert "Location" not in response.headers
        assert snapshot(app) == before


def test_no_answer_from_the_platform_storage_is_held(app, client, lms):
    auth, _stored = login_with_storage(client, lms)
    token = lms.id_token(auth, lms.launch_request(sub="anna", name="Anna de Vries"))
    before = snapshot(app)
    response = app.test_client().post(
        "/lti/launch", headers=OWN_PAGE,
        data={"id_token": token, "state": auth["state"], "lti_storage_unavailable": "1"})
    assert _held(response) and "Anna de Vries" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_attacker_posting_the_nonce_without_cookie_is_refused(app, client, lms):
    """The attack: the attacker's own token and state, the nonce as 'stored value'."""
    lms.launch(client, sub="victim")  # the database is not empty
    attacker = app.test_client()
    for offer_storage in (False, True):
        if offer_storage:
            auth, _stored = login_with_storage(attacker, lms)
        else:
            auth = lms.login(attacker)
        token = lms.id_token(auth, lms.launch_request(sub="attacker", name="Mallory"))
        before = snapshot(app)
        victim_browser = app.test_client()  # no state cookie
        response = victim_browser.post(
            "/lti/launch",
            data={"id_token": token, "state": auth["state"], "lti_storage_value": auth["nonce"],
                  "lti_storage_via": "platform"},
            headers={"Accept-Language": "en", **OWN_PAGE},
        )
        assert response.status_code == 401, offer_storage
        assert "could not be tied to the sign-in" in response.get_data(as_text=True)
        assert "Location" not in response.headers
        assert snapshot(app) == before


def test_a_stored_value_for_a_login_that_offered_no_storage_is_refused(app, client, lms):
    attacker = app.test_client()
    _auth_with_storage, stored = login_with_storage(attacker, lms)
    auth = lms.login(attacker)  # this login offered no storage (Moodle)
    token = lms.id_token(auth, lms.launch_request(sub="attacker"))
    before = snapshot(app)
    for value in (stored, auth["nonce"], auth["state"]):
        response = app.test_client().post(
            "/lti/launch",
            data={"id_token": token, "state": auth["state"], "lti_storage_value": value,
                  "lti_storage_via": "platform"},
            headers={"Accept-Language": "en", **OWN_PAGE},
        )
        assert response.status_code == 401
        assert "could not be tied" in response.get_data(as_text=True)
        assert snapshot(app) == before


def test_the_value_of_another_login_is_refused(app, client, lms):
    attacker = app.test_client()
    _other, other_value = login_with_storage(attacker, lms)
    auth, _stored = login_with_storage(attacker, lms)
    token = lms.id_token(auth, lms.launch_request(sub="attacker"))
    before = snapshot(app)
    response = app.test_client().post(
        "/lti/launch", headers=OWN_PAGE,
        data={"id_token": token, "state": auth["state"], "lti_storage_value": other_value,
              "lti_storage_via": "platform"},
    )
    assert response.status_code == 401
    assert snapshot(app) == before


def test_moodle_without_cookie_gets_the_confirmation_not_a_new_window(app, client, lms):
    auth = lms.login(client)
    token = lms.id_token(auth, lms.launch_request())
    before = snapshot(app)
    response = app.test_client().post("/lti/launch", data={"id_token": token, "state": auth["state"]},
                                      headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert _held(response) and "Ben jij dit?" in text
    assert "new window" not in text and "ltiStorage.get" not in text
    assert snapshot(app) == before


def test_storage_script_falls_back_to_the_parent_with_a_wildcard(app):
    """Canvas's documented fallback (CANVAS-NOTES.md (b)): no forwarding frame ->
    window.parent with '*', answers from the parent only, and marked unverified."""
    script = (Path(app.static_folder) / "lti_storage.js").read_text()
    assert 'return {win: window.parent, origin: "*", verified: false};' in script
    assert "event.source !== to.win" in script
    assert "to.verified && event.origin !== origin" in script
