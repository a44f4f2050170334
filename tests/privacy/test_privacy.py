"""GDPR: export all of one person's data, erase it (certificates stay verifiable),
retention, and logs that carry ids only."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from sqlalchemy import func, select

from course_content.loader import load_catalog

from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from lti_app.learning.models import ModuleProgress, QuizAttempt
from lti_app.people.models import Enrollment, Person
from lti_app.shadowing.models import ShadowDay
from lti_app.timeutil import utc_now
from tests.issuing.helpers import complete_course
from tests.issuing.test_certificates import _get_certificate
from tests.learning.helpers import first_module, launch_ltik, right_answers, submit_quiz


def _person_id(app, sub):
    with app.app_context():
        return db.session.scalar(select(Person.id).where(Person.sub == sub))


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _learner_with_everything(app, client, lms, sub="anna"):
    ltik = launch_ltik(client, lms, sub=sub, locale="en")
    submit_quiz(client, ltik, first_module(), right_answers(first_module()))
    complete_course(app, sub)
    _get_certificate(client, ltik, name="Anna de Vries")
    return ltik


def test_export_holds_all_data_of_one_person(app, client, lms, runner):
    _learner_with_everything(app, client, lms)
    launch_ltik(client, lms, sub="someone-else", name="Bram Jansen")
    result = runner.invoke(args=["privacy", "export", "--person", str(_person_id(app, "anna"))])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["person"]["name"] == "Anna de Vries" and data["person"]["email"] == "anna@example.edu"
    modules = load_catalog().courses["library-basics"].published_modules
    assert len(data["module_progress"]) == len(modules) and len(data["quiz_attempts"]) == 1
    assert len(data["shadowing_days"]) == 2 and len(data["certificates"]) == 1
    assert "Bram" not in result.output


def test_erase_removes_everything_but_keeps_a_valid_certificate_verifiable(app, client, lms, runner):
    _learner_with_everything(app, client, lms)
    launch_ltik(client, lms, sub="bram", name="Bram Jansen")
    with app.app_context():
        code = db.session.scalars(select(Certificate.verification_code)).one()
    person_id = _person_id(app, "anna")
    result = runner.invoke(args=["privacy", "erase", "--person", str(person_id), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert (person.name, person.email, person.given_name) == (None, None, None)
        assert person.sub == f"erased-{person_id}"
        assert db.session.scalar(select(func.count()).select_from(Enrollment)
                                 .where(Enrollment.person_id == person_id)) == 0
    for model in (ModuleProgress, QuizAttempt, ShadowDay):
        assert _count(app, model) == 0
    assert _count(app, Person) == 2  # Bram untouched, Anna anonymous
    data = app.test_client().get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert data["status"] == "valid" and data["name"] == "Anna de Vries"


def test_erase_unknown_person_fails_clearly(runner):
    result = runner.invoke(args=["privacy", "erase", "--person", "999", "--yes"])
    assert result.exit_code != 0 and "no person with id 999" in result.output


def test_retention_erases_only_inactive_people(app, client, lms, runner):
    launch_ltik(client, lms, sub="old")
    launch_ltik(client, lms, sub="recent")
    with app.app_context():
        old = db.session.scalars(select(Person).where(Person.sub == "old")).one()
        old.last_seen_at = utc_now() - timedelta(days=800)
        db.session.commit()
    dry = runner.invoke(args=["privacy", "purge-inactive", "--days", "730", "--dry-run"])
    assert "1 inactive" in dry.output and _person_id(app, "old") is not None
    result = runner.invoke(args=["privacy", "purge-inactive", "--days", "730"])
    assert result.exit_code == 0 and "1 inactive" in result.output
    assert _person_id(app, "old") is None and _person_id(app, "recent") is not None


def test_logs_carry_ids_not_names_or_emails(app, client, lms, caplog):
    caplog.set_level(logging.DEBUG)
    _learner_with_everything(app, client, lms)
    text = caplog.text
    assert "Anna" not in text and "anna@example.edu" not in text
    assert "launch person=" in text
