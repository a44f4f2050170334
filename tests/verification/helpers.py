"""A learner with an issued certificate, for the verification tests."""

from __future__ import annotations

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from tests.fake_lms import INSTRUCTOR
from tests.issuing.helpers import complete_course
from tests.learning.helpers import form_tokens, launch_ltik


def issued(client, lms, app, *, sub="anna", name="Anna de Vries", locale="en", email=None):
    """(the learner's ltik, the certificate, its stored PDF bytes)."""
    extra = {"email": email} if email else {}
    ltik = launch_ltik(client, lms, sub=sub, name=name, locale=locale, **extra)
    complete_course(app, sub)
    token = form_tokens(client.get(f"/certificate?ltik={ltik}").get_data(as_text=True))["csrf_token"]
    response = client.post(f"/certificate?ltik={ltik}", data={
        "csrf_token": token, "learner_name": name, "language": locale})
    assert response.status_code == 302
    with app.app_context():
        certificate = db.session.scalars(select(Certificate).where(
            Certificate.learner_name == name)).one()
        pdf = certificate.pdfs[0].pdf
        db.session.expunge(certificate)
    return ltik, certificate, pdf


def revoke(client, lms, certificate, reason="Quiz answers were shared"):
    _as_trainer(client, lms, f"{certificate.id}/revoke", {"reason": reason})


def reissue(client, lms, certificate, name):
    _as_trainer(client, lms, f"{certificate.id}/reissue", {"learner_name": name})


def _as_trainer(client, lms, action: str, data: dict) -> None:
    """POST /trainer/certificates/<action> as the course's trainer, with the form's token."""
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, name="Carla Visser",
                          locale="en")
    token = form_tokens(client.get(f"/trainer/certificates?ltik={trainer}")
                        .get_data(as_text=True))["csrf_token"]
    response = client.post(f"/trainer/certificates/{action}?ltik={trainer}",
                           data={"csrf_token": token, **data})
    assert response.status_code == 302
