"""The VC-JWT as OB 3.0 § "JSON Web Token Proof Format" (ob_v3p0/integrity.md
at 1af145f) asks, checked by a second library: we sign with PyJWT, these
tests verify with jwcrypto, using only what the tool publishes (its key set)."""

from __future__ import annotations

import json
from datetime import datetime

from jwcrypto import jwk, jws

from lti_app.credentials import service
from lti_app.credentials.models import CredentialKey
from lti_app.extensions import db
from tests.credentials.helpers import make_issued


def verified_with_published_keys(client, token: str) -> tuple[dict, dict]:
    """(header, payload) when jwcrypto verifies the token with a key from
    GET /credentials/jwks; raises otherwise."""
    response = client.get("/credentials/jwks")
    assert response.status_code == 200
    key_set = jwk.JWKSet.from_json(response.get_data(as_text=True))
    signed = jws.JWS()
    signed.deserialize(token)
    header = signed.jose_header
    key = key_set.get_key(header["kid"])
    assert key is not None, "the kid is not in the published key set"
    signed.verify(key, alg="RS256")
    return header, json.loads(signed.payload)


def _issue(app):
    with app.test_request_context():
        certificate = make_issued()
        token = service.credential_jwt(certificate)
        document = service.credential_json(certificate)
        db.session.commit()
    return token, document


def test_an_independent_library_verifies_the_credential_with_the_published_key(app, client):
    token, document = _issue(app)
    header, payload = verified_with_published_keys(client, token)
    # JOSE header: RS256, a kid that dereferences to the JWK, typ JWT; nothing else.
    assert set(header) == {"alg", "kid", "typ"}
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    key_response = client.get(header["kid"].removeprefix("http://localhost"))
    assert key_response.status_code == 200
    published = key_response.get_json()
    assert published["kid"] == header["kid"] and "d" not in published
    # The claims are the credential's own values.
    assert payload["iss"] == document["issuer"]["id"]
    assert payload["jti"] == document["id"]
    assert payload["sub"] == document["credentialSubject"]["id"]
    assert payload["nbf"] == int(datetime.fromisoformat(document["validFrom"]).timestamp())
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "sub", "nbf")} == document


def test_no_private_key_material_is_published(app, client):
    _issue(app)
    for key in client.get("/credentials/jwks").get_json()["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


def test_after_rotation_old_credentials_verify_and_new_ones_use_the_new_key(app, client, runner):
    old_token, _ = _issue(app)
    result = runner.invoke(args=["credentials", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "still published" in result.output
    new_token, _ = _issue(app)
    old_header, _ = verified_with_published_keys(client, old_token)
    new_header, _ = verified_with_published_keys(client, new_token)
    assert old_header["kid"] != new_header["kid"]
    with app.app_context():
        keys = db.session.query(CredentialKey).order_by(CredentialKey.id).all()
        assert [k.retired_at is not None for k in keys] == [True, False]
        assert new_header["kid"].endswith(keys[1].kid)
        # Both still check out as valid through the tool's own check.
        assert service.check_credential(old_token).outcome == "valid"
        assert service.check_credential(new_token).outcome == "valid"
    listing = runner.invoke(args=["credentials", "list-keys"]).output
    assert "retired" in listing and "signs" in listing
