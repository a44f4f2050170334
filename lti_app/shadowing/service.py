"""The shadowing log: plan, submit, confirm or decline, reopen; every change recorded."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, case, func, select

from course_content.models import Library

from ..domain import DomainError
from ..extensions import db
from ..people.models import Enrollment
from ..signals import standing_changed
from ..timeutil import utc_now
from .models import CONFIRMED, DECLINED, PLANNED, SUBMITTED, ShadowDay, ShadowDayEvent

HOST_LINK_DAYS = 30
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


class ShadowDayInvalid(DomainError):
    """Input that breaks a rule, per form field (the form is shown again, filled in)."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors

    def user_message(self) -> str:
        return " ".join(self.errors.values())


class ShadowDayLocked(DomainError):
    def user_message(self) -> str:
        return _("This day is waiting for confirmation or already decided; it cannot be changed.")


class DayInFuture(DomainError):
    status = 422

    def user_message(self) -> str:
        return _("A day can only be confirmed once it has taken place.")


class ConfirmationLinkInvalid(DomainError):
    """Expired, used, replaced or tampered: the host gets one clear page."""

    status = 410

    def user_message(self) -> str:
        return _(
            "This confirmation link or code has expired or was already used. Ask the "
            "learner for a new link."
        )


@dataclass(frozen=True)
class DayInput:
    day: date
    host_library: Library | None  # None: another library, named in host_library_other
    host_library_other: str | None
    department: str | None = None
    host_contact_name: str | None = None
    host_contact_email: str | None = None
    learning_goals: str | None = None
    activities: str | None = None
    reflection: str | None = None  # None: keep the day's (ALACT replaced it)
    alact_action: str | None = None
    alact_looking_back: str | None = None
    alact_awareness: str | None = None
    alact_alternatives: str | None = None
    alact_trial: str | None = None
    focus_questions: tuple[str, ...] = ()  # "course/module" of each question


ALACT = ("alact_action", "alact_looking_back", "alact_awareness", "alact_alternatives",
         "alact_trial")


@dataclass(frozen=True)
class HostInvitation:
    token_id: str  # goes into the signed link
    code: str  # shown once; only its hash is stored


# -- the rules of a day (the service enforces them, the templates ask them) -----

def trainer_may_decide(day: ShadowDay) -> bool:
    """A trainer confirms or declines on the host's behalf until it is decided."""
    return day.status in (SUBMITTED, PLANNED)


def may_ask_confirmation(day: ShadowDay) -> bool:
    """The learner may (again) ask the host: before a decision, or after a no."""
    return day.status in (PLANNED, DECLINED, SUBMITTED)


def has_taken_place(day: ShadowDay, today: date) -> bool:
    """Only a day that has taken place can be confirmed (or sent to the host)."""
    return day.day <= today


def missing_reflection(day: ShadowDay) -> dict[str, str]:
    """The ALACT steps still empty, each with its message; {} when the day may be sent.

    A day logged before the ALACT steps, with its one free reflection, may be sent.
    """
    if day.reflection and not any(getattr(day, field) for field in ALACT):
        return {}
    messages = {
        "alact_action": _("Describe what you did and saw (step 1, action)."),
        "alact_looking_back": _("Look back on the day (step 2)."),
        "alact_awareness": _("Name what matters most (step 3, awareness)."),
        "alact_alternatives": _("Write down at least one alternative (step 4)."),
        "alact_trial": _("Say what you will try (step 5, trial)."),
    }
    return {field: messages[field] for field in ALACT if not (getattr(day, field) or "").strip()}


def library_error(host_library: Library | None, host_library_other: str | None) -> str | None:
    """The message when no host library is chosen or named, else None."""
    if host_library is None and not (host_library_other or "").strip():
        return _("Choose the host library, or name it under 'another library'.")
    return None


# -- reading --------------------------------------------------------------------

def days_of_person(person_id: int) -> list[ShadowDay]:
    return list(db.session.scalars(
        select(ShadowDay).where(ShadowDay.person_id == person_id)
        .order_by(ShadowDay.day.desc(), ShadowDay.id.desc())
    ))


def day_of_person(person_id: int, day_id: int) -> ShadowDay | None:
    return db.session.scalar(
        select(ShadowDay).where(ShadowDay.id == day_id, ShadowDay.person_id == person_id)
    )


def days_in_context(context_id: int, person_id: int | None = None) -> list[ShadowDay]:
    """The days logged in this LMS course (for its trainers), of one learner or all.

    Only the day's own course: a learner enrolled in two institutions' courses
    logs a day in one of them, and the other's trainers neither see nor decide it.
    """
    enrolled = select(Enrollment.person_id).where(Enrollment.context_id == context_id)
    query = select(ShadowDay).where(ShadowDay.context_id == context_id,
                                    ShadowDay.person_id.in_(enrolled))
    if person_id is not None:
        query = query.where(ShadowDay.person_id == person_id)
    return list(db.session.scalars(
        query.order_by((ShadowDay.status == SUBMITTED).desc(), ShadowDay.day.desc(),
                       ShadowDay.id.desc())
    ))


def day_in_context(context_id: int, day_id: int) -> ShadowDay | None:
    """A day its trainer may decide: logged in this LMS course, by a learner still in it."""
    enrolled = select(Enrollment.person_id).where(Enrollment.context_id == context_id)
    return db.session.scalar(
        select(ShadowDay).where(ShadowDay.id == day_id, ShadowDay.context_id == context_id,
                                ShadowDay.person_id.in_(enrolled))
    )


# The course overview counts them for every learner: built once (standing
# asks it as a column of the overview's one read).
CONFIRMED_DAY_COUNT = select(func.count(func.distinct(ShadowDay.day))).where(
    ShadowDay.person_id == bindparam("person_id"), ShadowDay.status == CONFIRMED)


def confirmed_day_count(person_id: int) -> int:
    """Confirmed days, each date once (two hosts on one date are one day)."""
    return db.session.scalar(CONFIRMED_DAY_COUNT, {"person_id": person_id}) or 0


def confirmed_days(person_id: int) -> list[ShadowDay]:
    """The confirmed days themselves, by date, each date once (the first logged):
    what a certificate lists, and as many as confirmed_day_count counts."""
    first_per_date = (
        select(func.min(ShadowDay.id))
        .where(ShadowDay.person_id == person_id, ShadowDay.status == CONFIRMED)
        .group_by(ShadowDay.day)
    )
    return list(db.session.scalars(
        select(ShadowDay).where(ShadowDay.id.in_(first_per_date)).order_by(ShadowDay.day)
    ))


def confirmed_day_counts(person_ids: list[int]) -> dict[int, int]:
    """The same for many people in one query (dashboards)."""
    if not person_ids:
        return {}
    return dict(db.session.execute(confirmed_days_query(person_ids)).all())


def confirmed_days_query(person_ids) -> Select:
    """(person_id, days) as a statement, for a dashboard that joins it in SQL;
    `person_ids` is a list or a subquery of ids."""
    return (
        select(ShadowDay.person_id, func.count(func.distinct(ShadowDay.day)).label("days"))
        .where(ShadowDay.person_id.in_(person_ids), ShadowDay.status == CONFIRMED)
        .group_by(ShadowDay.person_id)
    )


@dataclass(frozen=True)
class ShadowSummary:
    pending: int  # submitted: waiting for the host or a trainer
    logged: int  # in any status
    last_change_at: datetime | None


def shadow_summaries(person_ids: list[int],
                     context_id: int | None = None) -> dict[int, ShadowSummary]:
    """Pending and logged days and the last change per person, in one query
    (with `context_id`: only the days logged in that LMS course)."""
    if not person_ids:
        return {}
    rows = db.session.execute(shadow_summary_query(person_ids, context_id))
    return {
        person_id: ShadowSummary(int(pending or 0), int(logged), last)
        for person_id, pending, logged, last in rows
    }


def shadow_summary_query(person_ids, context_id: int | None = None) -> Select:
    """(person_id, pending, logged, last_change_at) as a statement, for a
    dashboard that joins it in SQL; `person_ids` is a list or a subquery."""
    in_context = [ShadowDay.context_id == context_id] if context_id is not None else []
    return (
        select(
            ShadowDay.person_id,
            func.sum(case((ShadowDay.status == SUBMITTED, 1), else_=0)).label("pending"),
            func.count(ShadowDay.id).label("logged"),
            func.max(ShadowDay.updated_at).label("last_change_at"),
        )
        .where(ShadowDay.person_id.in_(person_ids), *in_context)
        .group_by(ShadowDay.person_id)
    )


# -- the learner ----------------------------------------------------------------

def create_day(*, person_id: int, context_id: int | None, values: DayInput,
               actor_name: str | None) -> ShadowDay:
    day = ShadowDay(person_id=person_id, context_id=context_id, status=PLANNED)
    _apply(day, values)
    db.session.add(day)
    _record(day, "created", "learner", person_id, actor_name)
    db.session.flush()
    return day


def update_day(*, day: ShadowDay, values: DayInput, actor_name: str | None) -> ShadowDay:
    if not day.is_editable:
        raise ShadowDayLocked()
    reopened = day.status == DECLINED
    if reopened:
        day.status = PLANNED
        _record(day, "reopened", "learner", day.person_id, actor_name)
    _apply(day, values, existing_id=day.id)
    _record(day, "updated", "learner", day.person_id, actor_name)
    db.session.flush()
    if reopened:
        standing_changed.send("shadowing", person_id=day.person_id)
    return day


def delete_day(*, day: ShadowDay) -> None:
    if day.status not in (PLANNED, DECLINED):
        raise ShadowDayLocked()
    db.session.delete(day)
    db.session.flush()


def save_reflection(*, day: ShadowDay, steps: dict[str, str | None],
                    actor_name: str | None) -> None:
    """The ALACT steps written on the day's page, just before asking the host."""
    if not day.is_editable:
        raise ShadowDayLocked()
    changed = False
    for field in ALACT:
        value = (steps.get(field) or "").strip() or None
        if value != getattr(day, field):
            setattr(day, field, value)
            changed = True
    if changed:
        day.updated_at = utc_now()
        _record(day, "updated", "learner", day.person_id, actor_name)
        db.session.flush()


def submit_day(*, day: ShadowDay, actor_name: str | None, today: date) -> HostInvitation:
    """Ask for confirmation; returns the host's link id and short code."""
    if not may_ask_confirmation(day):
        raise ShadowDayLocked()
    if not has_taken_place(day, today):
        raise DayInFuture()
    missing = missing_reflection(day)
    if missing:
        raise ShadowDayInvalid(missing)
    action = "submitted" if day.status != SUBMITTED else "new_link"
    day.status = SUBMITTED
    invitation = _new_invitation(day)
    _record(day, action, "learner", day.person_id, actor_name)
    db.session.flush()
    return invitation


# -- the host and the trainer -----------------------------------------------------

def day_for_invitation(*, day_id: int, token_id: str) -> ShadowDay:
    day = db.session.get(ShadowDay, day_id)
    if (day is None or day.status != SUBMITTED or day.confirmation_id is None
            or not secrets.compare_digest(day.confirmation_id, token_id)
            or day.confirmation_expires_at < utc_now()):
        raise ConfirmationLinkInvalid()
    return day


def day_for_code(code: str) -> ShadowDay:
    normalized = code.strip().upper().replace("-", "").replace(" ", "")
    day = db.session.scalar(
        select(ShadowDay).where(ShadowDay.confirmation_code_hash == _hash(normalized))
    )
    if day is None or day.status != SUBMITTED or day.confirmation_expires_at < utc_now():
        raise ConfirmationLinkInvalid()
    return day


def decide(*, day: ShadowDay, is_confirmed: bool, by: str, by_name: str | None,
           by_person_id: int | None, comment: str | None, today: date) -> ShadowDay:
    """Confirm or decline: by the host (link or code) or a trainer on their behalf."""
    if by == "host" and day.status != SUBMITTED:
        raise ConfirmationLinkInvalid()
    if by == "trainer" and not trainer_may_decide(day):
        raise ShadowDayLocked()
    if is_confirmed and not has_taken_place(day, today):
        raise DayInFuture()
    if not is_confirmed and not (comment or "").strip():
        raise ShadowDayInvalid({"comment": _("Please give a reason for declining.")})
    day.status = CONFIRMED if is_confirmed else DECLINED
    day.decided_by, day.decided_by_name = by, (by_name or "").strip()[:200] or None
    day.decision_comment = (comment or "").strip() or None
    day.decided_at = day.updated_at = utc_now()
    # The link and code work once.
    day.confirmation_id = day.confirmation_code_hash = day.confirmation_expires_at = None
    _record(day, "confirmed" if is_confirmed else "declined", by, by_person_id, by_name,
            day.decision_comment)
    db.session.flush()
    standing_changed.send("shadowing", person_id=day.person_id)  # scores, same commit
    return day


# -- helpers ----------------------------------------------------------------------

def _apply(day: ShadowDay, values: DayInput, existing_id: int | None = None) -> None:
    errors = {}
    name = (values.host_library.name if values.host_library else
            (values.host_library_other or "").strip())
    if message := library_error(values.host_library, values.host_library_other):
        errors["host_library"] = message
    key = (values.host_library.id if values.host_library else f"other:{name.lower()}")[:220]
    if name and _is_duplicate(day.person_id, values.day, key, existing_id):
        errors["day"] = _("You already logged a day at this library on this date.")
    if errors:
        raise ShadowDayInvalid(errors)
    day.day = values.day
    day.host_library_id = values.host_library.id if values.host_library else None
    day.host_library_name = name[:200]
    day.host_key = key
    for field in ("department", "host_contact_name", "host_contact_email",
                  "learning_goals", "activities", *ALACT):
        setattr(day, field, (getattr(values, field) or "").strip() or None)
    if values.reflection is not None:
        day.reflection = values.reflection.strip() or None
    day.focus_questions = "\n".join(dict.fromkeys(values.focus_questions)) or None
    day.updated_at = utc_now()


def _is_duplicate(person_id: int, on: date, key: str, existing_id: int | None) -> bool:
    query = select(ShadowDay.id).where(and_(
        ShadowDay.person_id == person_id, ShadowDay.day == on, ShadowDay.host_key == key))
    if existing_id:
        query = query.where(ShadowDay.id != existing_id)
    return db.session.scalar(query) is not None


def _new_invitation(day: ShadowDay) -> HostInvitation:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    day.confirmation_id = secrets.token_urlsafe(24)
    day.confirmation_code_hash = _hash(code)
    day.confirmation_expires_at = utc_now() + timedelta(days=HOST_LINK_DAYS)
    return HostInvitation(day.confirmation_id, f"{code[:4]}-{code[4:]}")


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _record(day, action, kind, person_id, name, comment=None) -> None:
    day.events.append(ShadowDayEvent(action=action, actor_kind=kind, actor_person_id=person_id,
                                     actor_name=(name or "")[:200] or None, comment=comment))
