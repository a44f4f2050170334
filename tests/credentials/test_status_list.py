"""Revocation and re-issue in the published Bitstring Status List (W3C
Bitstring Status List v1.0): decoded here by hand (multibase "u" + base64url +
GZIP, bit 0 the left-most bit of byte 0), its VC-JWT verified with jwcrypto."""

from __future__ import annotations

import base64
import gzip

from lti_app.credentials import service
from lti_app.extensions import db
from lti_app.issuing import service as issuing
from tests.credentials.helpers import make_issued
from tests.credentials.test_signature import verified_with_published_keys


def _bits(encoded: str) -> bytes:
    assert encoded.startswith("u")  # multibase base64url, no padding
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def _is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


def _fetch_list(client, url: str) -> tuple[dict, object]:
    response = client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200
    assert response.mimetype == "application/vc+jwt"
    _header, payload = verified_with_published_keys(client, response.get_data(as_text=True))
    return payload, response


def test_a_revoked_and_a_superseded_certificate_have_their_bit_set_others_not(app, client):
    with app.test_request_context():
        kept, revoked, replaced = (make_issued(), make_issued(), make_issued())
        entries = {c.id: service.credential_json(c)["credentialStatus"]
                   for c in (kept, revoked, replaced)}
        issuing.revoke(certificate=revoked, reason="Issued to the wrong person")
        issuing.reissue(certificate=replaced, learner_name="Anna de Vries-Bakker",
                        issued_by_person_id=None)
        ids = (kept.id, revoked.id, replaced.id)
        db.session.commit()
    kept_id, revoked_id, replaced_id = ids
    urls = {entry["statusListCredential"] for entry in entries.values()}
    assert len(urls) == 1  # one issuer, one list
    payload, response = _fetch_list(client, urls.pop())
    assert "max-age=300" in response.headers["Cache-Control"]
    assert payload["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = payload["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    bits = _bits(subject["encodedList"])
    assert len(bits) * 8 >= 131_072
    index = {cid: int(entry["statusListIndex"]) for cid, entry in entries.items()}
    assert not _is_set(bits, index[kept_id])
    assert _is_set(bits, index[revoked_id])
    assert _is_set(bits, index[replaced_id])
    assert sum(bin(byte).count("1") for byte in bits) == 2  # nothing else


def test_indexes_are_distinct_and_spread(app):
    with app.test_request_context():
        indexes = [service.status_of(make_issued()).index for _ in range(20)]
    assert len(set(indexes)) == 20
    assert max(indexes) - min(indexes) > 1000  # random, not counted up


def test_an_unknown_list_is_not_found(app, client):
    assert client.get("/credentials/status/nothing-1").status_code == 404
    assert client.get("/credentials/status/not a list").status_code == 404


def test_a_full_list_gives_way_to_the_next(app, monkeypatch):
    from lti_app.credentials import status_list

    monkeypatch.setattr(status_list, "LIST_BITS", 8)  # a tiny list fills at once
    with app.test_request_context():
        entries = [service.status_of(make_issued()) for _ in range(12)]
    pairs = {(e.list_id, e.index) for e in entries}
    assert len(pairs) == 12  # no two share a bit
    assert len({e.list_id for e in entries}) >= 2
    assert all(0 <= e.index < 8 for e in entries)
