"""Certificates: only when the rules are met, one per learner and course, revoke,
re-issue, verify; the PDF itself is checked."""

from __future__ import annotations

import hashlib
import json
import io
import re

import pypdf
from sqlalchemy import func, select

from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from tests.db_snapshot import snapshot
from tests.fake_lms import INSTRUCTOR
from tests.issuing.helpers import complete_course, finished_job
from tests.learning.helpers import form_tokens, launch_ltik

HOSTILE = "<img src=x onerror=alert(1)> Maria Johanna Elisabeth van den Berg-Çelik"


def _get_certificate(client, ltik, name="Anna de Vries", language="nl"):
    url = f"/certificate?ltik={ltik}"
    token = form_tokens(client.get(f"/course?ltik={ltik}").get_data(as_text=True))["csrf_token"]
    return client.post(url, data={"csrf_token": token, "learner_name": name,
                                  "language": language})


def _pdf_text(data: bytes) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)  # names and codes may wrap


def _only_certificate(app):
    with app.app_context():
        certificate = db.session.scalars(select(Certificate)).one()
        db.session.expunge(certificate)
        return certificate


def test_no_certificate_before_the_rules_are_met(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    complete_course(app, "user-1", shadow_days=1)  # one day short
    page = client.get(f"/certificate?ltik={ltik}").get_data(as_text=True)
    assert "Confirmed shadowing days: 1 of 2" in page and "Get my certificate" not in page
    before = snapshot(app)
    token = form_tokens(client.get(f"/course?ltik={ltik}").get_data(as_text=True))["csrf_token"]
    response = client.post(f"/certificate?ltik={ltik}", data={
        "csrf_token": token, "learner_name": "Anna", "language": "en"})
    assert response.status_code == 403
    assert snapshot(app) == before


def test_learner_gets_one_certificate_and_the_pdf_says_it(app, client, lms):
    ltik = launch_ltik(client, lms, locale="nl", name=HOSTILE)  # the name the LMS sends
    complete_course(app, "user-1")
    assert _get_certificate(client, ltik, name=HOSTILE).status_code == 302
    certificate = _only_certificate(app)
    # A short code a person can type: 4 groups of 4 and a check character.
    assert re.fullmatch(r"(?:[0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]",
                        certificate.verification_code)

    response = client.get(f"/certificate/{certificate.id}.pdf?ltik={ltik}&download=1")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text, pages = _pdf_text(response.data)
    assert pages == 1
    assert "Maria Johanna Elisabeth" in text and "onerror" in text  # printed as text
    assert "Library Basics" in text
    assert certificate.verification_code in text.replace(" ", "")
    assert response.headers["X-Content-SHA256"] == hashlib.sha256(response.data).hexdigest()

    # Asking again gives the same certificate and the same bytes.
    _get_certificate(client, ltik, name="Someone Else")
    again = client.get(f"/certificate/{certificate.id}.pdf?ltik={ltik}")
    assert again.data == response.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_other_language_is_available(app, client, lms):
    ltik = launch_ltik(client, lms, locale="nl")
    complete_course(app, "user-1", "licence-negotiation")
    ltik = launch_ltik(client, lms, locale="nl", custom={"course": "licence-negotiation"},
                       resource_link_id="ln")
    _get_certificate(client, ltik, language="nl")
    certificate = _only_certificate(app)
    dutch, _ = _pdf_text(client.get(f"/certificate/{certificate.id}.pdf?ltik={ltik}").data)
    english, _ = _pdf_text(client.get(f"/certificate/{certificate.id}.pdf?lang=en&ltik={ltik}").data)
    assert "Licentieonderhandelingen" in dutch and "Licence negotiation" in english


def test_verification_page_and_json(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    complete_course(app, "user-1")
    _get_certificate(client, ltik, name="Anna de Vries")
    code = _only_certificate(app).verification_code
    public = app.test_client()
    page = public.get(f"/verify/{code}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "This certificate is valid" in text
    assert "Anna de Vries" in text and "Library Basics" in text
    assert "anna@example.edu" not in text and "ltik" not in text
    data = public.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert data["status"] == "valid" and data["name"] == "Anna de Vries"
    # Today's fields stay; the credential's facts are added (tests/verification).
    assert {"status", "name", "course", "course_title", "completed_on", "issued_on",
            "institution", "shadow_days"} <= set(data)
    assert "anna@example.edu" not in json.dumps(data)
    unknown = public.get("/verify/not-a-real-code", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and unknown.get_json()["status"] == "unknown"


def test_trainer_revokes_and_reissues(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", locale="en", name="Ana de Vries")  # a typo in the LMS
    complete_course(app, "anna")
    _get_certificate(client, learner, name="Ana de Vries")
    old = _only_certificate(app)
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, name="Carla Visser",
                          locale="en")
    page = client.get(f"/trainer/certificates?ltik={trainer}").get_data(as_text=True)
    assert "Ana de Vries" in page
    token = form_tokens(page)["csrf_token"]
    response = client.post(f"/trainer/certificates/{old.id}/reissue?ltik={trainer}",
                           data={"csrf_token": token, "learner_name": "Anna de Vries"})
    assert response.status_code == 302
    public = app.test_client()
    assert "replaced" in public.get(f"/verify/{old.verification_code}",
                                    headers={"Accept-Language": "en"}).get_data(as_text=True)
    with app.app_context():
        new = db.session.scalars(select(Certificate).where(Certificate.id != old.id)).one()
        new_code, new_id = new.verification_code, new.id
    assert new_code != old.verification_code
    response = client.post(f"/trainer/certificates/{new_id}/revoke?ltik={trainer}",
                           data={"csrf_token": token, "reason": "Issued by mistake"})
    assert response.status_code == 302
    data = public.get(f"/verify/{new_code}", headers={"Accept": "application/json"}).get_json()
    assert data["status"] == "revoked"
    # The revocation sticks: the learner cannot get a new one (tests/issuing/test_revocation.py).
    assert _get_certificate(client, learner, name="Ana de Vries").status_code == 409


def test_trainer_issues_by_hand_only_when_rules_allow(app, client, lms):
    launch_ltik(client, lms, sub="bram", name="Bram Jansen")
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR)
    token = form_tokens(client.get(f"/trainer/certificates?ltik={trainer}").get_data(as_text=True))["csrf_token"]
    with app.app_context():
        from lti_app.people.models import Enrollment, Person

        enrollment_id = db.session.scalar(select(Enrollment.id).join(Person).where(Person.sub == "bram"))
    before = snapshot(app)
    refused = client.post(f"/trainer/certificates/issue/{enrollment_id}?ltik={trainer}",
                          data={"csrf_token": token})
    assert refused.status_code == 403 and snapshot(app) == before
    complete_course(app, "bram")
    assert client.post(f"/trainer/certificates/issue/{enrollment_id}?ltik={trainer}",
                       data={"csrf_token": token}).status_code == 302
    certificate = _only_certificate(app)
    assert certificate.learner_name == "Bram Jansen"


def test_zip_of_all_certificates_with_progress(app, client, lms):
    import zipfile

    for sub in ("a", "b", "c"):
        ltik = launch_ltik(client, lms, sub=sub, name=f"Learner {sub.upper()}")
        complete_course(app, sub)
        _get_certificate(client, ltik, name=f"Learner {sub.upper()}")
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR)
    token = form_tokens(client.get(f"/trainer/certificates?ltik={trainer}").get_data(as_text=True))["csrf_token"]
    response = client.post(f"/trainer/certificates/zip?ltik={trainer}", data={"csrf_token": token})
    job_url = response.headers["Location"]
    assert "/trainer/jobs/" in job_url
    assert client.get(job_url).status_code == 200
    status = finished_job(client, job_url)
    assert status["status"] == "done" and status["done"] == status["total"] == 3
    archive = zipfile.ZipFile(io.BytesIO(client.get(status["download"]).data))
    assert sorted(archive.namelist()) == [f"Learner-{x}-library-basics.pdf" for x in "ABC"]


def test_learner_cannot_reach_others_certificates_or_trainer_actions(app, client, lms):
    anna = launch_ltik(client, lms, sub="anna")
    complete_course(app, "anna")
    _get_certificate(client, anna)
    certificate = _only_certificate(app)
    bram = launch_ltik(client, lms, sub="bram")
    assert client.get(f"/certificate/{certificate.id}.pdf?ltik={bram}").status_code == 404
    assert client.get(f"/trainer/certificates?ltik={bram}").status_code == 403
    before = snapshot(app)
    token = form_tokens(client.get(f"/course?ltik={bram}").get_data(as_text=True))["csrf_token"]
    assert client.post(f"/trainer/certificates/{certificate.id}/revoke?ltik={bram}",
                       data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert snapshot(app) == before


def test_trainer_of_another_course_cannot_touch_it(app, client, lms):
    anna = launch_ltik(client, lms, sub="anna", context_id="course-A")
    complete_course(app, "anna")
    _get_certificate(client, anna)
    certificate = _only_certificate(app)
    other = launch_ltik(client, lms, sub="t", roles=INSTRUCTOR, context_id="course-B")
    assert client.get(f"/trainer/certificates/{certificate.id}.pdf?ltik={other}").status_code == 404
    before = snapshot(app)
    token = form_tokens(client.get(f"/trainer/certificates?ltik={other}").get_data(as_text=True))["csrf_token"]
    response = client.post(f"/trainer/certificates/{certificate.id}/revoke?ltik={other}",
                           data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 404 and snapshot(app) == before


def test_name_too_long_is_refused_in_the_users_language(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    complete_course(app, "user-1")
    response = _get_certificate(client, ltik, name="x" * 121)
    assert response.status_code == 422 and "x" * 121 in response.get_data(as_text=True)
