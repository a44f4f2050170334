"""One learner's standing in a course: asks learning and shadowing, then completion.

It sits above both features (they never import it), so completion.py stays a
pure function and no lazy import hides a cycle. The features announce each
change to a standing (signals.standing_changed, signals.link_bound) and this
module queues the newest scores for the gradebook in the same transaction.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import select

from course_content.models import Course

from .completion import CourseStatus, course_status
from .extensions import db
from .launch_scope import catalog
from .learning import grades
from .learning.service import LINK_PROGRESS, course_and_progress, progress_by_module
from .people.models import ROLE_LEARNER, Enrollment, ResourceLink
from .shadowing.service import CONFIRMED_DAY_COUNT, confirmed_day_count, confirmed_day_counts
from .signals import link_bound, standing_changed


# The overview's one read: the link's course, her progress in it and her
# confirmed days (learning's and shadowing's statements, joined here).
_LINK_PROGRESS_DAYS = LINK_PROGRESS.add_columns(CONFIRMED_DAY_COUNT.scalar_subquery())


def course_progress_and_status(launch) -> tuple[Course, dict, CourseStatus]:
    """The launch's course, her progress in it by module and her status: one
    SELECT for a launch with its link (every learner's). Raises
    UnknownCourseOrModule without a course the content knows."""
    course, progress, row = course_and_progress(
        launch, statement=_LINK_PROGRESS_DAYS, person_id=launch.person_id)
    days = (row[2] or 0) if row is not None else confirmed_day_count(launch.person_id)
    return course, progress, course_status(course, progress, days)


def status_for(*, enrollment_id: int, person_id: int, course: Course) -> CourseStatus:
    """Modules of this enrolment, confirmed days of the person (each date once)."""
    return course_status(course, progress_by_module(enrollment_id, course.slug),
                         confirmed_day_count(person_id))


def restate(*, person_id: int, context_id: int | None = None,
            enrollment_id: int | None = None, nothing_recorded: bool = False) -> int:
    """Queue the person's newest standing for every gradebook column they have
    as a learner (in one LMS course with `context_id`): the course links
    (modules passed of total, Completed when every rule is met) and the module
    links (best score). Returns how many columns got a new score; flushes only.
    `enrollment_id`: the person's enrolment in that course, if the caller has it
    loaded (one per person and LMS course: no query for it).
    `nothing_recorded`: the person was made in this transaction (her first
    launch), so no other one can change her standing and she has no progress,
    days or scores yet: nothing to lock or count, only her columns to read.
    """
    if nothing_recorded:
        days = 0
    else:
        grades.lock_standing([person_id])  # then count: a concurrent change waits
        days = cache(lambda: confirmed_day_count(person_id))  # asked only by a course link
    content = catalog()
    return sum(
        grades.restate(enrollment=enrollment, shadow_days_confirmed=days, catalog=content,
                       nothing_recorded=nothing_recorded)
        for enrollment in _learner_enrollments(person_id, context_id, enrollment_id)
    )


def _learner_enrollments(person_id: int, context_id: int | None,
                         enrollment_id: int | None) -> list[Enrollment]:
    known = db.session.get(Enrollment, enrollment_id) if enrollment_id else None
    if known is not None and (known.person_id, known.context_id) == (person_id, context_id):
        return [known] if known.role == ROLE_LEARNER else []
    return grades.learner_enrollments_of(person_id, context_id)


def restate_link(link_id: int) -> int:
    """A link bound (again) or given a column: every learner of its LMS course
    gets the score for it."""
    link = db.session.get(ResourceLink, link_id)
    if link is None or not link.course_slug or not link.lineitem_url:
        return 0
    learners = list(db.session.scalars(
        select(Enrollment).where(Enrollment.context_id == link.context_id,
                                    Enrollment.role == ROLE_LEARNER)
        .order_by(Enrollment.id)
    ))
    grades.lock_standing(e.person_id for e in learners)
    days = confirmed_day_counts([e.person_id for e in learners])
    content = catalog()
    return sum(
        grades.restate(enrollment=enrollment, catalog=content, links=[link],
                       shadow_days_confirmed=days.get(enrollment.person_id, 0))
        for enrollment in learners
    )


@standing_changed.connect
def _on_standing_changed(_sender, *, person_id: int, context_id: int | None = None,
                         enrollment_id: int | None = None, nothing_recorded: bool = False,
                         **_extra) -> None:
    restate(person_id=person_id, context_id=context_id, enrollment_id=enrollment_id,
            nothing_recorded=nothing_recorded)


@link_bound.connect
def _on_link_bound(_sender, *, link_id: int, **_extra) -> None:
    restate_link(link_id)
