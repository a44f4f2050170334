"""check_credential tells apart what a verifier may hand in: our credential,
still standing or revoked or replaced; one changed after signing; one naming a
key we never had; someone else's; and something that is no credential."""

from __future__ import annotations

import base64
import io
import json

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

from lti_app.credentials import service, vc_jwt
from lti_app.credentials.models import IssuedCredential
from lti_app.extensions import db
from lti_app.issuing import service as issuing
from tests.credentials.helpers import make_issued


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _issued(app):
    with app.test_request_context():
        certificate = make_issued(name="Anna de Vries")
        token = service.credential_jwt(certificate)
        db.session.commit()
        return certificate.id, token


def _check(app, data):
    with app.test_request_context():
        return service.check_credential(data)


def test_our_credential_is_valid_with_its_certificate(app):
    certificate_id, token = _issued(app)
    with app.test_request_context():
        result = service.check_credential(token)
        assert result.outcome == "valid" and result.certificate.id == certificate_id
        assert result.facts["name"] == "Anna de Vries"
        assert result.facts["issuer"] == "Universiteit Utrecht"


def test_a_changed_name_is_altered(app):
    _id, token = _issued(app)
    header, payload, signature = token.split(".")
    claims = vc_jwt.unverified_payload(token)
    claims["credentialSubject"]["name"] = "Someone Else"
    forged = f"{header}.{_b64(claims)}.{signature}"
    result = _check(app, forged)
    assert result.outcome == "altered"
    assert result.certificate is None
    with app.app_context():  # and nothing changed in what is stored
        stored = db.session.query(IssuedCredential).one()
        assert stored.jwt == token


def test_a_key_we_never_had_is_unknown_kid(app):
    _id, token = _issued(app)
    claims = vc_jwt.unverified_payload(token)
    header = jwt.get_unverified_header(token)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = header["kid"].rsplit("/", 1)[0] + "/not-a-key-of-ours"
    forged = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": kid})
    assert _check(app, forged).outcome == "unknown_kid"


def test_another_issuers_credential_is_not_ours(app):
    _id, token = _issued(app)
    claims = vc_jwt.unverified_payload(token)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, stranger, algorithm="RS256",
                        headers={"kid": "https://badges.example.org/keys/1"})
    assert _check(app, forged).outcome == "not_ours"
    claims["issuer"]["id"] = claims["iss"] = "https://badges.example.org/issuer"
    forged = jwt.encode(claims, stranger, algorithm="RS256",
                        headers={"kid": jwt.get_unverified_header(token)["kid"]})
    assert _check(app, forged).outcome == "not_ours"


def test_revoked_and_superseded_are_told(app):
    _id, token = _issued(app)
    with app.test_request_context():
        replaced = make_issued()
        replaced_token = service.credential_jwt(replaced)
        issuing.reissue(certificate=replaced, learner_name="Anna Bakker",
                        issued_by_person_id=None)
        certificate = db.session.query(IssuedCredential).filter_by(jwt=token).one().certificate
        issuing.revoke(certificate=certificate, reason="Issued by mistake")
        db.session.commit()
    assert _check(app, token).outcome == "revoked"
    assert _check(app, replaced_token).outcome == "superseded"


def test_signed_by_us_but_no_such_certificate(app):
    _id, token = _issued(app)
    with app.app_context():
        db.session.query(IssuedCredential).delete()
        db.session.commit()
    assert _check(app, token).outcome == "unknown_certificate"


def test_the_forms_a_verifier_has_are_read(app):
    _id, token = _issued(app)
    assert _check(app, token.encode()).outcome == "valid"  # a .jwt file
    assert _check(app, f"  {token}\n").outcome == "valid"  # pasted
    assert _check(app, json.dumps({"credential": token})).outcome == "valid"  # JSON holding one
    with app.test_request_context():
        from lti_app.issuing.models import Certificate

        png = service.baked_png(db.session.query(Certificate).one())
    assert _check(app, png).outcome == "valid"


def test_what_is_no_credential_is_unreadable(app):
    plain = io.BytesIO()
    Image.new("RGB", (10, 10)).save(plain, format="PNG")
    for data in [b"", "hello", b"\xff\xfe\x00", "{not json", json.dumps({"a": 1}),
                 plain.getvalue(), "a.b.c", b"%PDF-1.7 nothing"]:
        assert _check(app, data).outcome == "unreadable", data
