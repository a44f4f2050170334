"""Issue, revoke and re-issue certificates; the PDF bytes are kept as issued.

Services flush and never commit. Rendering happens here, once per language.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from certificates import codes
from certificates.printed import PrintedFacts, printed_facts
from course_content.models import Course

from ..completion import CourseStatus, course_status
from ..domain import DomainError
from ..extensions import db
from ..learning.service import progress_by_enrollment
from ..people.models import Enrollment
from ..people.service import learner_enrollments
from ..shadowing.service import confirmed_day_counts
from ..signals import standing_changed
from ..timeutil import utc_now
from .models import Certificate, CertificatePdf, NameRequest, NameRequestStatus
from .pdf import certificate_data, data_from_snapshot, render_pdf
from .snapshot import build_snapshot

NAME_LIMIT = 120


class NotEligible(DomainError):
    status = 403

    def user_message(self) -> str:
        return _("The course's requirements are not met yet, so there is no certificate yet.")


class NameRequired(DomainError):
    status = 422

    def user_message(self) -> str:
        return _("Enter the name as it should be printed (at most 120 characters).")


class ReasonRequired(DomainError):
    status = 422

    def user_message(self) -> str:
        return _("Give a reason to revoke a certificate.")


class CertificateNotValid(DomainError):
    def user_message(self) -> str:
        return _("This certificate was revoked or replaced; it cannot be changed.")


class CertificateRevoked(DomainError):
    """The person's certificate for the course was revoked: the learner cannot
    get it again; the trainer can, deliberately (issue_certificate's
    after_revocation)."""

    def user_message(self) -> str:
        return _("This certificate was revoked. Only the course's trainer can issue it "
                 "again: choose “Issue again” on the certificates page and confirm.")


class PdfUnavailable(DomainError):
    """No stored PDF in this language, and too few of the printed facts are left
    to make one: a learner erased before erasing kept them (still verifiable)."""

    status = 410
    reason = "pdf_unavailable"
    template = "issuing/pdf_unavailable.html"

    def __init__(self, stored_languages: list[str]) -> None:
        super().__init__(stored_languages)
        self.stored_languages = stored_languages

    def title(self) -> str:
        return _("This PDF cannot be made")

    def user_message(self) -> str:
        if self.stored_languages:
            return _("This certificate's PDF cannot be made in this language: the learner's "
                     "data was erased. The PDF as issued is still available in %(languages)s.",
                     languages=", ".join(_language_name(code) for code in self.stored_languages))
        return _("This certificate's PDF cannot be made any more: the learner's data was "
                 "erased. The certificate can still be verified.")

    def page_context(self) -> dict:
        """The stored PDFs, linked by the page (the same URL in their language)."""
        return {"stored": [(code, _language_name(code)) for code in self.stored_languages]}


def _language_name(code: str) -> str:
    """"Dutch" on an English page, "Nederlands" on a Dutch one."""
    return Locale.parse(code).get_display_name(get_locale())


class NameRequestDecided(DomainError):
    def user_message(self) -> str:
        return _("This name request has already been decided.")


@dataclass(frozen=True)
class VerifiedDay:
    day: date
    host: str
    confirmed_by: str | None  # "host" | "trainer"; None: not recorded (older certificates)


@dataclass(frozen=True)
class Verification:
    state: str  # valid | revoked | superseded
    learner_name: str
    course_slug: str
    completed_on: date | None
    issued_at: str
    institution: str | None = None  # None: not recorded (issued before it was)
    shadow_days: tuple[VerifiedDay, ...] = ()


def _is_current():
    """Current: neither revoked nor replaced (Certificate.state == "valid")."""
    return Certificate.revoked_at.is_(None) & Certificate.superseded_at.is_(None)


def is_current(certificate: Certificate) -> bool:
    return certificate.revoked_at is None and certificate.superseded_at is None


def split_current(
    certificates: list[Certificate],
) -> tuple[Certificate | None, list[Certificate]]:
    """(the current certificate, the others: revoked or replaced), order kept."""
    current = next((c for c in certificates if is_current(c)), None)
    return current, [c for c in certificates if not is_current(c)]


def current_certificate(person_id: int, course_slug: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.person_id == person_id,
            Certificate.course_slug == course_slug,
            _is_current(),
        )
    )


def current_certificates(person_ids: list[int], course_slug: str) -> dict[int, Certificate]:
    """Each person's current certificate for the course, in one query (dashboards)."""
    if not person_ids:
        return {}
    rows = db.session.scalars(
        select(Certificate).where(
            Certificate.person_id.in_(person_ids),
            Certificate.course_slug == course_slug,
            _is_current(),
        )
    )
    return {c.person_id: c for c in rows}


def revoked_certificate(person_id: int, course_slug: str) -> Certificate | None:
    """The revocation that stands: the person's latest certificate for the course,
    when it is revoked and none is current. Until the trainer issues again, the
    learner cannot get one."""
    latest = db.session.scalar(
        select(Certificate)
        .where(Certificate.person_id == person_id, Certificate.course_slug == course_slug)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(1)
    )
    if latest is None or latest.revoked_at is None:
        return None
    return None if current_certificate(person_id, course_slug) else latest


def revoked_certificates(person_ids: list[int], course_slug: str) -> dict[int, Certificate]:
    """revoked_certificate for many people in one query (the trainer's page)."""
    if not person_ids:
        return {}
    latest: dict[int, Certificate] = {}
    current: set[int] = set()
    for certificate in db.session.scalars(
        select(Certificate)
        .where(Certificate.person_id.in_(person_ids), Certificate.course_slug == course_slug)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ):
        latest.setdefault(certificate.person_id, certificate)
        if is_current(certificate):
            current.add(certificate.person_id)
    return {person_id: c for person_id, c in latest.items()
            if c.revoked_at is not None and person_id not in current}


class EligibilityRow(NamedTuple):
    enrollment: Enrollment  # .person loaded
    status: CourseStatus
    certificate: Certificate | None  # the current one


def eligibility_rows(*, context_id: int, course: Course) -> list[EligibilityRow]:
    """Every learner of the LMS course with their standing and current
    certificate: one query per kind of data, never one per learner."""
    learners = learner_enrollments(context_id)
    person_ids = [e.person_id for e in learners]
    current = current_certificates(person_ids, course.slug)
    progress = progress_by_enrollment([e.id for e in learners], course.slug)
    days = confirmed_day_counts(person_ids)
    return [
        EligibilityRow(
            enrollment,
            course_status(course, progress.get(enrollment.id, {}),
                          days.get(enrollment.person_id, 0)),
            current.get(enrollment.person_id),
        )
        for enrollment in learners
    ]


def latest_revocations(person_ids: list[int], course_slug: str) -> dict[int, datetime]:
    """When each person's last revoked certificate for the course was revoked."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(Certificate.person_id, func.max(Certificate.revoked_at))
        .where(
            Certificate.person_id.in_(person_ids),
            Certificate.course_slug == course_slug,
            Certificate.revoked_at.is_not(None),
        )
        .group_by(Certificate.person_id)
    )
    # max() keeps the column's type: aware UTC datetimes on every backend.
    return {person_id: revoked for person_id, revoked in rows if revoked}


def certificates_of_person(person_id: int, course_slug: str) -> list[Certificate]:
    """Every certificate (current, revoked, superseded) of a person for a course."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.person_id == person_id,
                Certificate.course_slug == course_slug,
            )
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def certificates_in_context(context_id: int) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.context_id == context_id)
        .order_by(Certificate.issued_at.desc())
    ))


def certificate_in_context(context_id: int, certificate_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.id == certificate_id, Certificate.context_id == context_id))


def certificate_of_person(person_id: int, certificate_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.id == certificate_id, Certificate.person_id == person_id))


def issue_certificate(
    *, person_id: int, context_id: int | None, course: Course, status: CourseStatus,
    learner_name: str, language: str, trainer_name: str | None,
    issued_by_person_id: int | None, after_revocation: bool = False,
) -> Certificate:
    """Issue once; asking again gives the same certificate. After a revocation
    only a trainer's deliberate `after_revocation` issues a new one."""
    existing = current_certificate(person_id, course.slug)
    if existing is not None:
        return existing
    if not after_revocation and revoked_certificate(person_id, course.slug) is not None:
        raise CertificateRevoked()
    if not status.is_complete:
        raise NotEligible()
    name = _clean_name(learner_name)
    snapshot = build_snapshot(person_id=person_id, course=course)
    completed_on = snapshot["completed_on"]  # ISO in the JSON snapshot
    certificate = Certificate(
        person_id=person_id, context_id=context_id, course_slug=course.slug,
        course_version=course.version, verification_code=new_verification_code(),
        learner_name=name, language=language if language in ("nl", "en") else "nl",
        completed_on=date.fromisoformat(completed_on) if completed_on else None,
        trainer_name=(trainer_name or "")[:200] or None, snapshot=snapshot, issued_at=utc_now(),
        issued_by_person_id=issued_by_person_id,
    )
    db.session.add(certificate)
    db.session.flush()
    pdf_for(certificate, certificate.language)
    standing_changed.send("issuing", person_id=person_id)  # scores, same commit
    return certificate


def same_name(a: str | None, b: str | None) -> bool:
    """The same name, ignoring case and spacing ("anna  DE vries" = "Anna de Vries")."""
    return bool(a and b) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def request_certificate(
    *, person_id: int, context_id: int | None, course: Course, status: CourseStatus,
    learner_name: str, lms_name: str | None, language: str, trainer_name: str | None,
) -> Certificate | NameRequest:
    """The learner asks for the certificate. With the name the LMS sent it is
    issued at once; with another name (or when the LMS sent none) the request
    waits for the course's trainer (approve_name / refuse_name). After a
    revocation the learner cannot ask (CertificateRevoked)."""
    existing = current_certificate(person_id, course.slug)
    if existing is not None:
        return existing
    if revoked_certificate(person_id, course.slug) is not None:
        raise CertificateRevoked()
    if not status.is_complete:
        raise NotEligible()
    name = _clean_name(learner_name)
    if same_name(name, lms_name):
        return issue_certificate(
            person_id=person_id, context_id=context_id, course=course, status=status,
            learner_name=name,
            language=language, trainer_name=trainer_name, issued_by_person_id=None,
        )
    request = name_request_of(person_id, course.slug) or NameRequest(
        person_id=person_id, course_slug=course.slug)
    request.context_id = context_id
    request.requested_name = name
    request.lms_name = (lms_name or "")[:300] or None
    request.language = language if language in ("nl", "en") else "nl"
    request.status = NameRequestStatus.PENDING
    request.refusal_reason = request.decided_at = request.decided_by_person_id = None
    request.certificate_id = None
    request.requested_at = utc_now()
    db.session.add(request)
    db.session.flush()
    return request


def name_request_of(person_id: int, course_slug: str) -> NameRequest | None:
    return db.session.scalar(select(NameRequest).where(
        NameRequest.person_id == person_id, NameRequest.course_slug == course_slug))


def pending_name_requests(context_id: int, course_slug: str) -> list[NameRequest]:
    """The names waiting for this LMS course's trainer, oldest first."""
    return list(db.session.scalars(
        select(NameRequest).where(
            NameRequest.context_id == context_id, NameRequest.course_slug == course_slug,
            NameRequest.status == NameRequestStatus.PENDING,
        ).order_by(NameRequest.requested_at, NameRequest.id)
    ))


def enrollment_of(person_id: int, context_id: int | None) -> Enrollment | None:
    """The person's enrolment in the LMS course where they asked."""
    if context_id is None:
        return None
    return db.session.scalar(select(Enrollment).where(
        Enrollment.person_id == person_id, Enrollment.context_id == context_id))


def name_request_in_context(context_id: int, request_id: int) -> NameRequest | None:
    return db.session.scalar(select(NameRequest).where(
        NameRequest.id == request_id, NameRequest.context_id == context_id))


def approve_name(
    *, request: NameRequest, course: Course, status: CourseStatus, trainer_name: str | None,
    decided_by_person_id: int,
) -> Certificate:
    """The trainer vouches for the name: the certificate is issued with it."""
    if request.status != NameRequestStatus.PENDING:
        raise NameRequestDecided()
    certificate = issue_certificate(
        person_id=request.person_id, context_id=request.context_id, course=course,
        status=status, learner_name=request.requested_name, language=request.language,
        trainer_name=trainer_name, issued_by_person_id=decided_by_person_id,
    )
    request.status = NameRequestStatus.APPROVED
    request.decided_at = utc_now()
    request.decided_by_person_id = decided_by_person_id
    request.certificate_id = certificate.id
    db.session.flush()
    return certificate


def refuse_name(*, request: NameRequest, reason: str, decided_by_person_id: int) -> NameRequest:
    """Not this name; the learner sees the reason and may ask again."""
    if request.status != NameRequestStatus.PENDING:
        raise NameRequestDecided()
    if not (reason or "").strip():
        raise ReasonRequired()
    request.status = NameRequestStatus.REFUSED
    request.refusal_reason = reason.strip()[:2000]
    request.decided_at = utc_now()
    request.decided_by_person_id = decided_by_person_id
    db.session.flush()
    return request


def pdf_for(certificate: Certificate, language: str) -> CertificatePdf:
    """The stored PDF in this language, rendered and kept on first request."""
    for pdf in certificate.pdfs:
        if pdf.language == language:
            return pdf
    try:
        facts = certificate_data(certificate, language)
    except (KeyError, TypeError) as error:  # an erase before its fix kept too few facts
        raise PdfUnavailable([pdf.language for pdf in certificate.pdfs]) from error
    data = render_pdf(facts)
    pdf = CertificatePdf(certificate=certificate, language=language, pdf=data,
                         sha256=hashlib.sha256(data).hexdigest())
    db.session.add(pdf)
    db.session.flush()
    return pdf


def revoke(*, certificate: Certificate, reason: str) -> Certificate:
    if not is_current(certificate):
        raise CertificateNotValid()
    if not reason.strip():
        raise ReasonRequired()
    certificate.revoked_at = utc_now()
    certificate.revoked_reason = reason.strip()[:2000]
    db.session.flush()
    standing_changed.send("issuing", person_id=certificate.person_id)
    return certificate


def reissue(*, certificate: Certificate, learner_name: str,
            issued_by_person_id: int | None) -> Certificate:
    """A corrected name: a new certificate and code; the old one shows as superseded."""
    if not is_current(certificate):
        raise CertificateNotValid()
    new = Certificate(
        person_id=certificate.person_id, context_id=certificate.context_id,
        course_slug=certificate.course_slug, course_version=certificate.course_version,
        verification_code=new_verification_code(), learner_name=_clean_name(learner_name),
        language=certificate.language, completed_on=certificate.completed_on,
        trainer_name=certificate.trainer_name, snapshot=certificate.snapshot,
        issued_at=utc_now(), issued_by_person_id=issued_by_person_id,
    )
    # The old one stops being current first: the "one current certificate per
    # person and course" index must never see two.
    certificate.superseded_at = utc_now()
    db.session.flush()
    db.session.add(new)
    db.session.flush()
    certificate.superseded_by_id = new.id
    pdf_for(new, new.language)
    standing_changed.send("issuing", person_id=new.person_id)
    return new


def new_verification_code() -> str:
    """A short code (certificates.codes) that no certificate has yet."""
    while True:
        code = codes.new_code()
        taken = db.session.scalar(
            select(Certificate.id).where(Certificate.verification_code == code))
        if taken is None:
            return code


@dataclass(frozen=True)
class CodeLookup:
    status: str  # found | unknown | mistyped (check character) | length (too few or many)
    code: str  # found: the code as stored; otherwise what was typed
    verification: Verification | None = None
    typed_length: int = 0  # the characters typed, separators left out


def look_up(typed: str) -> CodeLookup:
    """A code as a person types it: an older long code exactly as issued, or a
    short code in any case, with or without separators, O for 0 and I/L for 1."""
    typed = (typed or "").strip()[:100]
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.verification_code == typed[:64])
    ) if typed else None
    if certificate is None:
        read = codes.read(typed)
        if read.kind in ("mistyped", "length"):
            return CodeLookup(read.kind, typed, typed_length=read.typed_length)
        if read.kind == "code":
            certificate = db.session.scalar(
                select(Certificate).where(Certificate.verification_code == read.code))
    if certificate is None:
        return CodeLookup("unknown", typed)
    return CodeLookup("found", certificate.verification_code, _verification(certificate))


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this code exactly as stored (look_up reads typed ones)."""
    return db.session.scalar(select(Certificate).where(Certificate.verification_code == code))


def verify(code: str) -> Verification | None:
    return look_up(code).verification


def _verification(certificate: Certificate) -> Verification:
    snapshot = certificate.snapshot or {}
    return Verification(
        state=certificate.state, learner_name=certificate.learner_name,
        course_slug=certificate.course_slug, completed_on=certificate.completed_on,
        issued_at=certificate.issued_at.date().isoformat(),
        # Frozen at issue; certificates from before then name no institution.
        institution=snapshot.get("institution") or None,
        shadow_days=tuple(
            VerifiedDay(date.fromisoformat(day[0]), day[1],
                        (day[2] or None) if len(day) > 2 else None)  # "host" | "trainer"
            for day in snapshot.get("shadow_days", [])
        ),
    )


def preview(*, person_id: int, course: Course, learner_name: str, language: str,
            trainer_name: str | None, verification_url: str) -> PrintedFacts:
    """What the certificate would print if issued now, from the same facts and
    the same function as the PDF (certificates.printed). Nothing is saved."""
    snapshot = build_snapshot(person_id=person_id, course=course)
    return printed_facts(data_from_snapshot(
        snapshot, language=language if language in ("nl", "en") else "nl",
        learner_name=_clean_name(learner_name), course_slug=course.slug,
        completed_on=snapshot["completed_on"], trainer_name=(trainer_name or "")[:200],
        verification_code="-", verification_url=verification_url,
        issued_at=utc_now().isoformat(),
    ))


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned or len(cleaned) > NAME_LIMIT:
        raise NameRequired()
    return cleaned
