"""Two attempts by one learner at once (two tabs, two devices) both count.

Needs PostgreSQL (TEST_DATABASE_URL): SQLite runs one writing transaction at a
time, so there the second attempt cannot even start before the first commits.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from course_content.loader import load_catalog
from lti_app.extensions import db
from lti_app.learning import service
from lti_app.learning.models import ModuleProgress
from lti_app.people.models import Enrollment
from tests.learning.helpers import first_module, launch_ltik


def test_an_attempt_during_another_counts_both_and_keeps_the_best(app, client, lms):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks: PostgreSQL only (set TEST_DATABASE_URL)")
    module = first_module()
    course = load_catalog().courses["library-basics"]
    launch_ltik(client, lms, custom={"course": "library-basics", "module": module.slug})
    with app.app_context():
        enrollment_id = db.session.scalars(select(Enrollment.id)).one()
        # The module was read: its progress row exists (what both tabs update).
        service.mark_read(enrollment_id=enrollment_id, course=course, module=module)
        db.session.commit()
    second_done = threading.Event()
    second_result = {}

    def second_tab():
        with app.app_context():
            try:
                service.record_result(enrollment_id=enrollment_id, course=course,
                                      module=module, percent=40, passed=False)
                db.session.commit()
                second_result["ok"] = True
            except Exception as exc:  # reported below, not lost in the thread
                second_result["error"] = repr(exc)
            finally:
                db.session.remove()
                second_done.set()

    with app.app_context():
        # First tab: a passing attempt, flushed but not yet committed ...
        service.record_result(enrollment_id=enrollment_id, course=course, module=module,
                              percent=100, passed=True)
        thread = threading.Thread(target=second_tab)
        thread.start()
        # ... the second tab's attempt must wait for it (not read the old row).
        assert not second_done.wait(1.0), f"did not wait: {second_result}"
        db.session.commit()
    thread.join(15)
    assert second_result == {"ok": True}
    with app.app_context():
        progress = db.session.scalars(select(ModuleProgress)).one()
        assert progress.attempts == 2  # neither attempt overwrote the other's count
        assert progress.best_percent == 100 and progress.passed_at is not None
