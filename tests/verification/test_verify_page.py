"""/verify/<code> for people and machines: the credential's facts, its status,
each issued PDF's SHA-256 and signer, and the credential by code."""

from __future__ import annotations

import hashlib
import json

from certificates.signing import signature_facts
from tests.verification.helpers import issued, reissue, revoke

JSON = {"Accept": "application/json"}


def test_json_keeps_today_s_fields_and_adds_the_credential_s_facts(app, client, lms):
    _ltik, certificate, pdf = issued(client, lms, app)
    code = certificate.verification_code
    answer = client.get(f"/verify/{code}", headers=JSON).get_json()
    # Today's fields, as before.
    assert answer["status"] == "valid" and answer["name"] == "Anna de Vries"
    assert answer["course"] == "library-basics"
    assert {"course_title", "completed_on", "issued_on", "institution",
            "shadow_days"} <= set(answer)
    # The credential's facts.
    assert answer["achievement"]["name"]
    assert answer["achievement"]["criteria"]
    assert answer["achievement"]["issuer"] == certificate.snapshot["institution"]
    assert answer["organisers"] == certificate.snapshot["organisers"]
    assert answer["credential_status"] == {"status": "valid", "reason": None, "since": None}
    # The PDF as issued: its hash and who signed it.
    [entry] = answer["pdfs"]
    assert entry["language"] == "en"
    assert entry["sha256"] == hashlib.sha256(pdf).hexdigest()
    facts = signature_facts(pdf)
    assert entry["signature"]["signer"] == facts.signer_subject
    assert entry["signature"]["intact"] is True
    assert entry["signature"]["certificate_sha256"] == facts.certificate_sha256
    assert answer["signing_certificate_sha256"] == facts.certificate_sha256
    # The credential by code: the same bytes the learner downloads.
    jwt = client.get(answer["credential"]["jwt"].removeprefix("http://localhost"))
    assert jwt.status_code == 200 and jwt.mimetype == "application/jwt"
    document = json.loads(client.get(answer["credential"]["json"]
                                     .removeprefix("http://localhost")).data)
    assert "OpenBadgeCredential" in document["type"]


def test_the_page_shows_the_facts_hash_and_signer(app, client, lms):
    _ltik, certificate, pdf = issued(client, lms, app)
    page = client.get(f"/verify/{certificate.verification_code}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This certificate is valid" in page
    assert hashlib.sha256(pdf).hexdigest() in page
    assert signature_facts(pdf).certificate_sha256 in page
    assert "Achievement" in page and "Criteria" in page
    assert f"/verify/{certificate.verification_code}/credential.jwt" in page



def test_the_criteria_read_as_a_list_and_the_date_in_the_reader_s_language(app, client, lms):
    _ltik, certificate, _pdf = issued(client, lms, app)
    valid_from = certificate.issued_at
    for language, month in (("en", valid_from.strftime("%b")), ("nl", None)):
        page = client.get(f"/verify/{certificate.verification_code}",
                          headers={"Accept-Language": language}).get_data(as_text=True)
        criteria = page.split('<dd class="prose">', 1)[1].split("</dd>", 1)[0]
        # The criteria's Markdown rules (one per line) are a list, not "- " text.
        assert "<li>" in criteria and "\n- " not in criteria
        # Valid from: a date as the page writes dates, not the credential's ISO text.
        assert valid_from.date().isoformat() not in page.split("Achievement", 1)[-1]
        if month:
            assert f"{valid_from.day} {month} {valid_from.year}" in page

def test_a_revoked_certificate_says_so_with_the_date_not_the_trainer_s_words(app, client, lms):
    _ltik, certificate, _pdf = issued(client, lms, app)
    revoke(client, lms, certificate, reason="Private note about Anna")
    response = client.get(f"/verify/{certificate.verification_code}", headers=JSON)
    status = response.get_json()["credential_status"]
    assert status["status"] == "revoked" and status["reason"] == "revoked_by_issuer"
    assert status["since"]
    assert b"Private note" not in response.data
    page = client.get(f"/verify/{certificate.verification_code}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The issuer revoked it on" in page and "Private note" not in page


def test_a_replaced_certificate_says_so(app, client, lms):
    _ltik, certificate, _pdf = issued(client, lms, app)
    reissue(client, lms, certificate, "Anna de Vries-Bakker")
    status = client.get(f"/verify/{certificate.verification_code}",
                        headers=JSON).get_json()["credential_status"]
    assert status["status"] == "superseded"
    assert status["reason"] == "replaced_by_corrected_certificate"


def test_with_an_email_hash_the_credential_stays_the_learner_s(app, client, lms):
    from tests.learning.helpers import form_tokens

    ltik, certificate, _pdf = issued(client, lms, app)
    code = certificate.verification_code
    assert client.get(f"/verify/{code}/credential.jwt").status_code == 200
    token = form_tokens(client.get(f"/certificate?ltik={ltik}").get_data(as_text=True))["csrf_token"]
    client.post(f"/certificate/{certificate.id}/email-choice?ltik={ltik}",
                data={"csrf_token": token, "include_email": "y"})
    assert client.get(f"/verify/{code}/credential.jwt").status_code == 404
    assert client.get(f"/verify/{code}/credential.json").status_code == 404
    assert client.get(f"/verify/{code}", headers=JSON).get_json()["credential"] is None
    # The page itself still verifies.
    assert client.get(f"/verify/{code}", headers=JSON).get_json()["status"] == "valid"


def test_an_unknown_code_s_credential_is_not_found(app, client, lms):
    assert client.get("/verify/0000-0000-0000-0000-0/credential.jwt").status_code == 404
