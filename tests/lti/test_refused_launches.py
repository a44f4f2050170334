"""Every launch the Security Framework says to refuse is refused, and nothing changes."""

from __future__ import annotations

import time

import jwt
import pytest

from lti_app.demo_lms.platform import LtiPlatform
from tests.db_snapshot import one_time_values, snapshot
from tests.fake_lms import platform_key

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def _set(name, value):
    def tamper(claims):
        claims[name] = value
    return tamper


def _drop(name):
    def tamper(claims):
        claims.pop(name, None)
    return tamper


def _now_offset(**offsets):
    def tamper(claims):
        now = int(time.time())
        for name, delta in offsets.items():
            claims[name] = now + delta
    return tamper


# (id, launch kwargs, expected status, a phrase the page must show)
CASES = [
    ("wrong-iss", {"claims": _set("iss", "https://evil.example")}, 400, "registered"),
    ("wrong-aud", {"claims": _set("aud", ["someone-else"])}, 400, "not meant"),
    ("aud-without-client", {"claims": _set("aud", ["x", "y"]), "header": None}, 400, "not meant"),
    ("azp-mismatch", {"claims": _set("azp", "other-client")}, 400, "not meant"),
    ("untrusted-extra-aud", {"claims": _set("aud", ["moodle-client-1", "evil-client"])},
     400, "not meant"),
    ("expired", {"claims": _now_offset(iat=-900, exp=-600)}, 401, "expired"),
    ("exp-just-past-leeway", {"claims": _now_offset(exp=-120)}, 401, "expired"),
    ("issued-in-future", {"claims": _now_offset(iat=600, exp=900)}, 400, "future"),
    ("iat-too-old", {"claims": _now_offset(iat=-3600, exp=300)}, 401, "expired"),
    ("missing-nonce", {"claims": _drop("nonce")}, 400, "valid token"),
    ("nonce-of-other-login", {"claims": _set("nonce", "x" * 43)}, 401, "does not belong"),
    ("unknown-deployment", {"claims": _set(LTI + "deployment_id", "rogue-99")}, 403,
     "flask --app lti_app platform add-deployment"),
    ("wrong-message-type", {"claims": _set(LTI + "message_type", "LtiSubmissionReviewRequest")},
     400, "does not support"),
    ("wrong-version", {"claims": _set(LTI + "version", "1.1")}, 400, "1.3.0"),
    ("missing-roles", {"claims": _drop(LTI + "roles")}, 400, "does not support"),
    ("missing-resource-link", {"claims": _drop(LTI + "resource_link")}, 400, "does not support"),
    ("unknown-kid", {"header": {"kid": "not-a-published-kid"}}, 400, "does not publish"),
    ("bad-signature", {"key_pem": platform_key(2)[0]}, 400, "signature"),
    ("hs256-with-public-key", {"algorithm": "HS256", "key_pem": "a-shared-secret-that-is-long-enough-for-hs256"}, 400, "RS256"),
    ("wrong-state", {"state": "state-00000000-0000-0000-0000-000000000000"}, 401, "already used"),
    ("empty-state", {"state": ""}, 400, "state"),
]


@pytest.mark.parametrize("case_id,kwargs,status,phrase", CASES, ids=[c[0] for c in CASES])
def test_refused_launch_changes_nothing(app, client, lms, case_id, kwargs, status, phrase):
    lms.launch(client, sub="existing-user")  # the database is not empty
    before = snapshot(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = lms.launch(client, sub="attacker", **kwargs)
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert phrase in text
    assert "Traceback" not in text
    assert snapshot(app) == before


def test_alg_none_is_refused(app, client, lms):
    lms.launch(client, sub="existing-user")
    before = snapshot(app)
    auth = lms.login(client)
    claims = lms.platform.launch_claims(lms.launch_request(sub="attacker"), nonce=auth["nonce"])
    token = jwt.encode(claims, None, algorithm="none", headers={"kid": lms.platform.kid})
    response = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "RS256" in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "a.b", "e30.e30.e30", "!!.??.**"])
def test_malformed_tokens_are_refused(app, client, lms, token):
    before = snapshot(app)
    auth = lms.login(client)
    response = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_replayed_id_token_is_refused(app, client, lms):
    auth = lms.login(client)
    token = lms.id_token(auth, lms.launch_request(sub="victim"))
    first = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert first.status_code == 303
    before = snapshot(app)
    replay = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]},
                         headers={"Accept-Language": "en"})
    assert replay.status_code == 401
    assert "already used" in replay.get_data(as_text=True)
    assert snapshot(app) == before


def test_replay_with_a_fresh_state_is_refused(app, client, lms):
    # A bare pylti1p3 tool would accept this: its nonce check never uses the nonce up.
    auth = lms.login(client)
    token = lms.id_token(auth, lms.launch_request(sub="victim"))
    assert client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}).status_code == 303
    fresh = lms.login(client)
    before = snapshot(app)
    replay = client.post("/lti/launch", data={"id_token": token, "state": fresh["state"]})
    assert replay.status_code == 401
    assert snapshot(app) == before
    assert any(key.endswith(fresh["state"]) for key in one_time_values(app))


def test_launch_without_the_state_cookie_is_held_not_saved(app, client, lms):
    auth = lms.login(client)
    token = lms.id_token(auth, lms.launch_request())
    other_browser = app.test_client()
    before = snapshot(app)
    response = other_browser.post("/lti/launch", data={"id_token": token, "state": auth["state"]},
                                  headers={"Accept-Language": "en"})
    assert response.status_code == 200 and "Ben jij dit?" in response.get_data(as_text=True)
    assert snapshot(app) == before
    # Held: its state and nonce are used up, so the token is posted nowhere else.
    again = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]},
                        headers={"Accept-Language": "en"})
    assert again.status_code == 401 and "already used" in again.get_data(as_text=True)
    assert snapshot(app) == before


def test_unknown_registration_at_login_is_refused(client, lms):
    fields = lms.platform.login_initiation(
        target_link_uri="http://localhost/lti/launch", login_hint="h", lti_message_hint="m"
    )
    fields["client_id"] = "unknown-client"
    response = client.post("/lti/login", data=fields, headers={"Accept-Language": "nl"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Er is geen platform geregistreerd" in text and "unknown-client" in text


def test_login_without_issuer_is_refused(client, lms):
    response = client.post("/lti/login", data={"login_hint": "x"})
    assert response.status_code == 400 and "iss" in response.get_data(as_text=True)


def test_launch_for_a_platform_removed_after_login(app, client, lms, runner):
    auth = lms.login(client)
    token = lms.id_token(auth, lms.launch_request())
    result = runner.invoke(args=["platform", "remove", "--issuer", lms.platform.issuer,
                                 "--client-id", lms.platform.client_id, "--yes"])
    assert result.exit_code == 0, result.output
    response = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert response.status_code == 400
    assert "Er is geen platform geregistreerd" in response.get_data(as_text=True)


def test_other_platform_key_cannot_sign_for_this_one(app, client, lms):
    other = LtiPlatform(**{**lms.platform.__dict__, "private_key_pem": platform_key(3)[0],
                          "kid": platform_key(3)[1]})
    before = snapshot(app)
    auth = lms.login(client)
    token = other.sign(other.launch_claims(lms.launch_request(), nonce=auth["nonce"]))
    response = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert response.status_code == 400
    assert snapshot(app) == before
