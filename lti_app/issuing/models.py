"""Certificates: one valid per person and course; revoked and superseded kept."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import checked_enum
from ..extensions import db
from ..people.models import Context, Person
from ..timeutil import UtcDateTime, utc_now


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        # One current certificate per person and course (revoked and superseded
        # ones stay, for verification).
        Index(
            "uq_certificates_current", "person_id", "course_slug", unique=True,
            sqlite_where=text("revoked_at IS NULL AND superseded_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL AND superseded_at IS NULL"),
        ),
        # The few ended ones, for the credentials' status list, which reads
        # them on every request (without it: a scan of every certificate).
        Index(
            "ix_certificates_ended", "id",
            sqlite_where=text("revoked_at IS NOT NULL OR superseded_at IS NOT NULL"),
            postgresql_where=text("revoked_at IS NOT NULL OR superseded_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    # The LMS course it was earned in: its trainers manage it.
    context_id: Mapped[int | None] = mapped_column(
        ForeignKey("contexts.id", ondelete="SET NULL"), index=True
    )
    course_slug: Mapped[str] = mapped_column(String(100))
    course_version: Mapped[str] = mapped_column(String(40))
    # Random, URL-safe, >= 128 bits: the only key to the public verification page.
    verification_code: Mapped[str] = mapped_column(String(64), unique=True)
    learner_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5))
    # None only if nothing dated counted towards it (no modules, no days).
    completed_on: Mapped[date | None]
    trainer_name: Mapped[str | None] = mapped_column(String(200))
    # The printed facts, frozen at issue, so a PDF in the other language says the same.
    snapshot: Mapped[dict] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    issued_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL")
    )

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    context: Mapped[Context | None] = relationship()
    pdfs: Mapped[list[CertificatePdf]] = relationship(
        back_populates="certificate", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.superseded_at is not None:
            return "superseded"
        return "valid"

    def __repr__(self) -> str:
        return f"<Certificate {self.id} {self.course_slug} {self.state}>"


class CertificatePdf(db.Model):
    """The PDF as issued, per language: later downloads give these same bytes."""

    __tablename__ = "certificate_pdfs"
    __table_args__ = (UniqueConstraint("certificate_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(5))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    # Indexed: /verify finds an uploaded PDF by its hash.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    certificate: Mapped[Certificate] = relationship(back_populates="pdfs")

    def __repr__(self) -> str:
        return f"<CertificatePdf {self.certificate_id} {self.language}>"


class NameRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class NameRequest(db.Model):
    """A printed name other than the one the LMS sent: the course's trainer
    approves it (then the certificate is issued) or refuses it, with a reason
    the learner sees. One per person and course, reused for a new request."""

    __tablename__ = "certificate_name_requests"
    __table_args__ = (UniqueConstraint("person_id", "course_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    # The LMS course it was asked in: its trainers decide.
    context_id: Mapped[int | None] = mapped_column(
        ForeignKey("contexts.id", ondelete="SET NULL"), index=True
    )
    course_slug: Mapped[str] = mapped_column(String(100))
    requested_name: Mapped[str] = mapped_column(String(200))
    lms_name: Mapped[str | None] = mapped_column(String(300))  # what the LMS sent then
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[NameRequestStatus] = mapped_column(
        checked_enum(NameRequestStatus, name="status"), default=NameRequestStatus.PENDING
    )
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL")
    )
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL")
    )

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    def __repr__(self) -> str:
        return f"<NameRequest {self.id} {self.course_slug} {self.status}>"


class SigningKey(db.Model):
    """The tool's own self-signed PDF signing certificate, made once and shared by
    every host (one row per purpose: two hosts starting at once insert-or-read
    the same one). Unused while the operator configures an institution's."""

    __tablename__ = "certificate_signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40), unique=True)
    private_key_pem: Mapped[str] = mapped_column(Text)  # encrypted (PKCS#8)
    certificate_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    def __repr__(self) -> str:
        return f"<SigningKey {self.id} {self.purpose}>"
