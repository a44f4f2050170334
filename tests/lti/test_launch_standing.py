"""A launch restates her gradebook columns only when that can change them.

A returning learner's launch in the same course, role and columns sends
nothing again; one that brings the score scope the LMS did not grant before
sends the standing she already has.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.learning.models import GradeDelivery
from lti_app.people.models import Enrollment, Person
from tests.learning.helpers import launch_ltik
from tests.learning.test_standing_scores import (
    COURSE_ITEM, SCOPES, BASE, MoodleGradebook, course, lineitem, pass_modules, settle,
)

LINEITEM_ONLY = [SCOPES[0]]  # columns, but no permission to send scores


def _launch(client, lms, scopes):
    return launch_ltik(client, lms, sub="sara", resource_link_id="course-link",
                       ags={"scope": scopes, "lineitem": lineitem(COURSE_ITEM),
                            "lineitems": BASE},
                       custom={"course": "library-basics"})


def test_a_score_scope_granted_later_sends_her_standing_on_that_launch(app, client, lms):
    gradebook = MoodleGradebook(lms)
    _launch(client, lms, LINEITEM_ONLY)
    pass_modules(app, [course().published_modules[0]])
    assert gradebook.sent_to(COURSE_ITEM) == []  # the LMS did not allow scores yet

    _launch(client, lms, SCOPES)  # the admin granted the score scope since
    settle(app)
    [score] = gradebook.sent_to(COURSE_ITEM)
    assert score["userId"] == "sara" and score["scoreGiven"] == 1.0


def test_a_returning_launch_with_nothing_changed_queues_nothing_again(app, client, lms):
    gradebook = MoodleGradebook(lms)
    _launch(client, lms, SCOPES)
    pass_modules(app, [course().published_modules[0]])
    sent = len(gradebook.sent_to(COURSE_ITEM))
    assert sent == 1
    with app.app_context():
        revisions = db.session.scalars(select(GradeDelivery.revision)).all()

    _launch(client, lms, SCOPES)
    settle(app)
    assert len(gradebook.sent_to(COURSE_ITEM)) == sent
    with app.app_context():
        assert db.session.scalars(select(GradeDelivery.revision)).all() == revisions


def test_a_first_launch_adds_her_in_one_insert_each_and_counts_nothing(app, client, lms):
    """A class's first launches (a webinar's first minutes): the person and her
    enrolment are one INSERT each with everything the launch says, and with
    nothing recorded for her yet nothing is locked or counted."""
    from tests.test_page_work import statements

    _launch(client, lms, SCOPES)  # the LMS course and its link exist
    with statements(app) as sent:
        launch_ltik(client, lms, sub="new-learner", name="Noor Bakker",
                    email="noor@example.edu", resource_link_id="course-link",
                    ags={"scope": SCOPES, "lineitem": lineitem(COURSE_ITEM), "lineitems": BASE},
                    custom={"course": "library-basics"})
    writes = [s.split("(")[0].split(" SET")[0].strip() for s in sent
              if s.startswith(("INSERT INTO persons", "INSERT INTO enrollments",
                               "UPDATE persons", "UPDATE enrollments", "SAVEPOINT"))]
    assert writes == ["INSERT INTO persons", "INSERT INTO enrollments"]
    assert not [s for s in sent if "FOR UPDATE" in s or "module_progress" in s]
    with app.app_context():
        person = db.session.scalar(select(Person).filter_by(sub="new-learner"))
        enrollment = db.session.scalars(select(Enrollment).filter_by(person_id=person.id)).one()
        assert (person.name, person.email) == ("Noor Bakker", "noor@example.edu")
        assert person.last_seen_at == enrollment.last_launch_at is not None
        assert (enrollment.role, enrollment.has_launched) == ("learner", True)
        assert db.session.scalars(select(GradeDelivery)).all() == []  # nothing to send yet


def _seen_and_opened(app, sub="sara"):
    with app.app_context():
        person = db.session.scalar(select(Person).filter_by(sub=sub))
        enrollment = db.session.scalars(select(Enrollment).filter_by(person_id=person.id)).one()
        return person.last_seen_at, enrollment.last_launch_at


def test_a_relaunch_within_the_hour_moves_her_last_launch_but_not_her_last_seen(
        app, client, lms):
    """The trainer's "last opened the tool" is every launch's; the retention
    rule's last_seen_at (days) moves once an hour at most: one UPDATE less."""
    from tests.test_page_work import statements

    _launch(client, lms, SCOPES)
    seen_before, opened_before = _seen_and_opened(app)
    with statements(app) as sent:
        _launch(client, lms, SCOPES)
    touched = [s.split(" SET")[0] for s in sent if s.startswith("UPDATE")]
    assert touched == ["UPDATE enrollments"]
    seen, opened = _seen_and_opened(app)
    assert seen == seen_before and opened > opened_before


def test_a_relaunch_after_an_hour_moves_her_last_seen_too(app, client, lms):
    _launch(client, lms, SCOPES)
    with app.app_context():
        person = db.session.scalar(select(Person).filter_by(sub="sara"))
        person.last_seen_at -= timedelta(minutes=61)
        db.session.commit()
        back_then = person.last_seen_at
    _launch(client, lms, SCOPES)
    seen, opened = _seen_and_opened(app)
    assert seen == opened and seen - back_then > timedelta(minutes=60)
