"""Create or update persons, LMS courses, links and enrolments from a launch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..platforms.models import Deployment, Platform
from ..timeutil import utc_now
from . import roles as lti_roles
from .models import ROLE_LEARNER, Context, Enrollment, Person, ResourceLink

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


@dataclass(frozen=True)
class LaunchRecords:
    person: Person
    context: Context
    resource_link: ResourceLink | None
    enrollment: Enrollment
    is_admin: bool


def record_launch(
    *, platform: Platform, deployment: Deployment, claims: Mapping[str, Any]
) -> LaunchRecords:
    """Write who launched from where; flushes, the caller commits."""
    now = utc_now()
    person = upsert_person(platform=platform, sub=str(claims["sub"]), claims=claims)
    person.last_seen_at = now
    context_claim = claims.get(CLAIM + "context") or {}
    # A launch without a context (e.g. from an admin page) still needs a home:
    # one per deployment, keyed by the deployment id.
    lms_context_id = str(context_claim.get("id") or f"deployment:{deployment.deployment_id}")
    context = upsert_context(deployment=deployment, lms_context_id=lms_context_id)
    context.title = _text(context_claim.get("title"), 500) or context.title
    context.label = _text(context_claim.get("label"), 200) or context.label
    nrps = claims.get(NRPS_CLAIM) or {}
    ags = claims.get(AGS_CLAIM) or {}
    context.memberships_url = nrps.get("context_memberships_url") or context.memberships_url
    context.lineitems_url = ags.get("lineitems") or context.lineitems_url
    if ags.get("scope"):
        context.ags_scopes = " ".join(ags["scope"])

    link = None
    link_claim = claims.get(CLAIM + "resource_link") or {}
    if link_claim.get("id"):
        link = upsert_resource_link(context=context, lms_resource_link_id=str(link_claim["id"]))
        link.title = _text(link_claim.get("title"), 500) or link.title
        if ags.get("lineitem"):
            link.lineitem_url = ags["lineitem"]
        if link.course_slug is None:
            # Custom parameters (course=..., module=...), set by an admin or by
            # our own deep-linking response, bind the link on its first launch;
            # learning checks the slugs against the content before using them.
            custom = claims.get(CLAIM + "custom") or {}
            link.course_slug = _text(custom.get("course"), 100)
            link.module_slug = _text(custom.get("module"), 100) if link.course_slug else None

    roles = [r for r in claims.get(CLAIM + "roles") or [] if isinstance(r, str)]
    enrollment = upsert_enrollment(person=person, context=context)
    enrollment.role = lti_roles.course_role(roles)
    enrollment.lti_roles = " ".join(roles)[:2000]
    enrollment.has_launched = True
    enrollment.last_launch_at = now
    db.session.flush()
    return LaunchRecords(person, context, link, enrollment, lti_roles.is_admin(roles))


def upsert_person(*, platform: Platform, sub: str, claims: Mapping[str, Any]) -> Person:
    person = _get_or_create(Person, platform_id=platform.id, sub=sub)
    # Privacy settings may strip name and email; keep what we had then.
    person.name = _text(claims.get("name"), 300) or person.name
    person.given_name = _text(claims.get("given_name"), 200) or person.given_name
    person.family_name = _text(claims.get("family_name"), 200) or person.family_name
    person.email = _text(claims.get("email"), 320) or person.email
    presentation = claims.get(CLAIM + "launch_presentation") or {}
    person.locale = _text(presentation.get("locale"), 20) or person.locale
    return person


def upsert_context(*, deployment: Deployment, lms_context_id: str) -> Context:
    return _get_or_create(Context, deployment_id=deployment.id, lms_context_id=lms_context_id)


def upsert_resource_link(*, context: Context, lms_resource_link_id: str) -> ResourceLink:
    return _get_or_create(ResourceLink, context_id=context.id,
                          lms_resource_link_id=lms_resource_link_id)


def upsert_enrollment(*, person: Person, context: Context) -> Enrollment:
    return _get_or_create(Enrollment, defaults={"role": "learner"},
                          person_id=person.id, context_id=context.id)


def _get_or_create(model, defaults: Mapping[str, Any] | None = None, **keys):
    """The row with these unique keys, created if missing.

    Two first launches at once (a class starting together, or two tabs) may
    both try to create it: the loser's savepoint rolls back and it reads the
    winner's row instead of failing the launch.
    """
    query = select(model).filter_by(**keys)
    found = db.session.scalar(query)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            created = model(**keys, **(defaults or {}))
            db.session.add(created)
        return created
    except IntegrityError:
        return db.session.scalar(query)


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip()[:limit] or None


def trainer_name_of_context(context_id: int) -> str | None:
    """The trainer who last opened this LMS course (printed on certificates)."""
    person = db.session.scalar(
        select(Person)
        .join(Enrollment, Enrollment.person_id == Person.id)
        .where(Enrollment.context_id == context_id,
               Enrollment.role.in_(lti_roles.TRAINER_ROLES))
        .order_by(Enrollment.last_launch_at.desc().nulls_last())
        .limit(1)
    )
    return person.display_name if person else None


def learner_enrollments(context_id: int) -> list[Enrollment]:
    """The LMS course's learners (trainers and admins are not), persons loaded."""
    return list(db.session.scalars(
        select(Enrollment)
        .join(Enrollment.person)
        .options(contains_eager(Enrollment.person))
        .where(Enrollment.context_id == context_id, Enrollment.role == ROLE_LEARNER)
        .order_by(Enrollment.id)
    ))


def learner_in_context(context_id: int, enrollment_id: int) -> Enrollment | None:
    """One learner's enrolment, only if it belongs to this LMS course."""
    return db.session.scalar(
        select(Enrollment)
        .join(Enrollment.person)
        .options(contains_eager(Enrollment.person))
        .where(Enrollment.id == enrollment_id, Enrollment.context_id == context_id,
               Enrollment.role == ROLE_LEARNER)
    )
