"""The platform's key set: cached, refetched on an unknown kid, kept when the LMS is down."""

from __future__ import annotations

from tests.fake_lms import platform_key


def test_key_set_is_fetched_once_and_cached(client, lms):
    for sub in ("a", "b", "c"):
        assert lms.launch(client, sub=sub).status_code == 303
    assert lms.jwks_fetches == 1


def test_platform_key_rotation_triggers_one_refetch(app, client, lms):
    assert lms.launch(client).status_code == 303
    new_pem, new_kid = platform_key(1)
    old_keys = lms.platform.jwks()["keys"]
    lms.platform.private_key_pem, lms.platform.kid = new_pem, new_kid
    lms.serve_jwks({"keys": old_keys + lms.platform.jwks()["keys"]})
    app.config["LTI_JWKS_MIN_REFETCH"] = 0
    assert lms.launch(client, sub="after-rotation").status_code == 303
    assert lms.jwks_fetches == 2


def test_unknown_kid_refetch_is_rate_limited(app, client, lms):
    assert lms.launch(client).status_code == 303
    for _ in range(3):  # forged tokens with made-up kids
        response = lms.launch(client, header={"kid": "made-up"})
        assert response.status_code == 400
    assert lms.jwks_fetches == 1  # within LTI_JWKS_MIN_REFETCH: no refetch at all


def test_cached_key_set_serves_while_the_platform_is_down(app, client, lms):
    assert lms.launch(client).status_code == 303
    lms.serve_jwks({"error": "down"}, status=503)
    app.config["LTI_JWKS_MAX_AGE"] = 0  # the cached copy is stale
    app.config["LTI_JWKS_MIN_REFETCH"] = 0
    assert lms.launch(client, sub="during-outage").status_code == 303


def test_no_key_set_and_platform_down_is_a_clear_503(app, client, lms):
    lms.serve_jwks({"error": "down"}, status=500)
    response = lms.launch(client)
    assert response.status_code == 503
    assert "sleutels" in response.get_data(as_text=True)


def test_cache_control_max_age_is_honoured(app, client, lms, monkeypatch):
    import time

    import responses

    from lti_app.lti import platform_keys

    lms.mock.replace(responses.GET, lms.platform.jwks_url, json=lms.platform.jwks(),
                     headers={"Cache-Control": "public, max-age=120"})
    assert lms.launch(client).status_code == 303
    assert lms.launch(client, sub="within-max-age").status_code == 303
    assert lms.jwks_fetches == 1

    class Later:
        @staticmethod
        def time():
            return time.time() + 130

    monkeypatch.setattr(platform_keys, "time", Later)
    assert lms.launch(client, sub="after-max-age").status_code == 303
    assert lms.jwks_fetches == 2


def test_demo_lms_registers_its_key_set_without_http(app, client):
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.platforms.models import Platform

    assert client.get("/dev/").status_code == 200
    with app.app_context():
        [platform] = db.session.scalars(select(Platform)).all()
        assert platform.static_jwks and platform.jwks_url is None
