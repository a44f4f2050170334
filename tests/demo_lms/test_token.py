"""/dev/token: client credentials with a JWT client assertion (RFC 7523; LTI SF 4.1)."""

from __future__ import annotations

import time

from lti_app.demo_lms.platform import AGS_SCOPES, NRPS_SCOPE, LtiPlatform
from lti_app.extensions import db
from tests.conftest import make_app
from tests.demo_lms.conftest import ISSUER, TOKEN_URL, bearer
from tests.fake_lms import platform_key

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def _refused(response, status: int, error: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == error and body["error_description"]
    assert response.headers["Cache-Control"] == "no-store"


def test_good_assertion_gets_a_bearer_token(client, tool):
    response = tool.token_request(client, scope=f"{SCORE} {NRPS_SCOPE}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"].split() == [SCORE, NRPS_SCOPE]
    assert len(body["access_token"]) >= 40
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


def test_unknown_scopes_are_left_out_and_none_known_is_invalid_scope(client, tool):
    partial = tool.token_request(client, scope=f"{SCORE} https://example.org/scope/other")
    assert partial.get_json()["scope"] == SCORE
    _refused(tool.token_request(client, scope="https://example.org/scope/other"),
             400, "invalid_scope")
    _refused(tool.token_request(client, scope=""), 400, "invalid_scope")


def test_wrong_signature_is_invalid_client(client, tool):
    other_pem, _ = platform_key(3)
    forged = tool.sign({"iss": "kennisdeling-demo", "sub": "kennisdeling-demo", "aud": TOKEN_URL,
                        "iat": int(time.time()), "exp": int(time.time()) + 60, "jti": "x-1"},
                       key_pem=other_pem)
    _refused(tool.token_request(client, client_assertion=forged), 401, "invalid_client")


def test_unsigned_and_hmac_assertions_are_refused(client, tool):
    import jwt

    claims = {"iss": "kennisdeling-demo", "sub": "kennisdeling-demo", "aud": TOKEN_URL,
              "iat": int(time.time()), "exp": int(time.time()) + 60, "jti": "x-2"}
    for token in (jwt.encode(claims, None, algorithm="none"),
                  jwt.encode(claims, "a-shared-secret-of-32-bytes-long!", algorithm="HS256")):
        _refused(tool.token_request(client, client_assertion=token), 401, "invalid_client")


def test_reused_jti_is_refused(client, tool):
    assertion = tool.assertion(jti="once-only")
    assert tool.token_request(client, client_assertion=assertion).status_code == 200
    _refused(tool.token_request(client, client_assertion=assertion), 401, "invalid_client")
    fresh = tool.assertion(jti="once-only")  # a new JWT, the same jti
    _refused(tool.token_request(client, client_assertion=fresh), 401, "invalid_client")


def test_audience_must_be_the_token_url_or_the_issuer(client, tool):
    wrong = tool.assertion(aud="https://moodle.example.edu/mod/lti/token.php")
    _refused(tool.token_request(client, client_assertion=wrong), 401, "invalid_client")
    as_issuer = tool.assertion(aud=[ISSUER])  # Moodle and Canvas accept their issuer too
    assert tool.token_request(client, client_assertion=as_issuer).status_code == 200


def test_expired_or_long_lived_or_missing_claims_are_refused(client, tool):
    now = int(time.time())
    for assertion in (
        tool.assertion(iat=now - 600, exp=now - 300),
        tool.assertion(exp=now + 7200),
        tool.assertion(jti=None),
        tool.assertion(iss="someone-else", sub="someone-else"),
        tool.assertion(sub="another-client"),
    ):
        _refused(tool.token_request(client, client_assertion=assertion), 401, "invalid_client")


def test_wrong_grant_type_and_assertion_type(client, tool):
    _refused(tool.token_request(client, grant_type="authorization_code"),
             400, "unsupported_grant_type")
    _refused(tool.token_request(client, client_assertion_type="password"), 400, "invalid_request")
    _refused(tool.token_request(client, client_assertion=""), 400, "invalid_request")
    _refused(tool.token_request(client, client_id="another-client"), 401, "invalid_client")


def test_tokens_live_in_the_shared_store_not_in_a_worker(client, tool, database_uri, tmp_path):
    token = tool.access_token(client, scope=" ".join(AGS_SCOPES))
    # Another worker: the same database, nothing shared in memory.
    other_worker = make_app(database_uri, tmp_path / "instance")
    response = other_worker.test_client().get(
        "/dev/ags/demo-course-2026/lineitems", headers=bearer(token)
    )
    assert response.status_code == 200
    with other_worker.app_context():
        db.engine.dispose()


def test_platform_class_verifies_assertions_without_flask():
    pem, kid = platform_key(1)
    tool_pem, tool_kid = platform_key(2)
    platform = LtiPlatform(issuer="https://lms.example", client_id="c1", deployment_id="d",
                           private_key_pem=pem, kid=kid, auth_login_url="", jwks_url="",
                           token_url="https://lms.example/token")
    tool_side = LtiPlatform(issuer="", client_id="", deployment_id="", private_key_pem=tool_pem,
                            kid=tool_kid, auth_login_url="", token_url="", jwks_url="")
    now = int(time.time())
    assertion = tool_side.sign({"iss": "c1", "sub": "c1", "aud": "https://lms.example/token",
                                "iat": now, "exp": now + 60, "jti": "j"})
    claims = platform.verify_client_assertion(
        assertion, tool_jwks=tool_side.jwks(), token_url=platform.token_url
    )
    assert claims["jti"] == "j"
