"""Shadowing days (meelopen, kijkje in de keuken) and what happened to them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import checked_enum
from ..extensions import db
from ..people.models import Context, Person
from ..timeutil import UtcDateTime, utc_now


class DayStatus(StrEnum):
    PLANNED = "planned"  # a draft: the learner may still edit it
    SUBMITTED = "submitted"  # waiting for the host (or a trainer) to confirm
    CONFIRMED = "confirmed"
    DECLINED = "declined"


PLANNED = DayStatus.PLANNED
SUBMITTED = DayStatus.SUBMITTED
CONFIRMED = DayStatus.CONFIRMED
DECLINED = DayStatus.DECLINED


class ActorKind(StrEnum):
    """Who acted on a day (decided_by takes host or trainer only)."""

    LEARNER = "learner"
    HOST = "host"
    TRAINER = "trainer"


class DayAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SUBMITTED = "submitted"
    NEW_LINK = "new_link"  # submitted again: a new host link and code
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    REOPENED = "reopened"  # a declined day edited again


class ShadowDay(db.Model):
    """A day at a host library. Belongs to the person, so it counts once even
    when they follow the course in two LMS courses."""

    __tablename__ = "shadow_days"
    __table_args__ = (
        UniqueConstraint("person_id", "day", "host_key"),
        # Confirmed days per person: certificates, dashboards, completion.
        Index("ix_shadow_days_person_id_status", "person_id", "status"),
    )

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
    reflection: Mapped[str | None] = mapped_column(Text)  # before ALACT: one free text
    # Korthagen's ALACT cycle, written after the day (all five before asking the host).
    alact_action: Mapped[str | None] = mapped_column(Text)
    alact_looking_back: Mapped[str | None] = mapped_column(Text)
    alact_awareness: Mapped[str | None] = mapped_column(Text)
    alact_alternatives: Mapped[str | None] = mapped_column(Text)
    alact_trial: Mapped[str | None] = mapped_column(Text)
    # The modules' "ask your host" questions the learner takes along, one
    # "course/module" a line; the host sees them on the confirmation page.
    focus_questions: Mapped[str | None] = mapped_column(Text)
    status: Mapped[DayStatus] = mapped_column(
        checked_enum(DayStatus, name="status"), default=PLANNED, index=True
    )
    decided_by: Mapped[ActorKind | None] = mapped_column(
        checked_enum(ActorKind, name="decided_by")
    )  # host | trainer
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

    @property
    def focus_question_refs(self) -> list[str]:
        return [line for line in (self.focus_questions or "").splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<ShadowDay {self.id} {self.day} {self.status}>"


class ShadowDayEvent(db.Model):
    """Who did what, when (DayAction)."""

    __tablename__ = "shadow_day_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shadow_day_id: Mapped[int] = mapped_column(
        ForeignKey("shadow_days.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[DayAction] = mapped_column(checked_enum(DayAction, name="action"))
    actor_kind: Mapped[ActorKind] = mapped_column(checked_enum(ActorKind, name="actor_kind"))
    actor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL")
    )
    actor_name: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    shadow_day: Mapped[ShadowDay] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<ShadowDayEvent {self.id} {self.action}>"
