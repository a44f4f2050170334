"""Learners at every stage of a course, across the features.

Call inside an app context; the caller commits. Used by the tests, the
benchmarks and nothing in production.
"""

from __future__ import annotations

from course_content.models import Course

from ..people.models import Context, Enrollment
from .issuing import make_certificate
from .learning import make_progress, pass_modules
from .shadowing import make_shadow_day
from .people import make_learner
from .rows import bulk

STAGES = ("not_started", "in_progress", "waiting", "complete", "certified", "revoked")


def make_learner_at(
    stage: str, *, context: Context, course: Course, **learner_kwargs
) -> Enrollment:
    """A learner at one of STAGES (of a course that asks for shadowing days)."""
    enrollment = make_learner(
        context=context, has_launched=stage != "not_started", **learner_kwargs
    )
    if stage == "not_started":
        return enrollment
    required = course.shadow_days_required
    if stage == "in_progress":
        pass_modules(enrollment, course, 3)
        last = course.published_modules[3].slug
        make_progress(
            enrollment=enrollment,
            module_slug=last,
            course_slug=course.slug,
            attempts=2,
            best_percent=40,
            is_passed=False,
        )
    elif stage == "waiting":
        pass_modules(enrollment, course)
        for _n in range(required - 1):
            make_shadow_day(enrollment=enrollment, status="confirmed")
        make_shadow_day(enrollment=enrollment, status="submitted")
    else:  # complete, certified, revoked: every requirement met
        pass_modules(enrollment, course)
        for _n in range(required):
            make_shadow_day(enrollment=enrollment, status="confirmed")
        if stage in ("certified", "revoked"):
            make_certificate(
                enrollment=enrollment,
                course_slug=course.slug,
                revoked=stage == "revoked",
            )
    return enrollment


def seed_every_stage(context: Context, course: Course) -> dict[str, Enrollment]:
    names = {
        "not_started": ("Noor", "Hendriks"),
        "in_progress": ("Ilse", "de Groot"),
        "waiting": ("Wouter", "de Graaf"),
        "complete": ("Karim", "El Amrani"),
        "certified": ("Chris", "Bakker"),
        "revoked": ("Roos", "Brouwer"),
    }
    return {
        stage: make_learner_at(
            stage,
            context=context,
            course=course,
            given_name=names[stage][0],
            family_name=names[stage][1],
        )
        for stage in STAGES
    }


def seed_learners(context: Context, course: Course, count: int) -> None:
    """`count` learners spread over every stage (query counts, the benchmark)."""
    with bulk():
        for n in range(count):
            make_learner_at(
                STAGES[n % len(STAGES)],
                context=context,
                course=course,
                given_name=f"Learner{n:04d}",
                family_name=f"van Test{n:04d}",
            )
