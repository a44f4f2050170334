"""Module progress, quiz attempts and the outbox of grades for the LMS."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import checked_enum
from ..extensions import db
from ..people.models import Enrollment, ResourceLink
from ..timeutil import UtcDateTime, utc_now


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # to send (again, after a failure: see next_attempt_at)
    DELIVERED = "delivered"


class ActivityProgress(StrEnum):
    """AGS 2.0 activityProgress."""

    INITIALIZED = "Initialized"
    STARTED = "Started"
    IN_PROGRESS = "InProgress"
    SUBMITTED = "Submitted"
    COMPLETED = "Completed"


class GradingProgress(StrEnum):
    """AGS 2.0 gradingProgress."""

    FULLY_GRADED = "FullyGraded"
    PENDING = "Pending"
    PENDING_MANUAL = "PendingManual"
    FAILED = "Failed"
    NOT_READY = "NotReady"


class ModuleProgress(db.Model):
    """One learner's state in one module of one course, in one LMS course."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "course_slug", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    course_slug: Mapped[str] = mapped_column(String(100))
    module_slug: Mapped[str] = mapped_column(String(100))
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    best_percent: Mapped[int | None]
    passed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The content version the pass was earned on; a later edit does not undo it.
    passed_version: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    enrollment: Mapped[Enrollment] = relationship()

    @property
    def is_passed(self) -> bool:
        return self.passed_at is not None

    def __repr__(self) -> str:
        return f"<ModuleProgress {self.id} {self.course_slug}/{self.module_slug}>"


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    course_slug: Mapped[str] = mapped_column(String(100))
    module_slug: Mapped[str] = mapped_column(String(100))
    content_version: Mapped[str] = mapped_column(String(40))
    # Random per rendered form: a resubmitted form (double click, reload) is
    # recognised and counted once.
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict] = mapped_column(JSON)
    correct: Mapped[int]
    total: Mapped[int]
    percent: Mapped[int]
    is_passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} {self.module_slug} {self.percent}%>"


class GradeDelivery(db.Model):
    """The latest score for one learner on one LMS line item, until delivered.

    An outbox: the score is saved with the progress that caused it (same
    commit), then sent; failures are retried with backoff. One row per
    (resource link, enrollment): a newer score replaces an undelivered one,
    an unchanged score is never sent twice.
    """

    __tablename__ = "grade_deliveries"
    __table_args__ = (
        UniqueConstraint("resource_link_id", "enrollment_id"),
        # The queue: pending rows whose next attempt is due, oldest first.
        Index("ix_grade_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_id: Mapped[int] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    score_given: Mapped[float]
    score_maximum: Mapped[float]
    activity_progress: Mapped[ActivityProgress] = mapped_column(
        checked_enum(ActivityProgress, name="activity_progress")
    )
    grading_progress: Mapped[GradingProgress] = mapped_column(
        checked_enum(GradingProgress, name="grading_progress")
    )
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    scored_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    status: Mapped[DeliveryStatus] = mapped_column(
        checked_enum(DeliveryStatus, name="status"), default=DeliveryStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # What the LMS last accepted, to skip unchanged scores.
    delivered_score: Mapped[float | None]
    delivered_activity: Mapped[ActivityProgress | None] = mapped_column(
        checked_enum(ActivityProgress, name="delivered_activity")
    )
    # Raised by every newer standing queued: a send marks the row delivered only
    # if it sent the revision that is still queued.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # The latest AGS timestamp sent for this column (whole seconds), accepted or
    # not: the next send is stamped at least a second later (Moodle refuses a
    # timestamp that is not later, in whole seconds, with a 409).
    last_timestamp: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A runner's lease while it sends; a newer standing queued meanwhile does not
    # end it, so one column is never sent by two runners at once.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)

    resource_link: Mapped[ResourceLink] = relationship()
    enrollment: Mapped[Enrollment] = relationship()

    def __repr__(self) -> str:
        return f"<GradeDelivery {self.id} {self.status}>"


class ReflectionAnswer(db.Model):
    """A learner's answer to one reflection prompt of a module: private, shown
    only to the learner (and in their privacy export)."""

    __tablename__ = "reflection_answers"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "course_slug", "module_slug", "prompt_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    course_slug: Mapped[str] = mapped_column(String(100))
    module_slug: Mapped[str] = mapped_column(String(100))
    prompt_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    enrollment: Mapped[Enrollment] = relationship()

    def __repr__(self) -> str:
        return f"<ReflectionAnswer {self.id} {self.module_slug}/{self.prompt_id}>"


class ScenarioState(db.Model):
    """Where a learner is in a module's branching scenario (one per enrolment)."""

    __tablename__ = "scenario_states"
    __table_args__ = (UniqueConstraint("enrollment_id", "course_slug", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    course_slug: Mapped[str] = mapped_column(String(100))
    module_slug: Mapped[str] = mapped_column(String(100))
    node_id: Mapped[str] = mapped_column(String(100))
    # The choices made since the (re)start: [{"node": id, "choice": id}, …].
    path: Mapped[list] = mapped_column(JSON, default=list)
    content_version: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    enrollment: Mapped[Enrollment] = relationship()

    def __repr__(self) -> str:
        return f"<ScenarioState {self.id} {self.module_slug} at {self.node_id}>"
