"""A revoked certificate stays revoked: the learner's page says so and whom to
ask, a forged request to issue changes nothing, the trainer issues again only
deliberately. Before issue, the learner sees what will be printed."""

from __future__ import annotations

import html
import subprocess

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from tests.db_snapshot import snapshot
from tests.fake_lms import INSTRUCTOR
from tests.issuing.helpers import complete_course
from tests.learning.helpers import form_tokens, launch_ltik


def _token(client, ltik, path="/course"):
    return form_tokens(client.get(f"{path}?ltik={ltik}").get_data(as_text=True))["csrf_token"]


def _ask(client, ltik, name="Anna de Vries", language="en", **extra):
    return client.post(f"/certificate?ltik={ltik}", data={
        "csrf_token": _token(client, ltik), "learner_name": name, "language": language, **extra})


def _enrollment_id(app, sub):
    from lti_app.people.models import Enrollment, Person

    with app.app_context():
        return db.session.scalar(select(Enrollment.id).join(Person).where(Person.sub == sub))


def _certificates(app):
    with app.app_context():
        rows = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        return [(c.id, c.state, c.verification_code, c.learner_name) for c in rows]


def _revoked(app, client, lms, reason="Modules passed on someone else's account"):
    learner = launch_ltik(client, lms, sub="anna", locale="en", name="Anna de Vries")
    complete_course(app, "anna")
    assert _ask(client, learner).status_code == 302
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, name="Carla Visser",
                          locale="en")
    page = client.get(f"/trainer/certificates?ltik={trainer}").get_data(as_text=True)
    assert "Reason (the learner sees it)" in page  # the trainer is told before revoking
    (certificate_id, *_), = _certificates(app)
    response = client.post(f"/trainer/certificates/{certificate_id}/revoke?ltik={trainer}",
                           data={"csrf_token": form_tokens(page)["csrf_token"], "reason": reason})
    assert response.status_code == 302
    return learner, trainer


def test_the_learner_sees_the_revocation_and_cannot_get_it_again(app, client, lms):
    learner, _trainer = _revoked(app, client, lms)
    page = html.unescape(client.get(f"/certificate?ltik={learner}").get_data(as_text=True))
    assert "Your certificate was revoked on" in page
    assert "Reason: Modules passed on someone else's account" in page
    assert "Ask your trainer" in page
    assert "Get my certificate" not in page and "What your certificate will say" not in page

    before = snapshot(app)
    for name in ("Anna de Vries", "Anna Maria de Vries"):  # issued at once / a name request
        response = _ask(client, learner, name=name)
        text = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "Nothing was issued: your certificate for this course was revoked." in text
        assert "Ask your trainer" in text  # the page, not a bare error
    assert snapshot(app) == before


def test_the_trainer_issues_again_only_when_confirmed(app, client, lms):
    learner, trainer = _revoked(app, client, lms)
    [(old_id, old_state, old_code, _)] = _certificates(app)
    page = client.get(f"/trainer/certificates?ltik={trainer}").get_data(as_text=True)
    assert "revoked" in page and "Issue again" in page
    token = form_tokens(page)["csrf_token"]
    enrollment_id = _enrollment_id(app, "anna")

    before = snapshot(app)
    # The ordinary "Issue" button (a stale page) and "Issue again" without the tick.
    plain = client.post(f"/trainer/certificates/issue/{enrollment_id}?ltik={trainer}",
                        data={"csrf_token": token})
    unticked = client.post(f"/trainer/certificates/issue-again/{enrollment_id}?ltik={trainer}",
                           data={"csrf_token": token, "learner_name": "Anna de Vries"})
    assert plain.status_code == unticked.status_code == 302
    assert snapshot(app) == before
    shown = html.unescape(client.get(f"/trainer/certificates?ltik={trainer}").get_data(as_text=True))
    assert "This certificate was revoked" in shown and "Tick the confirmation" in shown

    again = client.post(f"/trainer/certificates/issue-again/{enrollment_id}?ltik={trainer}",
                        data={"csrf_token": token, "learner_name": "Anna de Vries",
                              "confirm": "y"})
    assert again.status_code == 302
    (_, state, code, _), (new_id, new_state, new_code, name) = _certificates(app)
    assert (state, code) == ("revoked", old_code)  # the old one stays revoked
    assert new_state == "valid" and new_code != old_code and name == "Anna de Vries"
    public = app.test_client()
    assert public.get(f"/verify/{old_code}", headers={"Accept": "application/json"}
                      ).get_json()["status"] == "revoked"
    assert public.get(f"/verify/{new_code}", headers={"Accept": "application/json"}
                      ).get_json()["status"] == "valid"
    page = client.get(f"/certificate?ltik={learner}").get_data(as_text=True)
    assert f"/certificate/{new_id}.pdf" in page and "was revoked" not in page


def test_a_learner_of_another_course_is_not_blocked(app, client, lms):
    _revoked(app, client, lms)
    bram = launch_ltik(client, lms, sub="bram", locale="en", name="Bram Jansen")
    complete_course(app, "bram")
    page = client.get(f"/certificate?ltik={bram}").get_data(as_text=True)
    assert "Get my certificate" in page and "revoked" not in page
    assert _ask(client, bram, name="Bram Jansen").status_code == 302


def _pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True,
                          check=True)
    return " ".join(done.stdout.decode().split())


def _preview_lines(page: str) -> dict[str, str]:
    import re

    block = page.split('class="card certificate-preview"', 1)[1].split("</div>", 1)[0]
    found = {}
    for name in ("preview-name", "preview-course", "preview-date", "preview-issuer"):
        match = re.search(rf'class="{name}">(?:<strong>)?(.*?)(?:</strong>)?</p>', block)
        found[name] = html.unescape(match.group(1))
    return found


def test_the_preview_says_what_the_pdf_prints(app, client, lms):
    ltik = launch_ltik(client, lms, sub="anna", locale="nl", name="Anna de Vries")
    complete_course(app, "anna")
    page = client.get(f"/certificate?ltik={ltik}").get_data(as_text=True)
    shown = _preview_lines(page)
    assert shown["preview-name"] == "Anna de Vries"
    assert shown["preview-course"] == "Library Basics"
    assert shown["preview-date"].startswith("afgerond op ")
    assert shown["preview-issuer"].startswith("Uitgegeven door ")
    assert "http://localhost/verify " in page  # where it will be publicly verifiable

    # Another name and language: the preview follows, nothing is saved.
    before = snapshot(app)
    response = client.post(f"/certificate?ltik={ltik}", data={
        "csrf_token": form_tokens(page)["csrf_token"], "learner_name": "Anna  de Vries",
        "language": "en", "preview": "Update"})
    assert response.status_code == 200 and snapshot(app) == before
    english = _preview_lines(response.get_data(as_text=True))
    assert english["preview-date"].startswith("on ")
    assert english["preview-issuer"].startswith("Issued by ")

    assert _ask(client, ltik, name="Anna de Vries", language="en").status_code == 302
    (certificate_id, *_), = _certificates(app)
    text = _pdf_text(client.get(f"/certificate/{certificate_id}.pdf?ltik={ltik}").data)
    for value in english.values():
        assert value in text, value
    dutch = _pdf_text(client.get(f"/certificate/{certificate_id}.pdf?lang=nl&ltik={ltik}").data)
    for value in shown.values():
        assert value in dutch, value


def test_a_name_other_than_the_lms_still_waits_for_the_trainer(app, client, lms):
    ltik = launch_ltik(client, lms, sub="anna", locale="en", name="Anna de Vries")
    complete_course(app, "anna")
    preview = client.post(f"/certificate?ltik={ltik}", data={
        "csrf_token": _token(client, ltik), "learner_name": "Anna Maria de Vries",
        "language": "en", "preview": "Update"})
    text = preview.get_data(as_text=True)
    assert _preview_lines(text)["preview-name"] == "Anna Maria de Vries"
    assert ("This certificate will be publicly verifiable at http://localhost/verify by anyone"
            " who has its code") in text
    assert _ask(client, ltik, name="Anna Maria de Vries").status_code == 302
    assert _certificates(app) == []
    page = client.get(f"/certificate?ltik={ltik}").get_data(as_text=True)
    assert "waiting for your trainer" in page
