"""Shadowing days (meelopen, kijkje in de keuken) and what happened to them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..people.models import Context, Person
from ..timeutil import UtcDateTime, utc_now

PLANNED = "planned"  # a draft: the learner may still edit it
SUBMITTED = "submitted"  # waiting for the host (or a trainer) to confirm
CONFIRMED = "confirmed"
DECLINED = "declined"


class ShadowDay(db.Model):
    """A day at a host library. Belongs to the person, so it counts once even
    when they follow the course in two LMS courses."""

    __tablename__ = "shadow_days"
    __table_args__ = (UniqueConstraint("person_id", "day", "host_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    # The LMS course it was logged from (its trainers may confirm it).
    context_id: Mapped[int | None] = mapped_column(
        ForeignKey("contexts.id", ondelete="SET NULL"), index=True
    )
    day: Mapped[date]
    host_library_id: Mapped[str | None] = mapped_column(String(100))
    host_library_name: Mapped[str] = mapped_column(String(200))
    # library id, or "other:<lowercased name>": one day per library per date.
    host_key: Mapped[str] = mapped_column(String(220))
    department: Mapped[str | None] = mapped_column(String(200))
    host_contact_name: Mapped[str | None] = mapped_column(String(200))
    host_contact_email: Mapped[str | None] = mapped_column(String(320))
    learning_goals: Mapped[str | None] = mapped_column(Text)
    activities: Mapped[str | None] = mapped_column(Text)
    reflection: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=PLANNED, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(20))  # host | trainer
    decided_by_name: Mapped[str | None] = mapped_column(String(200))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The host's link and short code; cleared when used (a link works once).
    confirmation_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmation_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmation_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    person: Mapped[Person] = relationship()
    context: Mapped[Context | None] = relationship()
    events: Mapped[list[ShadowDayEvent]] = relationship(
        back_populates="shadow_day", cascade="all, delete-orphan",
        order_by="ShadowDayEvent.id",
    )

    @property
    def is_editable(self) -> bool:
        return self.status in (PLANNED, DECLINED)

    def __repr__(self) -> str:
        return f"<ShadowDay {self.id} {self.day} {self.status}>"


class ShadowDayEvent(db.Model):
    """Who did what, when: created, updated, submitted, confirmed, declined, reopened."""

    __tablename__ = "shadow_day_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shadow_day_id: Mapped[int] = mapped_column(
        ForeignKey("shadow_days.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    actor_kind: Mapped[str] = mapped_column(String(20))  # learner | host | trainer
    actor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL")
    )
    actor_name: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    shadow_day: Mapped[ShadowDay] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<ShadowDayEvent {self.id} {self.action}>"
