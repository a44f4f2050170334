"""The course roster from the LMS (LTI Names and Role Provisioning Services 2.0).

The members become Person and Enrollment rows (has_launched False), so the
dashboard lists learners who never opened the tool. A refresh only adds and
updates: a member missing from the LMS's answer keeps their row and progress,
and a failed fetch changes nothing but the note of the failure.

pylti1p3's NamesRolesProvisioningService is not used for the pages: its
ServiceConnector lowercases the whole `Link` header before reading the next
page's URL, which breaks case-sensitive page tokens (Canvas), and it follows
pages without a limit. Only its access token request is reused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
from flask_babel import gettext as _
from pylti1p3.exception import LtiServiceException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..lti.services import TimeoutSession, service_connector
from ..people.models import ROLE_ADMIN, Context, Enrollment, Person
from ..people.roles import course_role
from ..platforms.models import Platform
from ..timeutil import utc_now
from .models import RosterSync

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
PAGE_SIZE = 100
PAGE_CAP = 50  # 5,000 members; a larger course gets a partial roster and a note
# The trainer waits for the answer (no background job yet): stop asking for
# more pages after this many seconds and keep what arrived.
TIME_BUDGET = 8.0
CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 5.0  # per page, and never past the time budget
_CHUNK = 500  # ids per IN (...): far below every database's parameter limit


class RosterUnavailable(Exception):
    """The LMS gave no usable roster; `code` says why (see `failure_message`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Member:
    user_id: str
    roles: tuple[str, ...]
    name: str | None
    given_name: str | None
    family_name: str | None
    email: str | None
    is_active: bool


@dataclass(frozen=True)
class FetchedRoster:
    members: list[Member]
    is_complete: (
        bool  # False: stopped by the page cap, the time budget or a foreign link
    )


@dataclass(frozen=True)
class RefreshOutcome:
    error: str | None = None
    members: int = 0
    added: int = 0
    is_complete: bool = True

    @property
    def is_ok(self) -> bool:
        return self.error is None


Fetch = Callable[[Platform, str], FetchedRoster]


def fetch_members(
    platform: Platform,
    memberships_url: str,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> FetchedRoster:
    """Every page of the roster, within PAGE_CAP pages and TIME_BUDGET seconds."""
    deadline = clock() + TIME_BUDGET
    try:
        token = service_connector(platform).get_access_token([NRPS_SCOPE])
    except LtiServiceException as exc:
        raise RosterUnavailable(f"token:{exc.response.status_code}") from None
    except requests.Timeout:
        raise RosterUnavailable("timeout") from None
    except (requests.RequestException, ValueError, KeyError):
        raise RosterUnavailable("unreachable") from None
    session = TimeoutSession()
    headers = {"Authorization": f"Bearer {token}", "Accept": MEMBERSHIPS_TYPE}
    members: list[Member] = []
    url: str | None = _with_limit(memberships_url)
    pages = 0
    while url:
        if pages == PAGE_CAP or clock() >= deadline:
            return FetchedRoster(members, is_complete=False)
        read_timeout = max(1.0, min(READ_TIMEOUT, deadline - clock()))
        body, next_url = _get_page(
            session, url, headers, (CONNECT_TIMEOUT, read_timeout)
        )
        members += _members_of(body)
        pages += 1
        if next_url and not _same_origin(next_url, memberships_url):
            # The bearer token goes to the LMS that issued it, nowhere else.
            return FetchedRoster(members, is_complete=False)
        url = next_url
    return FetchedRoster(members, is_complete=True)


def refresh_roster(
    *, context: Context, sync: RosterSync | None, fetch: Fetch = fetch_members
) -> RefreshOutcome:
    """Fetch the roster and store it; flushes, the caller commits either way."""
    attempted_at = utc_now()
    error, fetched, added, count = None, None, 0, 0
    if not context.memberships_url:
        error = "no_nrps"
    else:
        # Nothing is written before the fetch: no write lock is held while the
        # LMS answers (SQLite has one writer, and the tool key may be created
        # in its own transaction while fetching the token).
        try:
            fetched = fetch(context.deployment.platform, context.memberships_url)
        except RosterUnavailable as exc:
            error = exc.code
    if sync is None:
        sync = RosterSync(context_id=context.id)
        db.session.add(sync)
    sync.last_attempt_at = attempted_at
    if fetched is not None:
        try:
            with db.session.begin_nested():
                added, count = store_members(context=context, members=fetched.members)
        except IntegrityError:  # another trainer's refresh inserted the same people
            error = "busy"
    if error is not None:
        sync.last_error = error
        db.session.flush()
        return RefreshOutcome(error=error)
    sync.refreshed_at = attempted_at
    sync.member_count, sync.is_complete, sync.last_error = (
        count,
        fetched.is_complete,
        None,
    )
    db.session.flush()
    return RefreshOutcome(members=count, added=added, is_complete=fetched.is_complete)


def store_members(*, context: Context, members: list[Member]) -> tuple[int, int]:
    """Create or update persons and enrolments; returns (new enrolments, members)."""
    platform_id = context.deployment.platform_id
    active = {m.user_id: m for m in members if m.is_active}
    persons = {}
    for chunk in _chunks(list(active)):
        persons.update(
            {
                p.sub: p
                for p in db.session.scalars(
                    select(Person).where(
                        Person.platform_id == platform_id, Person.sub.in_(chunk)
                    )
                )
            }
        )
    for sub, member in active.items():
        person = persons.get(sub)
        if person is None:
            person = persons[sub] = Person(platform_id=platform_id, sub=sub)
            db.session.add(person)
        # A privacy setting may hide names; keep what we knew then.
        person.name = member.name or person.name
        person.given_name = member.given_name or person.given_name
        person.family_name = member.family_name or person.family_name
        person.email = member.email or person.email
    db.session.flush()
    enrollments = {}
    for chunk in _chunks([p.id for p in persons.values()]):
        enrollments.update(
            {
                e.person_id: e
                for e in db.session.scalars(
                    select(Enrollment).where(
                        Enrollment.context_id == context.id,
                        Enrollment.person_id.in_(chunk),
                    )
                )
            }
        )
    added = 0
    for sub, member in active.items():
        person = persons[sub]
        role = course_role(member.roles)
        enrollment = enrollments.get(person.id)
        if enrollment is None:
            enrollment = Enrollment(
                person_id=person.id,
                context_id=context.id,
                role=role,
                has_launched=False,
            )
            db.session.add(enrollment)
            added += 1
        elif enrollment.role != ROLE_ADMIN:
            # NRPS lists course roles only: an institution admin would look
            # like a teacher here, so their launch role stands.
            enrollment.role = role
        if not enrollment.has_launched:
            enrollment.lti_roles = " ".join(member.roles)[:2000]
    db.session.flush()
    return added, len(active)


def failure_message(code: str) -> str:
    kind, _sep, status = code.partition(":")
    if kind == "no_nrps":
        return no_nrps_message()
    if kind == "token" or status in ("401", "403"):
        return _(
            "The LMS refused to give the course roster (HTTP %(status)s). Ask the LMS "
            'administrator to enable "IMS LTI Names and Role Provisioning" for this '
            "tool. The learners shown are unchanged.",
            status=status or "?",
        )
    if kind == "http":
        return _(
            "The LMS could not give the course roster just now (HTTP %(status)s). "
            "Nothing was changed; please try again later.",
            status=status,
        )
    if kind == "timeout" or kind == "unreachable":
        return _(
            "The LMS did not answer in time. Nothing was changed; please try again "
            "later."
        )
    if kind == "busy":
        return _(
            "Another refresh of the roster was running at the same time. Nothing was "
            "changed; please try again."
        )
    return _(
        "The LMS sent a course roster that the tool could not read. Nothing was "
        "changed."
    )


def no_nrps_message() -> str:
    return _(
        "The LMS does not share this course's roster with the tool, so only learners "
        'who opened the tool are listed. An LMS administrator can enable "IMS LTI '
        "Names and Role Provisioning\" in the tool's settings (Moodle: Site "
        "administration › Plugins › Activity modules › External tool › Manage tools; "
        "Canvas: the Names and Role scope of the developer key)."
    )


# -- helpers --------------------------------------------------------------------------


def _get_page(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    timeout: tuple[float, float],
) -> tuple[Any, str | None]:
    try:
        response = session.get(url, headers=headers, timeout=timeout)
    except requests.Timeout:
        raise RosterUnavailable("timeout") from None
    except requests.RequestException:
        raise RosterUnavailable("unreachable") from None
    if not response.ok:
        raise RosterUnavailable(f"http:{response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise RosterUnavailable("invalid") from None
    # requests parses `Link` without changing the URL's case (unlike pylti1p3).
    nexts = [
        link.get("url") for rel, link in response.links.items() if rel.lower() == "next"
    ]
    return body, urljoin(url, nexts[0]) if nexts and nexts[0] else None


def _members_of(body: Any) -> list[Member]:
    if not isinstance(body, dict) or not isinstance(body.get("members"), list):
        raise RosterUnavailable("invalid")
    members = []
    for item in body["members"]:
        user_id = item.get("user_id") if isinstance(item, dict) else None
        if not isinstance(user_id, str) or not user_id.strip():
            continue  # one odd entry should not cost the whole roster
        roles = tuple(r for r in item.get("roles") or [] if isinstance(r, str))
        members.append(
            Member(
                user_id=user_id.strip()[:255],
                roles=roles,
                name=_text(item.get("name"), 300),
                given_name=_text(item.get("given_name"), 200),
                family_name=_text(item.get("family_name"), 200),
                email=_text(item.get("email"), 320),
                # "Inactive" and "Deleted" members are not (any more) in the course.
                is_active=item.get("status", "Active") == "Active",
            )
        )
    return members


def _with_limit(url: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(key == "limit" for key, _value in query):
        query.append(("limit", str(PAGE_SIZE)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _same_origin(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _chunks(values: list) -> list[list]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip()[:limit] or None
