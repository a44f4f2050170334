"""The tool's own keys: created on first use, encrypted at rest, rotated, retired."""

from __future__ import annotations

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.lti.models import ToolKey


def test_first_jwks_call_creates_one_encrypted_key(app, client):
    kid = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    assert client.get("/lti/jwks").get_json()["keys"][0]["kid"] == kid
    with app.app_context():
        [key] = db.session.scalars(select(ToolKey)).all()
        assert "ENCRYPTED PRIVATE KEY" in key.private_key_pem


def test_rotate_keeps_old_key_published_until_retired(app, client, runner):
    old = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    kids = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert len(kids) == 2 and old in kids and len(set(kids)) == 2
    new = [k for k in kids if k != old][0]
    assert new in result.output

    result = runner.invoke(args=["keys", "retire", "--kid", old])
    assert result.exit_code == 0, result.output
    assert [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]] == [new]


def test_the_only_key_cannot_be_retired(client, runner):
    kid = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    result = runner.invoke(args=["keys", "retire", "--kid", kid])
    assert result.exit_code != 0 and "only published key" in result.output
    assert client.get("/lti/jwks").get_json()["keys"][0]["kid"] == kid


def test_new_key_signs_after_rotation(app, runner):
    from lti_app.lti import keys

    with app.app_context():
        first = keys.active_key().kid
        db.session.commit()
    runner.invoke(args=["keys", "rotate"])
    with app.app_context():
        assert keys.active_key().kid != first
        pem = keys.private_key_pem(keys.active_key())
        assert pem.startswith("-----BEGIN PRIVATE KEY-----")
