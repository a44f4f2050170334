"""The dashboard's SQL: a fixed number of queries for a whole LMS course.

Every function here is scoped by the LMS course (context) it is given; the
views pass the launch's own context, so no id in a URL reaches another course.
One query per kind of data, never one per learner: a course of 1,000 learners
costs the same number of statements as a course of 10.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from ..extensions import db
from ..issuing.models import Certificate
from ..issuing.service import current_certificates
from ..learning.models import ModuleProgress, QuizAttempt
from ..learning.service import progress_by_enrollment
from ..people.models import Context, Enrollment, ResourceLink
from ..people.service import learner_enrollments
from ..shadowing.models import SUBMITTED, ShadowDay
from ..shadowing.service import confirmed_day_counts
from .models import RosterSync


@dataclass(frozen=True)
class ShadowSummary:
    pending: int  # submitted: waiting for the host or a trainer
    logged: int  # in any status
    last_change_at: datetime | None


@dataclass(frozen=True)
class CourseData:
    """Everything the dashboard shows, keyed for lookups while building rows."""

    enrollments: list[Enrollment]  # learners, each with .person loaded
    progress: dict[int, dict[str, ModuleProgress]]  # enrollment id -> module slug
    confirmed_days: dict[int, int]  # person id -> distinct confirmed dates
    shadow: dict[int, ShadowSummary]  # person id
    certificates: dict[int, Certificate]  # person id -> the current certificate
    revoked_at: dict[int, datetime]  # person id -> latest revocation


def context_with_roster(context_id: int) -> tuple[Context, RosterSync | None]:
    """The LMS course and its roster state, in one query."""
    row = db.session.execute(
        select(Context, RosterSync)
        .outerjoin(RosterSync, RosterSync.context_id == Context.id)
        .where(Context.id == context_id)
    ).one()
    return row[0], row[1]


def bound_course_slugs(context_id: int) -> set[str]:
    """The courses the LMS course's links open."""
    return set(
        db.session.scalars(
            select(ResourceLink.course_slug).where(
                ResourceLink.context_id == context_id,
                ResourceLink.course_slug.is_not(None),
            )
        )
    )


def shadow_summaries(person_ids: list[int]) -> dict[int, ShadowSummary]:
    """Pending and logged days and the last change per person, in one query."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(
            ShadowDay.person_id,
            func.sum(case((ShadowDay.status == SUBMITTED, 1), else_=0)),
            func.count(ShadowDay.id),
            func.max(ShadowDay.updated_at),
        )
        .where(ShadowDay.person_id.in_(person_ids))
        .group_by(ShadowDay.person_id)
    )
    return {
        person_id: ShadowSummary(int(pending or 0), int(logged), last)
        for person_id, pending, logged, last in rows
    }


def latest_revocations(person_ids: list[int], course_slug: str) -> dict[int, datetime]:
    """When each person's last revoked certificate for the course was revoked."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(Certificate.person_id, func.max(Certificate.revoked_at))
        .where(
            Certificate.person_id.in_(person_ids),
            Certificate.course_slug == course_slug,
            Certificate.revoked_at.is_not(None),
        )
        .group_by(Certificate.person_id)
    )
    # max() keeps the column's type: aware UTC datetimes on every backend.
    return {person_id: revoked for person_id, revoked in rows if revoked}


def load_course_data(context_id: int, course_slug: str) -> CourseData:
    """The dashboard's data: six queries, whatever the number of learners."""
    enrollments = learner_enrollments(context_id)
    person_ids = [e.person_id for e in enrollments]
    return CourseData(
        enrollments=enrollments,
        progress=progress_by_enrollment([e.id for e in enrollments], course_slug),
        # Shadowing owns what counts as a confirmed day (each date once).
        confirmed_days=confirmed_day_counts(person_ids),
        shadow=shadow_summaries(person_ids),
        certificates=current_certificates(person_ids, course_slug),
        revoked_at=latest_revocations(person_ids, course_slug),
    )


# -- one learner (the detail page) ------------------------------------------------


def attempts_of_enrollment(
    enrollment_id: int, course_slug: str
) -> dict[str, list[QuizAttempt]]:
    """Quiz attempts per module, newest first."""
    rows = db.session.scalars(
        select(QuizAttempt)
        .where(
            QuizAttempt.enrollment_id == enrollment_id,
            QuizAttempt.course_slug == course_slug,
        )
        .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc())
    )
    attempts: dict[str, list[QuizAttempt]] = defaultdict(list)
    for row in rows:
        attempts[row.module_slug].append(row)
    return dict(attempts)


def certificates_of_person(person_id: int, course_slug: str) -> list[Certificate]:
    """Every certificate (current, revoked, superseded) of a person for a course."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.person_id == person_id,
                Certificate.course_slug == course_slug,
            )
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )

