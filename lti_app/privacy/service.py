"""GDPR: export everything about one person; erase it, keeping only what a
valid certificate needs to stay verifiable and downloadable as issued (the
printed facts and the stored PDF), and no name of theirs on other people's rows.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from ..domain import DomainError
from ..extensions import db
from ..issuing.models import Certificate, CertificatePdf, NameRequest
from ..learning import service as learning
from ..learning.models import (
    GradeDelivery, ModuleProgress, QuizAttempt, ReflectionAnswer, ScenarioState,
)
from ..people.models import Enrollment, Person
from ..shadowing.models import DayAction, ShadowDay, ShadowDayEvent
from ..timeutil import utc_now


class PersonNotFound(DomainError):
    status = 404
    reason = "person_not_found"


def find_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        raise PersonNotFound(f"no person with id {person_id}")
    return person


def export_person(person_id: int) -> dict:
    """All data the tool holds about one person, as plain JSON-able values."""
    person = find_person(person_id)
    enrollments = db.session.scalars(
        select(Enrollment).where(Enrollment.person_id == person.id)).all()
    enrollment_ids = [e.id for e in enrollments]
    return {
        "person": {
            "id": person.id, "platform": person.platform.name, "sub": person.sub,
            "name": person.name, "given_name": person.given_name,
            "family_name": person.family_name, "email": person.email, "locale": person.locale,
            "created_at": _iso(person.created_at), "last_seen_at": _iso(person.last_seen_at),
            "erased": person.sub == f"erased-{person.id}",
        },
        "enrollments": [
            {"id": e.id, "course": e.context.title, "lms_course_id": e.context.lms_context_id,
             "role": e.role, "lti_roles": e.lti_roles, "last_launch_at": _iso(e.last_launch_at)}
            for e in enrollments
        ],
        "module_progress": [
            {"enrollment_id": p.enrollment_id, "course": p.course_slug, "module": p.module_slug,
             "read_at": _iso(p.read_at), "attempts": p.attempts, "best_percent": p.best_percent,
             "passed_at": _iso(p.passed_at)}
            for p in _rows(ModuleProgress, ModuleProgress.enrollment_id, enrollment_ids)
        ],
        "quiz_attempts": [
            {"course": a.course_slug, "module": a.module_slug, "answers": a.answers,
             "percent": a.percent, "passed": a.is_passed, "at": _iso(a.created_at)}
            for a in _rows(QuizAttempt, QuizAttempt.enrollment_id, enrollment_ids)
        ],
        # Private reflection answers and where they are in each scenario.
        "reflections": learning.reflections_of(person.id),
        "scenario_states": learning.scenario_states_of(person.id),
        "shadowing_days": [
            {"day": d.day.isoformat(), "host_library": d.host_library_name,
             "department": d.department, "host_contact_name": d.host_contact_name,
             "host_contact_email": d.host_contact_email, "learning_goals": d.learning_goals,
             "activities": d.activities, "reflection": d.reflection, "status": d.status,
             "decision_comment": d.decision_comment,
             "history": [{"action": e.action, "by": e.actor_kind, "at": _iso(e.created_at)}
                         for e in d.events]}
            for d in db.session.scalars(select(ShadowDay).where(ShadowDay.person_id == person.id))
        ],
        # Kept after an erase for a valid certificate: what it prints and its PDFs.
        "certificates": [
            {"course": c.course_slug, "course_title": (c.snapshot or {}).get("course_title"),
             "printed_name": c.learner_name, "state": c.state,
             "verification_code": c.verification_code, "issued_at": _iso(c.issued_at),
             "completed_on": _iso(c.completed_on), "language": c.language,
             "trainer_name": c.trainer_name, "revoked_reason": c.revoked_reason,
             "printed_facts": {k: v for k, v in (c.snapshot or {}).items()
                               if k in ("modules", "shadow_days", "organisers")},
             "stored_pdfs": [{"language": p.language, "sha256": p.sha256} for p in c.pdfs]}
            for c in db.session.scalars(select(Certificate).where(Certificate.person_id == person.id))
        ],
        "certificate_name_requests": [
            {"course": r.course_slug, "requested_name": r.requested_name, "lms_name": r.lms_name,
             "status": r.status, "refusal_reason": r.refusal_reason,
             "requested_at": _iso(r.requested_at), "decided_at": _iso(r.decided_at)}
            for r in db.session.scalars(select(NameRequest).where(NameRequest.person_id == person.id))
        ],
        "grades_sent_to_lms": [
            {"score": g.score_given, "maximum": g.score_maximum, "status": g.status,
             "delivered_at": _iso(g.delivered_at)}
            for g in _rows(GradeDelivery, GradeDelivery.enrollment_id, enrollment_ids)
        ],
    }


def erase_person(person_id: int) -> dict[str, int]:
    """Delete the person's data; a valid certificate stays verifiable and its PDF
    downloadable (printed facts and stored PDFs kept). Their name leaves other
    people's rows: days they decided, events they did, certificates they signed.

    The person row stays as an anonymous anchor for those certificates.
    """
    person = find_person(person_id)
    counts: dict[str, int] = {}
    # Before the enrolments go: they say which courses the person trained.
    counts["certificates_signed_for_others"] = _forget_signatures_by(person, _names_of(person))
    enrollment_ids = list(db.session.scalars(
        select(Enrollment.id).where(Enrollment.person_id == person.id)))
    for model, column in ((GradeDelivery, GradeDelivery.enrollment_id),
                          (ReflectionAnswer, ReflectionAnswer.enrollment_id),
                          (ScenarioState, ScenarioState.enrollment_id),
                          (QuizAttempt, QuizAttempt.enrollment_id),
                          (ModuleProgress, ModuleProgress.enrollment_id)):
        counts[model.__tablename__] = _delete(model, column.in_(enrollment_ids))
    counts["enrollments"] = _delete(Enrollment, Enrollment.person_id == person.id)
    day_ids = select(ShadowDay.id).where(ShadowDay.person_id == person.id)
    _delete(ShadowDayEvent, ShadowDayEvent.shadow_day_id.in_(day_ids))
    counts["shadow_days"] = _delete(ShadowDay, ShadowDay.person_id == person.id)
    # As a trainer in other people's history: keep the decision, not the name.
    counts["days_decided_for_others"] = _forget_decisions_by(person.id)
    db.session.execute(update(ShadowDayEvent).where(
        ShadowDayEvent.actor_person_id == person.id).values(actor_name=None, actor_person_id=None))
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.person_id == person.id)).all()
    kept = 0
    for certificate in certificates:
        if certificate.state != "valid":
            db.session.delete(certificate)
            continue
        kept += 1
        # What the PDF prints stays (a download in another language renders it);
        # the stored PDFs stay too: the certificate as issued.
        certificate.snapshot = _kept_snapshot(certificate.snapshot)
        certificate.revoked_reason = None
    counts["certificate_name_requests"] = _delete(NameRequest, NameRequest.person_id == person.id)
    counts["certificates_kept_for_verification"] = kept
    person.sub = f"erased-{person.id}"
    person.name = person.given_name = person.family_name = person.email = None
    person.locale = None
    db.session.flush()
    return counts


def inactive_people(days: int) -> list[int]:
    cutoff = utc_now() - timedelta(days=days)
    return list(db.session.scalars(
        select(Person.id).where(Person.last_seen_at < cutoff, ~Person.sub.like("erased-%"))))


# What a kept certificate's PDF prints (issuing.pdf.certificate_data reads them all).
PRINTED_FACTS = ("course_title", "wording", "organisers", "modules", "shadow_days",
                 "completed_on", "institution")


def _kept_snapshot(snapshot: dict) -> dict:
    return {key: snapshot[key] for key in PRINTED_FACTS if key in (snapshot or {})}


def _names_of(person: Person) -> set[str]:
    """The forms of the person's name that the tool printed or recorded."""
    full = " ".join(p for p in (person.given_name, person.family_name) if p)
    return {n.strip() for n in (person.display_name, person.name, full) if n and n.strip()}


def _forget_decisions_by(person_id: int) -> int:
    """Days of others this person confirmed or declined: the name goes, the decision stays."""
    decided = select(ShadowDayEvent.shadow_day_id, ShadowDayEvent.actor_name).where(
        ShadowDayEvent.actor_person_id == person_id,
        ShadowDayEvent.action.in_([DayAction.CONFIRMED, DayAction.DECLINED]),
    )
    changed = 0
    for day_id, actor_name in db.session.execute(decided).all():
        day = db.session.get(ShadowDay, day_id)
        if day is not None and day.decided_by_name and day.decided_by_name == (
            (actor_name or "").strip()[:200]
        ):
            day.decided_by_name = None
            changed += 1
    return changed


def _forget_signatures_by(person: Person, names: set[str]) -> int:
    """Certificates of others that print this person as trainer: issued by them,
    or printed with their name in a course they trained. Their stored PDFs go,
    so the next download renders the same facts without the name."""
    trained = select(Enrollment.context_id).where(Enrollment.person_id == person.id)
    signed = db.session.scalars(select(Certificate).where(
        Certificate.person_id != person.id,
        (Certificate.issued_by_person_id == person.id)
        | (Certificate.context_id.in_(trained) & Certificate.trainer_name.in_(sorted(names))),
    )).all()
    for certificate in signed:
        certificate.issued_by_person_id = None
        if certificate.trainer_name in names:
            certificate.trainer_name = None
            _delete(CertificatePdf, CertificatePdf.certificate_id == certificate.id)
    return len(signed)


def _rows(model, column, ids):
    if not ids:
        return []
    return db.session.scalars(select(model).where(column.in_(ids))).all()


def _delete(model, condition) -> int:
    return db.session.execute(delete(model).where(condition)).rowcount


def _iso(value):
    return value.isoformat() if value is not None else None
