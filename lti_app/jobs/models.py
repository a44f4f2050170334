"""A background job, its progress and its result."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import checked_enum
from ..extensions import db
from ..timeutil import UtcDateTime, utc_now


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Open: jobs.service.register names the kinds (no constraint to keep in step).
    kind: Mapped[str] = mapped_column(String(50))
    # Whose it is: only trainers of this LMS course see it.
    context_id: Mapped[int | None] = mapped_column(
        ForeignKey("contexts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[JobStatus] = mapped_column(
        checked_enum(JobStatus, name="status"), default=JobStatus.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[bytes | None] = mapped_column(LargeBinary)
    result_name: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def percent(self) -> int:
        return 100 if self.status == "done" else int(100 * self.done / self.total) if self.total else 0

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"
