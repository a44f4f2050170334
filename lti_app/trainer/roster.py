"""The course roster from the LMS, kept as Person and Enrollment rows.

The members (fetched by `lti/nrps.py`) become enrolments with has_launched False,
so the dashboard lists learners who never opened the tool. A refresh only adds
and updates: a member missing from the LMS's answer keeps their row and
progress, and a failed fetch changes nothing but the note of the failure.

A refresh is a background job (lti_app/jobs: RQ when FLASK_JOBS_REDIS_URL is
set, else a thread): the LMS may be slow, and no worker that serves pages
waits for it. `start_refresh` queues one (or finds the one already running);
the dashboard says "refreshing" until it is done and then shows its result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..jobs import service as jobs
from ..jobs.models import Job, JobStatus
from ..people.models import ROLE_ADMIN, Context, Enrollment, Person
from ..lti.roles import course_role
from ..platforms.models import Platform
from ..timeutil import utc_now
from .models import RosterSync
from ..lti.nrps import FetchedRoster, Member, RosterUnavailable, fetch_members

_CHUNK = 500  # ids per IN (...): far below every database's parameter limit
REFRESH_JOB = "roster_refresh"
# A queued or running refresh older than this is taken for lost (its process
# ended); a new one may start.
REFRESH_STALE = timedelta(minutes=10)
# The dashboard shows a finished refresh's result this long.
RESULT_SHOWN = timedelta(minutes=10)


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
    sync.member_count = count
    sync.is_complete = fetched.is_complete
    sync.last_error = None
    db.session.flush()
    return RefreshOutcome(members=count, added=added, is_complete=fetched.is_complete)


def start_refresh(context_id: int) -> tuple[Job, bool]:
    """The context's refresh job: the one queued or running, else a new one
    (flushed; the caller commits, then calls jobs.start). (job, is_new)."""
    running = active_refresh(context_id)
    if running is not None:
        return running, False
    return jobs.create_job(kind=REFRESH_JOB, context_id=context_id), True


def active_refresh(context_id: int) -> Job | None:
    return db.session.scalar(
        select(Job).where(
            Job.kind == REFRESH_JOB,
            Job.context_id == context_id,
            Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
            Job.created_at > utc_now() - REFRESH_STALE,
        ).order_by(Job.id.desc()).limit(1)
    )


def refresh_state(context_id: int) -> tuple[Job | None, RefreshOutcome | None]:
    """For the dashboard, in one query: the refresh running now, or the result
    of the last one when it worked and finished moments ago."""
    job = db.session.scalar(
        select(Job).where(Job.kind == REFRESH_JOB, Job.context_id == context_id)
        .order_by(Job.id.desc()).limit(1)
    )
    if job is None:
        return None, None
    now = utc_now()
    if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        return (job if job.created_at > now - REFRESH_STALE else None), None
    if job.status != JobStatus.DONE or not job.result or job.finished_at < now - RESULT_SHOWN:
        return None, None
    try:
        outcome = RefreshOutcome(**json.loads(job.result))
    except (ValueError, TypeError):
        return None, None
    return None, outcome if outcome.is_ok else None


@jobs.register(REFRESH_JOB)
def _refresh_job(job: Job, progress) -> tuple[bytes, str]:
    """The job: fetch and store; the members read so far are its progress."""
    context = db.session.get(Context, job.context_id)
    sync = db.session.scalar(select(RosterSync).where(RosterSync.context_id == context.id))

    def fetch(platform: Platform, url: str) -> FetchedRoster:
        return fetch_members(platform, url, on_page=lambda count: progress(count, 0))

    outcome = refresh_roster(context=context, sync=sync, fetch=fetch)
    db.session.commit()  # the members, or only the note of a failed attempt
    return json.dumps(asdict(outcome)).encode(), ""  # no file to download


def store_members(*, context: Context, members: list[Member]) -> tuple[int, int]:
    """Create or update persons and enrolments; returns (new enrolments, members)."""
    platform_id = context.deployment.platform_id
    active = {m.user_id: m for m in members if m.is_active}
    persons = _persons_by_sub(platform_id, list(active))
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
    enrollments = _enrollments_by_person(context.id, [p.id for p in persons.values()])
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


def _persons_by_sub(platform_id: int, subs: list[str]) -> dict[str, Person]:
    persons: dict[str, Person] = {}
    for chunk in _chunks(subs):
        query = select(Person).where(
            Person.platform_id == platform_id, Person.sub.in_(chunk)
        )
        persons.update({person.sub: person for person in db.session.scalars(query)})
    return persons


def _enrollments_by_person(
    context_id: int, person_ids: list[int]
) -> dict[int, Enrollment]:
    enrollments: dict[int, Enrollment] = {}
    for chunk in _chunks(person_ids):
        query = select(Enrollment).where(
            Enrollment.context_id == context_id, Enrollment.person_id.in_(chunk)
        )
        enrollments.update({e.person_id: e for e in db.session.scalars(query)})
    return enrollments


def _chunks(values: list) -> list[list]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]
