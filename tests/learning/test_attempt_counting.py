"""Each attempt counts on the module's progress: the best score and the first pass stay."""

from __future__ import annotations

from sqlalchemy import select

from course_content.loader import load_catalog
from lti_app.extensions import db
from lti_app.learning import service
from lti_app.people.models import Enrollment
from tests.learning.helpers import first_module, launch_ltik


def test_a_later_attempt_never_lowers_the_best_score_or_moves_the_first_pass(app, client, lms):
    module = first_module()
    course = load_catalog().courses["library-basics"]
    launch_ltik(client, lms, custom={"course": "library-basics", "module": module.slug})

    def attempt(percent: int, passed: bool):
        with app.app_context():
            enrollment_id = db.session.scalars(select(Enrollment.id)).one()
            row = service.record_result(enrollment_id=enrollment_id, course=course,
                                        module=module, percent=percent, passed=passed)
            db.session.commit()
            return (row.attempts, row.best_percent, row.passed_at, row.passed_version,
                    row.read_at)

    attempts, best, passed_at, version, read_at = attempt(40, False)  # the row is new
    assert (attempts, best, passed_at, version) == (1, 40, None, None) and read_at
    attempts, best, first_pass, version, _read = attempt(100, True)
    assert (attempts, best, version) == (2, 100, module.version) and first_pass
    attempts, best, passed_at, version, _read = attempt(80, True)  # passed again, lower
    assert (attempts, best, passed_at, version) == (3, 100, first_pass, module.version)
    attempts, best, passed_at, _version, later_read = attempt(10, False)
    assert (attempts, best, passed_at, later_read) == (4, 100, first_pass, read_at)
