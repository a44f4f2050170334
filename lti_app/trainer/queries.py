"""The dashboard's other reads: the LMS course with its roster state, and who
is enrolled per role (the learners' rows are learner_query's).

Every function here is scoped by the LMS course (context) it is given; the
views pass the launch's own context, so no id in a URL reaches another course.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..people.models import ROLE_ADMIN, ROLE_LEARNER, ROLE_TRAINER, Context, Enrollment
from .models import RosterSync

__all__ = ["context_with_roster", "role_counts"]


def context_with_roster(context_id: int) -> tuple[Context, RosterSync | None]:
    """The LMS course and its roster state, in one query."""
    row = db.session.execute(
        select(Context, RosterSync)
        .outerjoin(RosterSync, RosterSync.context_id == Context.id)
        .where(Context.id == context_id)
    ).one()
    return row[0], row[1]


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
