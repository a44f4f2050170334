"""Who launched the tool, from which LMS course and link, in which role."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import checked_enum
from ..extensions import db
from ..platforms.models import Deployment, Platform
from ..timeutil import UtcDateTime, utc_now


class Role(StrEnum):
    """The tool's own role in an LMS course (people.roles maps the LTI roles)."""

    LEARNER = "learner"
    TRAINER = "trainer"
    ADMIN = "admin"


ROLE_LEARNER = Role.LEARNER
ROLE_TRAINER = Role.TRAINER
ROLE_ADMIN = Role.ADMIN


class Person(db.Model):
    """A user of one platform: unique per (platform, sub); name and email optional."""

    __tablename__ = "persons"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platforms.id", ondelete="CASCADE"), index=True
    )
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(300))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    # Her last launch, to the hour (people.service.LAST_SEEN_PRECISION): for retention.
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    platform: Mapped[Platform] = relationship()

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.given_name, self.family_name) if p)
        return self.name or full or ""

    def __repr__(self) -> str:
        return f"<Person {self.id} sub={self.sub}>"


class Context(db.Model):
    """An LMS course (the LTI context) within one deployment."""

    __tablename__ = "contexts"
    __table_args__ = (UniqueConstraint("deployment_id", "lms_context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(
        ForeignKey("deployments.id", ondelete="CASCADE"), index=True
    )
    lms_context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    label: Mapped[str | None] = mapped_column(String(200))
    # LTI Advantage service endpoints this course offers (absent: not enabled).
    memberships_url: Mapped[str | None] = mapped_column(String(1000))
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    ags_scopes: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    deployment: Mapped[Deployment] = relationship()

    def __repr__(self) -> str:
        return f"<Context {self.id} {self.title!r}>"


class ResourceLink(db.Model):
    """A placement of the tool in an LMS course, bound to a course or module."""

    __tablename__ = "resource_links"
    __table_args__ = (UniqueConstraint("context_id", "lms_resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(
        ForeignKey("contexts.id", ondelete="CASCADE"), index=True
    )
    lms_resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    course_slug: Mapped[str | None] = mapped_column(String(100))
    module_slug: Mapped[str | None] = mapped_column(String(100))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    context: Mapped[Context] = relationship()

    def __repr__(self) -> str:
        return f"<ResourceLink {self.id} {self.course_slug}/{self.module_slug}>"


class Enrollment(db.Model):
    """A person in an LMS course, with the role the LMS last gave them."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("person_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    context_id: Mapped[int] = mapped_column(
        ForeignKey("contexts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(checked_enum(Role, name="role"))
    lti_roles: Mapped[str | None] = mapped_column(String(2000))
    # Launched the tool at least once (else known only from the roster).
    has_launched: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    last_launch_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    person: Mapped[Person] = relationship()
    context: Mapped[Context] = relationship()

    def __repr__(self) -> str:
        return f"<Enrollment {self.id} {self.role}>"
