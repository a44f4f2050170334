"""Create or update persons, LMS courses, links and enrolments from a launch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..platforms.models import Deployment, Platform
from ..signals import link_bound, standing_changed
from ..timeutil import utc_now
from ..upsert import insert_or_existing
from .models import ROLE_LEARNER, Context, Enrollment, Person, ResourceLink
from .roles import TRAINER_ROLES


class PersonFacts(Protocol):
    """What a launch says about the person (lti.claims.PersonClaims has it)."""

    sub: str
    name: str | None
    given_name: str | None
    family_name: str | None
    email: str | None
    locale: str | None


class LaunchFacts(Protocol):
    """What a launch says about where it came from (lti.claims.LaunchClaims)."""

    person: PersonFacts
    context_id: str | None
    context_title: str | None
    context_label: str | None
    memberships_url: str | None
    lineitems_url: str | None
    ags_scopes: Sequence[str]
    resource_link_id: str | None
    resource_link_title: str | None
    lineitem_url: str | None
    custom: Mapping[str, Any]
    roles: Sequence[str]


@dataclass(frozen=True)
class LaunchRecords:
    person: Person
    context: Context
    resource_link: ResourceLink | None
    enrollment: Enrollment
    is_admin: bool


def record_launch(
    *, platform: Platform, deployment: Deployment, claims: LaunchFacts, role: str,
    is_admin: bool,
) -> LaunchRecords:
    """Write who launched from where, in `role`; flushes, the caller commits."""
    now = utc_now()
    # A launch without a context (e.g. from an admin page) still needs a home:
    # one per deployment, keyed by the deployment id.
    lms_context_id = claims.context_id or f"deployment:{deployment.deployment_id}"
    known = _returning_rows(platform=platform, deployment=deployment, sub=claims.person.sub,
                            lms_context_id=lms_context_id,
                            lms_resource_link_id=claims.resource_link_id)
    if known is None:  # the LMS course's first launch
        context = upsert_context(deployment=deployment, lms_context_id=lms_context_id)
        person = found_link = found_enrollment = None
    else:
        context, person, found_link, found_enrollment = known
    if person is None:
        person, person_is_new = add_person(platform=platform, claims=claims.person, now=now)
    else:
        person_is_new = False
        _update_person(person, claims.person)
    columns_before = (context.lineitems_url, context.ags_scopes)
    _assign(
        context,
        title=_fit(claims.context_title, 500) or context.title,
        label=_fit(claims.context_label, 200) or context.label,
        memberships_url=claims.memberships_url or context.memberships_url,
        lineitems_url=claims.lineitems_url or context.lineitems_url,
        ags_scopes=" ".join(claims.ags_scopes) if claims.ags_scopes else context.ags_scopes,
    )

    link, link_changed = None, False
    if claims.resource_link_id:
        link = found_link or upsert_resource_link(
            context=context, lms_resource_link_id=claims.resource_link_id)
        column_before = (link.course_slug, link.module_slug, link.lineitem_url)
        _assign(link, title=_fit(claims.resource_link_title, 500) or link.title,
                lineitem_url=claims.lineitem_url or link.lineitem_url)
        if link.course_slug is None:
            # Custom parameters (course=..., module=...), set by an admin or by
            # our own deep-linking response, bind the link on its first launch;
            # learning checks the slugs against the content before using them.
            link.course_slug = _fit(_stripped(claims.custom.get("course")), 100)
            link.module_slug = (_fit(_stripped(claims.custom.get("module")), 100)
                                if link.course_slug else None)
        link_changed = (link.course_slug, link.module_slug, link.lineitem_url) != column_before

    lti_roles = " ".join(claims.roles)[:2000]
    enrollment, enrollment_is_new = found_enrollment, False
    if enrollment is None:
        enrollment, enrollment_is_new = add_enrollment(
            person=person, context=context, role=role, lti_roles=lti_roles, now=now)
    # Her standing in this course can only have changed for the gradebook when
    # she is new here, comes back in another role, or the course's columns or
    # scopes changed; every other change to it (a quiz, a day, a certificate,
    # a link bound) restates it where it happens.
    standing_may_differ = (
        enrollment_is_new or not enrollment.has_launched or enrollment.role != role
        or (context.lineitems_url, context.ags_scopes) != columns_before
    )
    _assign(enrollment, role=role, lti_roles=lti_roles, has_launched=True)
    db.session.flush()  # new rows and changed columns only
    _touch(None if person_is_new else person, None if enrollment_is_new else enrollment, now)
    # In the launch's transaction: a link bound now (custom parameters, our
    # deep-linking response) or given its column gets every learner's score,
    # and the learner's own columns get the newest standing (a first launch).
    if link_changed and link.course_slug:
        link_bound.send("people", link_id=link.id)
    if standing_may_differ:  # a person made just now has nothing recorded to count
        standing_changed.send("people", person_id=person.id, context_id=context.id,
                              enrollment_id=enrollment.id, nothing_recorded=person_is_new)
    return LaunchRecords(person, context, link, enrollment, is_admin)


@cache
def _returning_statement():
    # Built once: the LMS course with the person, the link and the enrolment
    # where they exist, in one SELECT (a class's first launches find the course
    # and only add the person and the enrolment).
    link_id, deployment_id = bindparam("link_id"), bindparam("deployment_id")
    return (
        select(Context, Person, ResourceLink, Enrollment)
        .select_from(Context)
        .outerjoin(Person, and_(Person.platform_id == bindparam("platform_id"),
                                Person.sub == bindparam("sub")))
        .outerjoin(ResourceLink, and_(ResourceLink.context_id == Context.id,
                                      ResourceLink.lms_resource_link_id == link_id))
        .outerjoin(Enrollment, and_(Enrollment.person_id == Person.id,
                                    Enrollment.context_id == Context.id))
        .where(Context.deployment_id == deployment_id,
               Context.lms_context_id == bindparam("context_id"))
    )


def _returning_rows(*, platform: Platform, deployment: Deployment, sub: str,
                    lms_context_id: str, lms_resource_link_id: str | None):
    """(context, person, link, enrolment; each of the last three None where it is
    not there yet) when the LMS course is known, else None."""
    return db.session.execute(_returning_statement(), {
        "platform_id": platform.id, "sub": sub, "deployment_id": deployment.id,
        "context_id": lms_context_id, "link_id": lms_resource_link_id,
    }).first()


def add_person(*, platform: Platform, claims: PersonFacts, now) -> tuple[Person, bool]:
    """The person of a launch and whether this transaction made her: one INSERT
    with what the launch says, or (she is there: two first launches at once, or
    her first launch in another LMS course) the row that is there, updated."""
    person, made = insert_or_existing(
        Person, ("platform_id", "sub"), platform_id=platform.id, sub=claims.sub,
        name=_fit(claims.name, 300), given_name=_fit(claims.given_name, 200),
        family_name=_fit(claims.family_name, 200), email=_fit(claims.email, 320),
        locale=_fit(claims.locale, 20), created_at=now, last_seen_at=now)
    if not made:
        _update_person(person, claims)
    return person, made


def _update_person(person: Person, claims: PersonFacts) -> None:
    # Privacy settings may strip name and email; keep what we had then.
    _assign(
        person,
        name=_fit(claims.name, 300) or person.name,
        given_name=_fit(claims.given_name, 200) or person.given_name,
        family_name=_fit(claims.family_name, 200) or person.family_name,
        email=_fit(claims.email, 320) or person.email,
        locale=_fit(claims.locale, 20) or person.locale,
    )


# A person's last_seen_at serves the retention rule, which counts days, and the
# privacy export: to the hour is exact enough, and a learner who opens three
# links of her course within an hour then costs one write of it, not three.
# (An enrolment's last_launch_at, which trainers read, moves on every launch.)
LAST_SEEN_PRECISION = timedelta(hours=1)


def _touch(person: Person | None, enrollment: Enrollment | None, now) -> None:
    """The launch's timestamps, as plain UPDATEs: through the unit of work they
    cost more than all the other writes of a returning launch. None: a row this
    launch made (with the timestamp already)."""
    if person is not None and now - person.last_seen_at < LAST_SEEN_PRECISION:
        person = None  # seen within the hour: only the enrolment moves
    touch_person, touch_enrollment = _touch_statements()
    connection = db.session.connection()  # plain statements: no ORM work per execute
    for row, statement, column in ((person, touch_person, "last_seen_at"),
                                   (enrollment, touch_enrollment, "last_launch_at")):
        if row is not None:
            connection.execute(statement, {"pk": row.id, "now": now})
            set_committed_value(row, column, now)


@cache
def _touch_statements():
    persons, enrollments = Person.__table__, Enrollment.__table__
    return (
        update(persons).where(persons.c.id == bindparam("pk"))
        .values(last_seen_at=bindparam("now", type_=persons.c.last_seen_at.type)),
        update(enrollments).where(enrollments.c.id == bindparam("pk"))
        .values(last_launch_at=bindparam("now", type_=enrollments.c.last_launch_at.type)),
    )


def _assign(row, **values) -> None:
    """Set only what changed: an unchanged row then costs the flush nothing (a
    returning learner's launch updates two timestamps, not four rows)."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def upsert_context(*, deployment: Deployment, lms_context_id: str) -> Context:
    return _get_or_create(Context, deployment_id=deployment.id, lms_context_id=lms_context_id)


def upsert_resource_link(*, context: Context, lms_resource_link_id: str) -> ResourceLink:
    return _get_or_create(ResourceLink, context_id=context.id,
                          lms_resource_link_id=lms_resource_link_id)


def add_enrollment(*, person: Person, context: Context, role: str, lti_roles: str,
                   now) -> tuple[Enrollment, bool]:
    """Her enrolment in the LMS course and whether this transaction made it (one
    INSERT), else the one a launch at the same moment made."""
    return insert_or_existing(
        Enrollment, ("person_id", "context_id"), person_id=person.id, context_id=context.id,
        role=role, lti_roles=lti_roles, has_launched=True, created_at=now, last_launch_at=now)


def _get_or_create(model, **keys):
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
            created = model(**keys)
            db.session.add(created)
        return created
    except IntegrityError:
        return db.session.scalar(query)


def _fit(value: str | None, limit: int) -> str | None:
    """A claim's text cut to its column (the claims come stripped, or None)."""
    return value[:limit] if value else None


def _stripped(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def trainer_name_of_context(context_id: int) -> str | None:
    """The trainer who last opened this LMS course (printed on certificates)."""
    person = db.session.scalar(
        select(Person)
        .join(Enrollment, Enrollment.person_id == Person.id)
        .where(Enrollment.context_id == context_id,
               Enrollment.role.in_(TRAINER_ROLES))
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
