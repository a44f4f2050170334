"""The dashboard's data: a fixed number of queries for a whole LMS course, each
asked of the feature that owns it (people, learning, shadowing, issuing).

Every function here is scoped by the LMS course (context) it is given; the
views pass the launch's own context, so no id in a URL reaches another course.
One query per kind of data, never one per learner: a course of 1,000 learners
costs the same number of statements as a course of 10.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ..extensions import db
from ..issuing.service import current_certificates, latest_revocations
from ..learning.service import progress_by_enrollment
from ..people.models import ROLE_ADMIN, ROLE_LEARNER, ROLE_TRAINER, Context, Enrollment
from ..people.service import learner_enrollments
from ..shadowing.service import ShadowSummary, confirmed_day_counts, shadow_summaries
from .models import RosterSync

if TYPE_CHECKING:  # types only: their data comes through the features' services
    from ..issuing.models import Certificate
    from ..learning.models import ModuleProgress

__all__ = [
    "CourseData",
    "ShadowSummary",
    "context_with_roster",
    "load_course_data",
    "role_counts",
]


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


def load_course_data(context_id: int, course_slug: str) -> CourseData:
    """The dashboard's data: six queries, whatever the number of learners."""
    enrollments = learner_enrollments(context_id)
    person_ids = [e.person_id for e in enrollments]
    return CourseData(
        enrollments=enrollments,
        progress=progress_by_enrollment([e.id for e in enrollments], course_slug),
        # Shadowing owns what counts as a confirmed day (each date once).
        confirmed_days=confirmed_day_counts(person_ids),
        shadow=shadow_summaries(person_ids, context_id),
        certificates=current_certificates(person_ids, course_slug),
        revoked_at=latest_revocations(person_ids, course_slug),
    )


@dataclass(frozen=True)
class RoleCounts:
    """Who the tool knows in an LMS course (from the roster and from launches)."""

    learners: int
    trainers: int
    admins: int

    @property
    def total(self) -> int:
        return self.learners + self.trainers + self.admins


def role_counts(context_id: int) -> RoleCounts:
    """Enrolments per role in one query: why the roster's member count is not
    the number of learners in the table."""
    counts = dict(
        db.session.execute(
            select(Enrollment.role, func.count())
            .where(Enrollment.context_id == context_id)
            .group_by(Enrollment.role)
        ).all()
    )
    return RoleCounts(
        learners=counts.get(ROLE_LEARNER, 0),
        trainers=counts.get(ROLE_TRAINER, 0),
        admins=counts.get(ROLE_ADMIN, 0),
    )
