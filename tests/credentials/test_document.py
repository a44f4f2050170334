"""The credential as issued is an OpenBadgeCredential a wallet accepts: it
validates against 1EdTech's JSON Schema (Draft 2019-09, commit c73e966,
2024-07-30) and every property is a term of the VC 2.0 or OB 3.0.3 context
(JSON-LD expansion with pyld, contexts from tests/credentials/spec/, no network)."""

from __future__ import annotations

import copy
import hashlib
import json
import re

import pytest
from jsonschema import Draft201909Validator
from pyld import jsonld

from lti_app.credentials import service
from lti_app.extensions import db
from tests.credentials.helpers import CONTEXT_FILES, SPEC, make_issued, spec_json

SCHEMA = spec_json("ob_v3p0_achievementcredential_schema.json")
# VC 2.0's @vocab: a property no context defines may expand under this IRI;
# under the OB 3.0 context's protected terms it is dropped instead. Either way
# the round trip below notices it.
UNDEFINED = "https://www.w3.org/ns/credentials/issuer-dependent#"


def _load_document(url, options=None):
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(f"no network in tests: {url}", "loading document failed")
    return {"contextUrl": None, "documentUrl": url,
            "document": json.loads((SPEC / CONTEXT_FILES[url]).read_text())}


def _schema_errors(document: dict) -> list[str]:
    validator = Draft201909Validator(SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def _iris(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                found.add(key)
            _iris(value, found)
    elif isinstance(node, list):
        for item in node:
            _iris(item, found)
    return found


def _keys(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        found.update(node)
        for value in node.values():
            _keys(value, found)
    elif isinstance(node, list):
        for item in node:
            _keys(item, found)
    return found


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("course_slug", ["library-basics", "licence-negotiation"])
def test_the_credential_validates_against_the_open_badges_schema(app, language, course_slug):
    with app.test_request_context():
        certificate = make_issued(language=language, course_slug=course_slug)
        document = service.credential_json(certificate)
        service.set_email_choice(certificate, True)
        with_email = service.credential_json(certificate)
    assert _schema_errors(document) == []
    assert _schema_errors(with_email) == []
    # A change the schema refuses is caught: the check can fail.
    broken = copy.deepcopy(document)
    del broken["credentialSubject"]["achievement"]["criteria"]
    assert _schema_errors(broken)


def test_every_property_is_defined_by_the_contexts(app):
    with app.test_request_context():
        certificate = make_issued()
        service.set_email_choice(certificate, True)
        document = service.credential_json(certificate)
    expanded = jsonld.expand(document, {"documentLoader": _load_document})
    undefined = sorted(iri for iri in _iris(expanded, set()) if iri.startswith(UNDEFINED))
    assert undefined == []
    # Compacting back with the same contexts gives every property again.
    compacted = jsonld.compact(expanded, {"@context": document["@context"]},
                               {"documentLoader": _load_document})
    assert _keys(compacted, set()) - {"@context"} == _keys(document, set()) - {"@context"}
    # And a made-up property is noticed (the test can fail).
    document["credentialSubject"]["favouriteColour"] = "blue"
    expanded = jsonld.expand(document, {"documentLoader": _load_document})
    compacted = jsonld.compact(expanded, {"@context": document["@context"]},
                               {"documentLoader": _load_document})
    assert "favouriteColour" not in _keys(compacted, set())


def test_the_credential_says_what_the_certificate_says(app):
    with app.test_request_context():
        certificate = make_issued(language="en", name="Anna de Vries")
        document = service.credential_json(certificate)
        code = certificate.verification_code
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert document["id"] == f"http://localhost/verify/{code}"
    assert document["issuer"]["name"] == "Universiteit Utrecht"
    assert document["issuer"]["type"] == ["Profile"]
    subject = document["credentialSubject"]
    assert subject["name"] == "Anna de Vries"
    assert subject["id"].startswith("urn:uuid:")
    assert "identifier" not in subject  # no email unless the learner chooses
    achievement = subject["achievement"]
    assert achievement["name"] == "Library Basics"
    assert achievement["inLanguage"] == "en"
    assert achievement["creator"]["name"] == "UKB, SHB, OKBN, WSWB, VOGIN"
    # The study load in words (OB 3.0 has no hours field): the modules'
    # estimated minutes, rounded to half hours, and the shadowing days.
    assert "Study load: about 4.5 hours of online study (15 modules) and two shadowing days." \
        in achievement["description"]
    narrative = achievement["criteria"]["narrative"]
    assert "Every module passed (15 modules)" in narrative and "at least 70% right" in narrative
    assert "Two shadowing days" in narrative
    assert achievement["image"]["id"].endswith("/credentials/achievements/library-basics/badge.png")
    assert document["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert document["evidence"][0]["id"] == document["id"]


def test_the_dutch_credential_is_in_dutch(app):
    with app.test_request_context():
        document = service.credential_json(make_issued(language="nl",
                                                       course_slug="licence-negotiation"))
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["inLanguage"] == "nl"
    assert achievement["name"] == "Licentieonderhandelingen"
    assert "Studielast: ongeveer" in achievement["description"]
    assert "meeloopdagen" not in achievement["criteria"]["narrative"]  # none required
    assert achievement["creator"]["name"] == "UKB, SHB, OKBN, WSWB, VOGIN"  # the snapshot's


def test_the_email_is_only_a_salted_hash_and_only_by_choice(app):
    with app.test_request_context():
        certificate = make_issued()
        email = certificate.person.email
        before = service.credential_json(certificate)
        index = service.status_of(certificate).index
        service.set_email_choice(certificate, True)
        token = service.credential_jwt(certificate)
        after = service.credential_json(certificate)
        assert service.status_of(certificate).index == index  # the same status entry
        service.set_email_choice(certificate, False)
        again = service.credential_json(certificate)
    assert email not in token and email not in json.dumps(after)
    identity, = after["credentialSubject"]["identifier"]
    assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
    expected = hashlib.sha256((email + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert after["id"] == before["id"]
    assert after["credentialSubject"]["id"] == before["credentialSubject"]["id"]
    assert "identifier" not in again["credentialSubject"]


def test_every_download_is_the_same_text(app):
    with app.test_request_context():
        certificate = make_issued()
        first = service.credential_jwt(certificate)
        db.session.commit()
        certificate_id = certificate.id
    with app.test_request_context():
        db.session.remove()
        from lti_app.issuing.models import Certificate

        again = service.credential_jwt(db.session.get(Certificate, certificate_id))
    assert again == first


def test_with_a_base_url_every_address_is_on_it_whatever_the_request_host(app):
    app.config["TOOL_BASE_URL"] = "https://kennisdeling.example.org"
    with app.test_request_context(base_url="http://other-host.example.net"):
        certificate = make_issued()
        token = service.credential_jwt(certificate)
        document = service.credential_json(certificate)
        outcome = service.check_credential(token).outcome
    document.pop("@context")  # the W3C and 1EdTech contexts
    text = json.dumps(document) + json.dumps(jwt_header(token))
    addresses = re.findall(r"https?://[^/\"]+", text)
    assert addresses and set(addresses) == {"https://kennisdeling.example.org"}
    assert outcome == "valid"


def jwt_header(token: str) -> dict:
    import jwt

    return jwt.get_unverified_header(token)
