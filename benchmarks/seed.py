"""Rows for the dashboard benchmark and the trainer tests: created, flushed, returned.

Call inside an app context; the caller commits.
"""

from __future__ import annotations

import contextlib
import itertools
import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from course_content.loader import load_catalog
from course_content.models import Course
from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from lti_app.learning.models import ModuleProgress
from lti_app.people.models import Context, Enrollment, Person, ResourceLink
from lti_app.platforms.models import Deployment, Platform
from lti_app.shadowing.models import ShadowDay
from lti_app.timeutil import utc_now

_ids = itertools.count(1)
STAGES = ("not_started", "in_progress", "waiting", "complete", "certified", "revoked")
_bulk = False


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Flush once at the end instead of after every row (thousands of learners)."""
    global _bulk
    _bulk = True
    try:
        yield
    finally:
        _bulk = False
    db.session.flush()


def _flush() -> None:
    if not _bulk:
        db.session.flush()


def library_basics() -> Course:
    return load_catalog().courses["library-basics"]


def make_platform(*, issuer: str | None = None, client_id: str = "client") -> Platform:
    n = next(_ids)
    platform = Platform(
        name=f"LMS {n}",
        issuer=issuer or f"https://lms{n}.example.org",
        client_id=client_id,
        auth_login_url="https://lms.example.org/auth",
        auth_token_url="https://lms.example.org/token",
        jwks_url="https://lms.example.org/jwks",
    )
    db.session.add(platform)
    db.session.add(Deployment(platform=platform, deployment_id="1"))
    db.session.flush()
    return platform


def make_context(
    *,
    platform: Platform | None = None,
    deployment: Deployment | None = None,
    title: str = "Library Basics 2026",
    course_slug: str | None = "library-basics",
    memberships_url: str | None = None,
) -> Context:
    """An LMS course with one link bound to `course_slug`."""
    if deployment is None:
        deployment = (platform or make_platform()).deployments[0]
    context = Context(
        deployment=deployment,
        lms_context_id=f"ctx-{next(_ids)}",
        title=title,
        memberships_url=memberships_url,
    )
    db.session.add(context)
    if course_slug:
        db.session.add(
            ResourceLink(
                context=context,
                lms_resource_link_id=f"link-{next(_ids)}",
                course_slug=course_slug,
            )
        )
    db.session.flush()
    return context


def make_learner(
    *,
    context: Context,
    given_name: str = "Lotte",
    family_name: str = "Vos",
    name: str | None = None,
    role: str = "learner",
    has_launched: bool = True,
    last_launch_at: datetime | None = None,
    sub: str | None = None,
) -> Enrollment:
    person = Person(
        platform_id=context.deployment.platform_id,
        sub=sub or f"user-{next(_ids)}",
        name=name if name is not None else f"{given_name} {family_name}",
        given_name=given_name,
        family_name=family_name,
        email=f"{given_name.lower()}@example.org",
    )
    enrollment = Enrollment(
        person=person,
        context=context,
        role=role,
        has_launched=has_launched,
        last_launch_at=last_launch_at
        or (utc_now() - timedelta(days=3) if has_launched else None),
    )
    db.session.add_all([person, enrollment])
    _flush()
    return enrollment


def make_progress(
    *,
    enrollment: Enrollment,
    module_slug: str,
    course_slug: str = "library-basics",
    attempts: int = 1,
    best_percent: int | None = 90,
    is_passed: bool = True,
    at: datetime | None = None,
) -> ModuleProgress:
    at = at or utc_now() - timedelta(days=1)
    row = ModuleProgress(
        enrollment=enrollment,
        course_slug=course_slug,
        module_slug=module_slug,
        read_at=at,
        attempts=attempts,
        best_percent=best_percent if attempts else None,
        passed_at=at if is_passed else None,
        passed_version="v1" if is_passed else None,
        updated_at=at,
    )
    db.session.add(row)
    _flush()
    return row


def pass_modules(
    enrollment: Enrollment, course: Course, count: int | None = None
) -> None:
    for module in course.published_modules[:count]:
        make_progress(
            enrollment=enrollment, module_slug=module.slug, course_slug=course.slug
        )


def make_shadow_day(
    *,
    enrollment: Enrollment,
    status: str = "confirmed",
    day: date | None = None,
    host: str = "Universiteitsbibliotheek Utrecht",
) -> ShadowDay:
    n = next(_ids)
    shadow_day = ShadowDay(
        person=enrollment.person,
        context=enrollment.context,
        day=day or date.today() - timedelta(days=n % 300 + 1),
        host_library_name=host,
        host_key=f"other:{host.lower()}-{n}",
        status=status,
        reflection="Useful day.",
        updated_at=utc_now() - timedelta(hours=n % 48),
    )
    if status in ("confirmed", "declined"):
        shadow_day.decided_by, shadow_day.decided_at = "host", utc_now()
    db.session.add(shadow_day)
    _flush()
    return shadow_day


def make_certificate(
    *,
    enrollment: Enrollment,
    course_slug: str = "library-basics",
    revoked: bool = False,
) -> Certificate:
    certificate = Certificate(
        person=enrollment.person,
        context=enrollment.context,
        course_slug=course_slug,
        course_version="v1",
        verification_code=secrets.token_urlsafe(24),
        learner_name="Learner",
        language="nl",
        completed_on=date.today(),
        snapshot={},
        issued_at=utc_now(),
        revoked_at=utc_now() if revoked else None,
        revoked_reason="Issued by mistake" if revoked else None,
    )
    db.session.add(certificate)
    _flush()
    return certificate


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
