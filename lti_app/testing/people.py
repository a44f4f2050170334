"""Platforms, LMS courses and learners.

Call inside an app context; the caller commits. Used by the tests, the
benchmarks and nothing in production.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..extensions import db
from ..people.models import Context, Enrollment, Person, ResourceLink
from ..platforms.models import Deployment, Platform
from ..timeutil import utc_now
from .rows import flush_row, ids


def make_platform(*, issuer: str | None = None, client_id: str = "client") -> Platform:
    n = next(ids)
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
        lms_context_id=f"ctx-{next(ids)}",
        title=title,
        memberships_url=memberships_url,
    )
    db.session.add(context)
    if course_slug:
        db.session.add(
            ResourceLink(
                context=context,
                lms_resource_link_id=f"link-{next(ids)}",
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
        sub=sub or f"user-{next(ids)}",
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
    flush_row()
    return enrollment
