"""Scores for the LMS gradebook (LTI Assignment and Grade Services): what to send.

Every change to a learner's standing (signals.standing_changed / link_bound,
acted on by standing.py) calls `restate`, which queues the newest score of each
of the learner's gradebook columns in `grade_deliveries` (one row per column,
i.e. per resource link and learner) in the same commit as the change: a newer
standing replaces one not sent yet, an unchanged one queues nothing. The person's
standing is locked first (`lock_standing`), so two changes at once never queue
an older standing last. Sending, retries and the runners that do it off the
request are grade_delivery.py's.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, bindparam, event, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import flag_modified

from course_content.models import Catalog, Course

from ..completion import CourseStatus, course_status
from ..extensions import db
from ..lti.claims import SCORE_SCOPE
from ..people.models import ROLE_LEARNER, Enrollment, Person, ResourceLink
from ..timeutil import utc_now
from .models import GradeDelivery, ModuleProgress

@dataclass(frozen=True)
class ColumnScore:
    """What one gradebook column should show of a learner's standing."""

    score_given: float
    score_maximum: float
    activity_progress: str
    grading_progress: str
    completed_at: datetime | None

    @property
    def key(self) -> tuple:
        return (self.score_given, self.score_maximum, self.activity_progress,
                self.grading_progress)


QUEUED_KEY = "grades_queued"  # session.info: a score was queued in this transaction


def column_score(*, link: ResourceLink, course: Course, progress: Mapping[str, ModuleProgress],
                 status: CourseStatus | None) -> ColumnScore | None:
    """The score for `link`'s column, or None while there is nothing to show.

    A module link: the best score once the module is passed (Completed). The
    course link: modules passed of the published total, Completed only when
    every rule of the course is met (modules and confirmed days). gradingProgress
    is FullyGraded in both: Moodle drops scoreGiven for any other value
    (mod/lti/service/gradebookservices/.../scores.php), and the score given is
    final for what it counts.
    """
    if link.module_slug:
        row = progress.get(link.module_slug)
        if course.module(link.module_slug) is None or row is None or not row.is_passed:
            return None  # a module's grade goes out when it is passed
        return ColumnScore(float(row.best_percent or 0), 100.0, "Completed", "FullyGraded",
                           row.passed_at)
    if status.modules_passed == 0 and not status.is_complete:
        return None  # nothing passed yet: 0 is not news (unless 0 was sent before)
    complete = status.is_complete
    return ColumnScore(float(status.modules_passed), float(max(status.modules_total, 1)),
                       "Completed" if complete else "InProgress", "FullyGraded",
                       utc_now() if complete else None)


_UNREAD = object()  # queue_grade: the column's row not read by the caller


def queue_grade(
    *,
    link: ResourceLink,
    enrollment: Enrollment,
    course: Course,
    progress: Mapping[str, ModuleProgress],
    status: CourseStatus | None,
    delivery: GradeDelivery | None = _UNREAD,  # type: ignore[assignment]
) -> bool:
    """Queue the learner's newest score for this link's column, if it changed;
    whether it was queued.

    One row per column: a newer standing replaces one not sent yet (a new
    revision), an unchanged standing (queued or delivered) queues nothing.
    `status` may be None for a module link (its score is the module's own);
    `delivery`: the column's row as just read (fresh) by the caller.
    """
    context = link.context
    if not link.lineitem_url or SCORE_SCOPE not in (context.ags_scopes or "").split():
        return False  # the LMS offers no gradebook column for this link
    wanted = column_score(link=link, course=course, progress=progress, status=status)
    if delivery is _UNREAD:
        delivery = _deliveries_of(enrollment.id, [link.id]).get(link.id)
    if delivery is None and wanted is None:
        return False
    if wanted is None:  # e.g. a course link whose modules all left the course
        if link.module_slug:
            return False  # a pass stays: the module's score stays too
        wanted = ColumnScore(0.0, float(max(status.modules_total, 1)), "InProgress",
                             "FullyGraded", None)
    queued = (None if delivery is None else
              (delivery.score_given, delivery.score_maximum, delivery.activity_progress,
               delivery.grading_progress))
    if queued == wanted.key:
        return False  # unchanged: neither queued again nor resent
    now = utc_now()
    if delivery is None:
        # The column's first score (every learner's first pass): one INSERT,
        # without the ORM's unit of work for an object nobody reads again here.
        db.session.execute(_FIRST_DELIVERY, {
            "resource_link_id": link.id, "enrollment_id": enrollment.id,
            "score_given": wanted.score_given, "score_maximum": wanted.score_maximum,
            "activity_progress": wanted.activity_progress,
            "grading_progress": wanted.grading_progress,
            "completed_at": (wanted.completed_at if wanted.activity_progress == "Completed"
                             else None),
            "now": now,
        })
        db.session.info[QUEUED_KEY] = True  # scheduled once the transaction commits
        return True
    delivery.score_given, delivery.score_maximum = wanted.score_given, wanted.score_maximum
    delivery.activity_progress = wanted.activity_progress
    delivery.grading_progress = wanted.grading_progress
    if wanted.activity_progress != "Completed":
        delivery.completed_at = None
    elif delivery.completed_at is None or link.module_slug:
        delivery.completed_at = wanted.completed_at
    delivery.scored_at = now  # when this standing was queued
    delivery.revision = (delivery.revision or 0) + 1
    delivery.status, delivery.attempts = "pending", 0
    delivery.next_attempt_at, delivery.last_error = now, None
    # Written even if they look unchanged: a runner may have marked the row
    # delivered since it was read (its own UPDATE), and "pending" must win.
    for name in ("status", "attempts", "next_attempt_at", "last_error", "revision"):
        flag_modified(delivery, name)
    db.session.flush()
    db.session.info[QUEUED_KEY] = True  # scheduled once the transaction commits
    return True


_FIRST_DELIVERY = GradeDelivery.__table__.insert().values(
    resource_link_id=bindparam("resource_link_id"), enrollment_id=bindparam("enrollment_id"),
    score_given=bindparam("score_given"), score_maximum=bindparam("score_maximum"),
    activity_progress=bindparam("activity_progress"),
    grading_progress=bindparam("grading_progress"), completed_at=bindparam("completed_at"),
    scored_at=bindparam("now"), next_attempt_at=bindparam("now"), revision=1,
    status="pending", attempts=0, last_error=None,
)


LOCKED_KEY = "standing_locked"  # session.info: person ids locked in this transaction
LOCKED_ENROLLMENTS_KEY = "standing_locked_enrollments"  # and enrolments loaded with a lock


def lock_standing(person_ids: Iterable[int]) -> None:
    """Serialize standing updates per person until the commit (PostgreSQL's
    row locks, in id order): a second change waits and then counts the first
    one's pass or day, so two changes at once never queue an older standing
    last. SQLite writes one transaction at a time anyway. A person already
    locked in this transaction is not asked for again (one statement less)."""
    locked = db.session.info.setdefault(LOCKED_KEY, set())
    ids = sorted(set(person_ids) - locked)
    if ids:
        db.session.execute(
            select(Person.id).where(Person.id.in_(ids)).order_by(Person.id).with_for_update()
        ).all()
        locked.update(ids)


def lock_standing_of(enrollment_id: int) -> Enrollment:
    """The enrolment, with its person locked as lock_standing does, in one
    statement (SELECT ... FOR UPDATE OF persons) instead of a read and a lock;
    no statement if lock_standing_with_link did both in this transaction."""
    locked = db.session.info.setdefault(LOCKED_KEY, set())
    known = db.session.info.get(LOCKED_ENROLLMENTS_KEY, {}).get(enrollment_id)
    if known is not None:
        return known
    enrollment = db.session.scalar(_LOCK_OF_ENROLLMENT, {"enrollment_id": enrollment_id})
    locked.add(enrollment.person_id)
    return enrollment


def lock_standing_with_link(enrollment_id: int, *, link_id: int, context_id: int) -> Row | None:
    """lock_standing_of, and in the same SELECT the link's id and course (None
    where the link is not in that LMS course): a quiz POST locks first and so
    reads its course with the lock. None: no such enrolment, nothing locked."""
    row = db.session.execute(_LOCK_WITH_LINK, {
        "enrollment_id": enrollment_id, "link_id": link_id, "context_id": context_id}).first()
    if row is not None:
        db.session.info.setdefault(LOCKED_KEY, set()).add(row.Enrollment.person_id)
        # held here: the session's identity map would let it go with the row
        db.session.info.setdefault(LOCKED_ENROLLMENTS_KEY, {})[enrollment_id] = row.Enrollment
    return row


# A quiz, a day or a launch runs these for one learner: built once, parameters
# bound per call (building and keying a statement cost more than sending it).
_LOCK_OF_ENROLLMENT = (
    select(Enrollment).join(Person, Person.id == Enrollment.person_id)
    .where(Enrollment.id == bindparam("enrollment_id")).with_for_update(of=Person)
)
_LOCK_WITH_LINK = (
    _LOCK_OF_ENROLLMENT.add_columns(ResourceLink.id, ResourceLink.course_slug)
    .outerjoin(ResourceLink, (ResourceLink.id == bindparam("link_id"))
               & (ResourceLink.context_id == bindparam("context_id")))
)
_GRADED_COLUMNS = (
    select(ResourceLink, GradeDelivery).options(joinedload(ResourceLink.context))
    .outerjoin(GradeDelivery, (GradeDelivery.resource_link_id == ResourceLink.id)
               & (GradeDelivery.enrollment_id == bindparam("enrollment_id")))
    .where(ResourceLink.context_id == bindparam("context_id"),
           ResourceLink.course_slug.is_not(None), ResourceLink.lineitem_url.is_not(None))
    .order_by(ResourceLink.id)
    .execution_options(populate_existing=True)
)
_COURSE_PROGRESS = (
    select(ModuleProgress)
    .where(ModuleProgress.enrollment_id == bindparam("enrollment_id"),
           ModuleProgress.course_slug == bindparam("course_slug"))
    .execution_options(populate_existing=True)
)


def _graded_columns(enrollment: Enrollment) -> tuple[list[ResourceLink], dict[int, GradeDelivery]]:
    """Every link of the enrolment's LMS course bound to a course or module, with
    a column (and its LMS course: queue_grade reads its scopes), and the
    learner's outbox rows of them as committed now: one SELECT, not one for the
    links and one for the rows."""
    rows = db.session.execute(_GRADED_COLUMNS, {
        "enrollment_id": enrollment.id, "context_id": enrollment.context_id}).all()
    return ([link for link, _row in rows],
            {link.id: row for link, row in rows if row is not None})


def learner_enrollments_of(person_id: int, context_id: int | None = None) -> list[Enrollment]:
    """The person's enrolments as a learner (trainers have no gradebook column)."""
    query = select(Enrollment).where(Enrollment.person_id == person_id,
                                     Enrollment.role == ROLE_LEARNER)
    if context_id is not None:
        query = query.where(Enrollment.context_id == context_id)
    return list(db.session.scalars(query.order_by(Enrollment.id)))


def restate(
    *, enrollment: Enrollment, shadow_days_confirmed: int | Callable[[], int],
    catalog: Catalog, links: list[ResourceLink] | None = None, nothing_recorded: bool = False,
) -> int:
    """Queue the newest standing for each of this learner's columns in the
    enrolment's LMS course (or only `links`); how many columns got a new score.

    The caller locks the person first (lock_standing) and counts the confirmed
    days after the lock (learning does not read shadowing); a callable is asked
    only if a course link needs them (module links do not: one query less).
    `nothing_recorded`: a person made in this transaction (no progress to read)."""
    if enrollment.role != ROLE_LEARNER:
        return 0
    queued_rows = None
    if links is None:
        links, queued_rows = _graded_columns(enrollment)
    queued = 0
    by_course: dict[str, list[ResourceLink]] = {}
    for link in links:
        if link.course_slug and link.lineitem_url:
            by_course.setdefault(link.course_slug, []).append(link)
    by_course = {slug: course_links for slug, course_links in by_course.items()
                 if slug in catalog.courses}  # a slug the content does not know: never graded
    if not by_course:
        return 0
    if queued_rows is None:
        queued_rows = _deliveries_of(enrollment.id, [
            link.id for course_links in by_course.values() for link in course_links])
    for course_slug, course_links in by_course.items():
        course = catalog.courses[course_slug]
        progress = {} if nothing_recorded else {row.module_slug: row for row in db.session.scalars(
            _COURSE_PROGRESS, {"enrollment_id": enrollment.id, "course_slug": course_slug})}
        status = None
        if any(not link.module_slug for link in course_links):
            days = shadow_days_confirmed
            status = course_status(course, progress, days() if callable(days) else days)
        for link in course_links:
            if queue_grade(link=link, enrollment=enrollment, course=course,
                           progress=progress, status=status,
                           delivery=queued_rows.get(link.id)):
                queued += 1
    return queued


def _deliveries_of(enrollment_id: int, link_ids: list[int]) -> dict[int, GradeDelivery]:
    """The learner's outbox rows of these columns, as committed now (one SELECT
    for all of them, not one per link)."""
    if not link_ids:
        return {}
    return {row.resource_link_id: row for row in db.session.scalars(
        select(GradeDelivery)
        .where(GradeDelivery.enrollment_id == enrollment_id,
               GradeDelivery.resource_link_id.in_(link_ids))
        .execution_options(populate_existing=True)
    )}


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(QUEUED_KEY, None)
    session.info.pop(LOCKED_KEY, None)
    session.info.pop(LOCKED_ENROLLMENTS_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _locks_end_with_the_transaction(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outer one (a savepoint keeps the locks)
        session.info.pop(LOCKED_KEY, None)
        session.info.pop(LOCKED_ENROLLMENTS_KEY, None)
