"""Who vouches for a certificate: a made-up printed name waits for the trainer,
the PDF and /verify name the issuing institution (frozen at issue), and a day a
trainer confirmed is shown as such."""

from __future__ import annotations

import io

import pypdf
from sqlalchemy import select, update

from lti_app.extensions import db
from lti_app.issuing.models import Certificate, NameRequest
from lti_app.platforms.models import Platform
from lti_app.shadowing.models import ShadowDay
from tests.db_snapshot import snapshot
from tests.fake_lms import INSTRUCTOR
from tests.issuing.helpers import complete_course
from tests.learning.helpers import form_tokens, launch_ltik

FORGED = "Prof. dr. Anybody You Like"


def _ask(client, ltik, name, language="en"):
    token = form_tokens(client.get(f"/certificate?ltik={ltik}").get_data(as_text=True))["csrf_token"]
    return client.post(f"/certificate?ltik={ltik}",
                       data={"csrf_token": token, "learner_name": name, "language": language})


def _certificates(app):
    with app.app_context():
        rows = db.session.execute(select(Certificate.learner_name, Certificate.verification_code))
        result = list(rows)
        db.session.remove()
        return result


def _trainer(client, lms, **kwargs):
    ltik = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, name="Carla Visser",
                       locale="en", **kwargs)
    page = client.get(f"/trainer/certificates?ltik={ltik}").get_data(as_text=True)
    return ltik, page, form_tokens(page)["csrf_token"]


def _request_id(app):
    with app.app_context():
        return db.session.scalars(select(NameRequest.id)).one()


def _set_institution(app, value):
    with app.app_context():
        db.session.execute(update(Platform).values(institution=value))
        db.session.commit()


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_made_up_name_is_not_issued_but_waits_for_the_trainer(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", name="Anna de Vries", locale="en")
    complete_course(app, "anna")
    before = snapshot(app)
    response = _ask(client, learner, FORGED)
    assert response.status_code == 302
    assert _certificates(app) == []  # nothing issued, nothing to verify
    changed = {t for t, rows in snapshot(app).items() if rows != before[t]}
    assert changed == {"certificate_name_requests"}
    page = client.get(f"/certificate?ltik={learner}").get_data(as_text=True)
    assert "Your certificate is waiting for your trainer's approval." in page
    assert FORGED in page and "Anna de Vries" in page
    assert "Download (PDF" not in page

    # The trainer sees it and approves: only then is it issued, with that name.
    trainer, page, token = _trainer(client, lms)
    assert "Names waiting for your approval" in page and FORGED in page
    request_id = _request_id(app)
    response = client.post(f"/trainer/certificates/names/{request_id}/approve?ltik={trainer}",
                           data={"csrf_token": token})
    assert response.status_code == 302
    [(name, code)] = _certificates(app)
    assert name == FORGED
    page = client.get(f"/certificate?ltik={learner}").get_data(as_text=True)
    assert "Download (PDF" in page
    assert client.get(f"/verify/{code}", headers={"Accept": "application/json"}
                      ).get_json()["status"] == "valid"


def test_the_waiting_page_speaks_dutch(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", name="Anna de Vries", locale="nl")
    complete_course(app, "anna")
    _ask(client, learner, FORGED, language="nl")
    page = client.get(f"/certificate?ltik={learner}").get_data(as_text=True)
    assert '<html lang="nl"' in page
    assert "Je certificaat wacht op goedkeuring van je trainer." in page


def test_a_refused_name_shows_the_reason_and_issues_nothing(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", name="Anna de Vries", locale="en")
    complete_course(app, "anna")
    _ask(client, learner, FORGED)
    trainer, _page, token = _trainer(client, lms)
    request_id = _request_id(app)
    before = snapshot(app)
    no_reason = client.post(f"/trainer/certificates/names/{request_id}/refuse?ltik={trainer}",
                            data={"csrf_token": token, "reason": "  "})
    assert no_reason.status_code == 302 and snapshot(app) == before
    response = client.post(f"/trainer/certificates/names/{request_id}/refuse?ltik={trainer}",
                           data={"csrf_token": token,
                                 "reason": "Please use your name as registered with HR."})
    assert response.status_code == 302
    assert _certificates(app) == []
    page = client.get(f"/certificate?ltik={learner}").get_data(as_text=True)
    assert f"Your trainer did not approve the name “{FORGED}”." in page
    assert "Please use your name as registered with HR." in page
    # A refused request cannot be approved afterwards.
    again = client.post(f"/trainer/certificates/names/{request_id}/approve?ltik={trainer}",
                        data={"csrf_token": token})
    assert again.status_code == 409 and _certificates(app) == []
    # The learner may ask again with the LMS's name: issued at once.
    assert _ask(client, learner, "Anna de Vries").status_code == 302
    assert [name for name, _code in _certificates(app)] == ["Anna de Vries"]


def test_case_and_spacing_do_not_make_another_name(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", name="Anna de Vries", locale="en")
    complete_course(app, "anna")
    assert _ask(client, learner, "  anna   DE vries ").status_code == 302
    assert [name for name, _code in _certificates(app)] == ["anna DE vries"]


def test_without_a_name_from_the_lms_the_trainer_checks_it(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", name=None, given_name=None,
                          family_name=None, locale="en")
    complete_course(app, "anna")
    assert _ask(client, learner, "Anna de Vries").status_code == 302
    assert _certificates(app) == []
    assert "waiting for your trainer" in client.get(f"/certificate?ltik={learner}").get_data(as_text=True)


def test_only_the_courses_trainer_can_approve(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", name="Anna de Vries", context_id="course-A")
    complete_course(app, "anna")
    _ask(client, learner, FORGED)
    request_id = _request_id(app)
    before = snapshot(app)
    # The learner herself.
    token = form_tokens(client.get(f"/course?ltik={learner}").get_data(as_text=True))["csrf_token"]
    own = client.post(f"/trainer/certificates/names/{request_id}/approve?ltik={learner}",
                      data={"csrf_token": token})
    assert own.status_code == 403
    # The trainer of another LMS course.
    other, _page, token = _trainer(client, lms, context_id="course-B")
    response = client.post(f"/trainer/certificates/names/{request_id}/approve?ltik={other}",
                           data={"csrf_token": token})
    assert response.status_code == 404
    before_other = {k: v for k, v in before.items()}
    after = snapshot(app)
    # Only the other trainer's own launch was recorded; no certificate, no decision.
    assert after["certificates"] == before_other["certificates"] == []
    assert after["certificate_name_requests"] == before_other["certificate_name_requests"]


def test_certificate_and_verify_name_the_institution_frozen_at_issue(app, client, lms):
    _set_institution(app, "Universiteit van Amsterdam")
    learner = launch_ltik(client, lms, sub="anna", name="Anna de Vries", locale="en")
    complete_course(app, "anna")
    _ask(client, learner, "Anna de Vries")
    [(_name, code)] = _certificates(app)
    with app.app_context():
        certificate_id = db.session.scalars(select(Certificate.id)).one()
    text = _pdf_text(client.get(f"/certificate/{certificate_id}.pdf?lang=en&ltik={learner}").data)
    assert "Issued by Universiteit van Amsterdam" in text
    dutch = _pdf_text(client.get(f"/certificate/{certificate_id}.pdf?lang=nl&ltik={learner}").data)
    assert "Uitgegeven door Universiteit van Amsterdam" in dutch

    _set_institution(app, "Somewhere Else")  # later changes do not rewrite history
    public = app.test_client()
    page = public.get(f"/verify/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Issued by" in page and "Universiteit van Amsterdam" in page
    assert "Somewhere Else" not in page
    assert "It is not an exam taken under supervision." in page
    data = public.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert data["institution"] == "Universiteit van Amsterdam"


def test_without_an_institution_the_registration_name_is_used(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", name="Anna de Vries")
    complete_course(app, "anna")
    _ask(client, learner, "Anna de Vries")
    [(_name, code)] = _certificates(app)
    data = app.test_client().get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert data["institution"] == lms.platform.product  # the registration's name


def test_an_older_certificate_names_no_institution(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", name="Anna de Vries")
    complete_course(app, "anna")
    _ask(client, learner, "Anna de Vries")
    with app.app_context():
        certificate = db.session.scalars(select(Certificate)).one()
        old = {k: v for k, v in certificate.snapshot.items() if k != "institution"}
        old["shadow_days"] = [day[:2] for day in old["shadow_days"]]  # as issued before
        certificate.snapshot = old
        code = certificate.verification_code
        db.session.commit()
    public = app.test_client()
    page = public.get(f"/verify/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This certificate is valid" in page
    assert "Issued by" not in page and "moodle" not in page
    assert "— confirmed by" not in page  # not recorded then: nothing claimed
    data = public.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert data["institution"] is None
    assert {d["confirmed_by"] for d in data["shadow_days"]} == {None}


def test_a_day_the_trainer_confirmed_is_shown_as_such(app, client, lms):
    learner = launch_ltik(client, lms, sub="anna", name="Anna de Vries", locale="en")
    complete_course(app, "anna")
    with app.app_context():
        first = db.session.scalars(select(ShadowDay).order_by(ShadowDay.day)).first()
        first.decided_by, first.decided_by_name = "trainer", "Carla Visser"
        trainer_day = first.day.isoformat()
        db.session.commit()
    _ask(client, learner, "Anna de Vries")
    [(_name, code)] = _certificates(app)
    public = app.test_client()
    data = public.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    by = {d["date"]: d["confirmed_by"] for d in data["shadow_days"]}
    assert by[trainer_day] == "trainer"
    assert sorted(by.values()) == ["host", "trainer"]
    page = public.get(f"/verify/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count("— confirmed by the course's trainer") == 1
    assert "— confirmed by the host library" in page
    with app.app_context():
        certificate_id = db.session.scalars(select(Certificate.id)).one()
    text = _pdf_text(client.get(f"/certificate/{certificate_id}.pdf?lang=en&ltik={learner}").data)
    assert text.count("(confirmed by the trainer)") == 1


def test_erasing_a_person_removes_their_name_requests_and_keeps_the_institution(
        app, client, lms, runner):
    import json

    from lti_app.people.models import Person

    _set_institution(app, "Hogeschool Utrecht")
    anna = launch_ltik(client, lms, sub="anna", name="Anna de Vries")
    complete_course(app, "anna")
    _ask(client, anna, "Anna de Vries")  # issued
    bram = launch_ltik(client, lms, sub="bram", name="Bram Jansen")
    complete_course(app, "bram")
    _ask(client, bram, "Prof. Bram J.")  # waiting
    with app.app_context():
        ids = dict(db.session.execute(select(Person.sub, Person.id)).all())
        anna_code = db.session.scalars(select(Certificate.verification_code)).one()
    export = runner.invoke(args=["privacy", "export", "--person", str(ids["bram"])])
    assert json.loads(export.output)["certificate_name_requests"][0]["requested_name"] == "Prof. Bram J."
    for sub in ("anna", "bram"):
        result = runner.invoke(args=["privacy", "erase", "--person", str(ids[sub]), "--yes"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(NameRequest)).all() == []
    data = app.test_client().get(f"/verify/{anna_code}", headers={"Accept": "application/json"}).get_json()
    assert data["status"] == "valid" and data["institution"] == "Hogeschool Utrecht"
