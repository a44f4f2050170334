"""A learner in two institutions' courses: each course's trainers see and decide
only the days logged in their own course."""

from __future__ import annotations

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.people.models import Context, Enrollment, Person
from lti_app.shadowing.models import ShadowDay
from tests.db_snapshot import snapshot
from tests.fake_lms import ADMIN, INSTRUCTOR
from tests.learning.helpers import launch_ltik
from tests.shadowing.test_shadowing import _add_day, _csrf, _day_id, _submit


def _enrollment_id(app, sub: str, course: str) -> int:
    with app.app_context():
        enrollment_id = db.session.scalar(
            select(Enrollment.id).join(Person, Person.id == Enrollment.person_id)
            .join(Context, Context.id == Enrollment.context_id)
            .where(Person.sub == sub, Context.lms_context_id == course)
        )
        db.session.remove()
        return enrollment_id


def test_trainer_of_another_course_of_the_same_learner_cannot_decide(app, client, lms):
    anna_a = launch_ltik(client, lms, sub="anna", context_id="course-A", locale="en")
    anna_b = launch_ltik(client, lms, sub="anna", context_id="course-B", locale="en")
    own = _day_id(_add_day(client, anna_a, host_library="leiden"))
    day_id = _day_id(_add_day(client, anna_b, host_library="utrecht"))
    _submit(client, anna_b, day_id)  # waiting for confirmation, in course B
    trainer_a = launch_ltik(client, lms, sub="trainer-a", roles=INSTRUCTOR,
                            context_id="course-A", name="Tom Trainer", locale="en")
    admin_a = launch_ltik(client, lms, sub="admin-a", roles=ADMIN,
                          context_id="course-A", name="Ada Admin", locale="en")
    before = snapshot(app)

    for ltik in (trainer_a, admin_a):
        url = f"/trainer/shadowing/{day_id}?ltik={ltik}"
        assert client.get(url).status_code == 404
        token = _csrf(client, f"/trainer/shadowing/{own}?ltik={ltik}")
        for decision in ("confirm", "decline"):
            response = client.post(url, data={"csrf_token": token, "decision": decision,
                                              "comment": "no"})
            assert response.status_code == 404
        # The lists of course A show its own day of Anna, not the one of course B.
        listing = client.get(f"/trainer/shadowing?ltik={ltik}").get_data(as_text=True)
        assert f"/trainer/shadowing/{own}?" in listing
        assert f"/trainer/shadowing/{day_id}?" not in listing and "Utrecht" not in listing
        learner = client.get(
            f"/trainer/learners/{_enrollment_id(app, 'anna', 'course-A')}?ltik={ltik}"
        )
        assert learner.status_code == 200
        page = learner.get_data(as_text=True)
        assert f"/trainer/shadowing/{own}?" in page
        assert f"/trainer/shadowing/{day_id}?" not in page and "Utrecht" not in page
    assert snapshot(app) == before

    # The trainer of course B, where the day was logged, decides it.
    trainer_b = launch_ltik(client, lms, sub="trainer-b", roles=INSTRUCTOR,
                            context_id="course-B", locale="en")
    url = f"/trainer/shadowing/{day_id}?ltik={trainer_b}"
    decided = client.post(url, data={"csrf_token": _csrf(client, url), "decision": "confirm"})
    assert decided.status_code == 302
    with app.app_context():
        assert db.session.get(ShadowDay, day_id).status == "confirmed"


def test_dashboard_counts_only_pending_days_of_its_course(app, client, lms):
    anna_b = launch_ltik(client, lms, sub="anna", context_id="course-B", locale="en")
    launch_ltik(client, lms, sub="anna", context_id="course-A", locale="en")
    day_id = _day_id(_add_day(client, anna_b))
    _submit(client, anna_b, day_id)
    from lti_app.shadowing.service import shadow_summaries

    with app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.sub == "anna"))
        course_a = db.session.scalar(select(Context.id).where(Context.lms_context_id == "course-A"))
        course_b = db.session.scalar(select(Context.id).where(Context.lms_context_id == "course-B"))
        assert shadow_summaries([person_id], course_a) == {}
        assert shadow_summaries([person_id], course_b)[person_id].pending == 1
