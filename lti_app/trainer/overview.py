"""The administrator's overview: every LMS course of one platform, in seven queries.

Per (LMS course, course of the catalogue): learners, completions and current
certificates. Completion is decided by `completion` (course_status_from_counts), the rule the
dashboard and issuing use; only the counting is done in SQL here, because
loading every progress row of a whole institution would not scale.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Integer, and_, false, func, or_, select

from course_content.models import Course

from ..completion import course_status_from_counts
from ..extensions import db
from ..issuing.models import Certificate
from ..launch_scope import find_course
from ..learning.models import ModuleProgress
from ..people.models import ROLE_LEARNER, Context, Enrollment, ResourceLink
from ..platforms.models import Deployment
from ..shadowing.service import confirmed_day_counts


@dataclass(frozen=True)
class OverviewRow:
    context: Context
    course: Course | None  # None: no link of this LMS course is bound yet
    learners: int
    launched: int
    complete: int | None  # None without a course
    certificates: int | None


def platform_overview(platform_id: int) -> list[OverviewRow]:
    contexts = list(
        db.session.scalars(
            select(Context)
            .join(Context.deployment)
            .where(Deployment.platform_id == platform_id)
            .order_by(Context.title, Context.id)
        )
    )
    in_platform = (
        select(Context.id)
        .join(Context.deployment)
        .where(Deployment.platform_id == platform_id)
        .scalar_subquery()
    )
    learners = (
        select(Enrollment.id, Enrollment.person_id, Enrollment.context_id)
        .where(Enrollment.context_id.in_(in_platform), Enrollment.role == ROLE_LEARNER)
        .subquery()
    )

    courses: dict[int, list[Course]] = defaultdict(list)
    for context_id, slug in db.session.execute(
        select(ResourceLink.context_id, ResourceLink.course_slug)
        .distinct()
        .where(
            ResourceLink.context_id.in_(in_platform),
            ResourceLink.course_slug.is_not(None),
        )
        .order_by(ResourceLink.context_id, ResourceLink.course_slug)
    ):
        course = find_course(slug)
        if course is not None:
            courses[context_id].append(course)

    counts = {
        context_id: (int(total), int(launched or 0))
        for context_id, total, launched in db.session.execute(
            select(
                Enrollment.context_id,
                func.count(),
                func.sum(Enrollment.has_launched.cast(Integer)),
            )
            .where(
                Enrollment.context_id.in_(in_platform), Enrollment.role == ROLE_LEARNER
            )
            .group_by(Enrollment.context_id)
        )
    }
    enrolled = db.session.execute(select(learners)).all()
    # Shadowing owns what counts as a confirmed day (each date once).
    confirmed = confirmed_day_counts(sorted({row.person_id for row in enrolled}))
    complete = _completions(learners, enrolled, courses, confirmed)
    certificates = {
        (context_id, slug): int(n)
        for context_id, slug, n in db.session.execute(
            select(
                learners.c.context_id,
                Certificate.course_slug,
                func.count(func.distinct(Certificate.id)),
            )
            .join(learners, learners.c.person_id == Certificate.person_id)
            .where(
                Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None)
            )
            .group_by(learners.c.context_id, Certificate.course_slug)
        )
    }

    rows = []
    for context in contexts:
        total, launched = counts.get(context.id, (0, 0))
        for course in courses.get(context.id) or [None]:
            slug = course.slug if course else None
            rows.append(
                OverviewRow(
                    context=context,
                    course=course,
                    learners=total,
                    launched=launched,
                    complete=complete.get((context.id, slug), 0) if course else None,
                    certificates=certificates.get((context.id, slug), 0)
                    if course
                    else None,
                )
            )
    return rows


def _completions(
    learners,
    enrolled: list,
    courses: dict[int, list[Course]],
    confirmed: dict[int, int],
) -> dict[tuple[int, str], int]:
    """Complete learners per (context, course slug), from passed-module counts."""
    all_courses = {
        course.slug: course for group in courses.values() for course in group
    }
    published = [
        and_(
            ModuleProgress.course_slug == slug,
            ModuleProgress.module_slug.in_([m.slug for m in course.published_modules]),
        )
        for slug, course in all_courses.items()
    ]
    passed: dict[tuple[int, str], int] = {}
    if published:
        for enrollment_id, slug, n in db.session.execute(
            select(
                ModuleProgress.enrollment_id,
                ModuleProgress.course_slug,
                func.count(func.distinct(ModuleProgress.module_slug)),
            )
            .where(
                ModuleProgress.enrollment_id.in_(select(learners.c.id)),
                ModuleProgress.passed_at.is_not(None),
                or_(false(), *published),
            )
            .group_by(ModuleProgress.enrollment_id, ModuleProgress.course_slug)
        ):
            passed[(enrollment_id, slug)] = int(n)
    complete: dict[tuple[int, str], int] = defaultdict(int)
    for enrollment_id, person_id, context_id in enrolled:
        for course in courses.get(context_id, []):
            status = course_status_from_counts(
                course,
                modules_passed=passed.get((enrollment_id, course.slug), 0),
                shadow_days_confirmed=confirmed.get(person_id, 0),
            )
            if status.is_complete:
                complete[(context_id, course.slug)] += 1
    return dict(complete)
