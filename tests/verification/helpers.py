"""A learner with an issued certificate, for the verification tests."""

from __future__ import annotations

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from tests.fake_lms import INSTRUCTOR
from tests.issuing.helpers import complete_course
from tests.learning.helpers import form_tokens, launch_ltik


def issued(client, lms, app, *, sub="anna", name="Anna de Vries", locale="en"):
    """(the learner's ltik, the certificate, its stored PDF bytes)."""
    ltik = launch_ltik(client, lms, sub=sub, name=name, locale=locale)
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
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, name="Carla Visser",
                          locale="en")
    token = form_tokens(client.get(f"/trainer/certificates?ltik={trainer}")
                        .get_data(as_text=True))["csrf_token"]
    response = client.post(f"/trainer/certificates/{certificate.id}/revoke?ltik={trainer}",
                           data={"csrf_token": token, "reason": reason})
    assert response.status_code == 302


def reissue(client, lms, certificate, name):
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, name="Carla Visser",
                          locale="en")
    token = form_tokens(client.get(f"/trainer/certificates?ltik={trainer}")
                        .get_data(as_text=True))["csrf_token"]
    response = client.post(f"/trainer/certificates/{certificate.id}/reissue?ltik={trainer}",
                           data={"csrf_token": token, "learner_name": name})
    assert response.status_code == 302
