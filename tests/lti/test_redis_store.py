"""The same launch rules with Redis as the shared store (FLASK_REDIS_URL)."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import make_app

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_app(database_uri, tmp_path):
    from lti_app.extensions import db

    prefix = f"kd-test-{uuid.uuid4().hex}:"
    app = make_app(database_uri, tmp_path / "redis", REDIS_URL=REDIS_URL,
                   REDIS_KEY_PREFIX=prefix)
    with app.app_context():
        db.create_all()
    yield app
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    with app.app_context():
        db.engine.dispose()


def test_launch_and_replay_with_redis(redis_app):
    from tests.fake_lms import FakeLms

    client = redis_app.test_client()
    with FakeLms.serving() as mock:
        lms = FakeLms(redis_app, mock)
        auth = lms.login(client)
        token = lms.id_token(auth, lms.launch_request())
        data = {"id_token": token, "state": auth["state"]}
        first = client.post("/lti/launch", data=data)
        assert first.status_code == 303
        assert client.get(first.headers["Location"], follow_redirects=True).status_code == 200
        assert client.post("/lti/launch", data=data).status_code == 401  # replay refused
    import redis

    # The launch's context and its session (with its CSRF token), both expiring.
    store = redis.Redis.from_url(REDIS_URL)
    prefix = redis_app.config["REDIS_KEY_PREFIX"]
    for kind in ("launch-context", "launch-session"):
        [key] = store.keys(f"{prefix}{kind}:*")
        assert 0 < store.ttl(key) <= redis_app.config["LTI_LAUNCH_LIFETIME"]
    assert b"csrf_token" in store.get(key)
    with redis_app.app_context():
        from sqlalchemy import select

        from lti_app.extensions import db
        from lti_app.lti.models import StoredValue

        # Nothing of the launch went to the database store.
        keys = db.session.scalars(select(StoredValue.key)).all()
        assert not [k for k in keys if k.startswith(("oidc-state", "launch"))]


def test_a_held_launch_lives_in_redis_and_is_used_once(redis_app):
    import re

    from tests.fake_lms import FakeLms

    with FakeLms.serving() as mock:
        lms = FakeLms(redis_app, mock)
        auth = lms.login(redis_app.test_client())
        token = lms.id_token(auth, lms.launch_request())
        frame = redis_app.test_client()  # no state cookie
        held = frame.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
        assert held.status_code == 200
        held_id = re.search(r'name="held_id" value="([^"]+)"',
                            held.get_data(as_text=True)).group(1)
        data = {"held_id": held_id, "action": "continue"}
        done = frame.post("/lti/launch/confirm", data=data)
        assert done.status_code == 303
        assert frame.post("/lti/launch/confirm", data=data).status_code == 410
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    prefix = redis_app.config["REDIS_KEY_PREFIX"]
    assert not list(client.scan_iter(f"{prefix}held-launch:*"))
