"""The demo LMS's own tables: its links, gradebook columns and the scores received.

These stand in for Moodle's or Canvas's course pages and gradebook; the tool
never reads them (it talks to them over LTI only). They are not part of the
tool's schema: they live on their own metadata, which the migrations ignore,
and are created where the demo runs, on its first request (`ensure_tables`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask
from sqlalchemy import ForeignKey, MetaData, String, Text, UniqueConstraint
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..extensions import NAMING_CONVENTION, db
from ..timeutil import UtcDateTime, utc_now

log = logging.getLogger(__name__)


class DemoBase(DeclarativeBase):
    """Not db.Model: db.metadata (create_all, Alembic) stays the tool's own.

    db.session still reads and writes these models, on the same engine.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def ensure_tables(app: Flask) -> None:
    """Create the demo tables if missing; once per app (process), before its first use.

    Several workers may start on an empty database at once: CREATE TABLE of the
    loser fails, and the second pass then finds every table (checkfirst).
    """
    if app.extensions.get("demo_lms_tables"):
        return
    try:
        DemoBase.metadata.create_all(db.engine, checkfirst=True)
    except DBAPIError:
        log.info("demo tables: another worker created them meanwhile; checking again")
        DemoBase.metadata.create_all(db.engine, checkfirst=True)
    app.extensions["demo_lms_tables"] = True


class DemoLink(DemoBase):
    """A placement of the tool in the demo course (an LTI resource link)."""

    __tablename__ = "demo_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable and URL-safe: the resource link id sent to the tool is "demo-link-<key>".
    key: Mapped[str] = mapped_column(String(100), unique=True)
    context_id: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(String(500))
    # The content item's url (deep linking); None launches the tool's default URL.
    url: Mapped[str | None] = mapped_column(String(1000))
    custom_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    @property
    def resource_link_id(self) -> str:
        return f"demo-link-{self.key}"

    def __repr__(self) -> str:
        return f"<DemoLink {self.id} {self.title!r}>"


class DemoLineItem(DemoBase):
    """A gradebook column (AGS line item), optionally tied to one link."""

    __tablename__ = "demo_line_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[str] = mapped_column(String(255), index=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("demo_links.id", ondelete="SET NULL"), index=True
    )
    label: Mapped[str] = mapped_column(String(500))
    score_maximum: Mapped[float]
    resource_id: Mapped[str | None] = mapped_column(String(255))
    tag: Mapped[str | None] = mapped_column(String(255))
    start_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    link: Mapped[DemoLink | None] = relationship()

    def __repr__(self) -> str:
        return f"<DemoLineItem {self.id} {self.label!r}>"


class DemoScore(DemoBase):
    """Every score the tool posted, in arrival order: the log a newcomer reads."""

    __tablename__ = "demo_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_item_id: Mapped[int] = mapped_column(
        ForeignKey("demo_line_items.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(255))
    score_given: Mapped[float | None]
    score_maximum: Mapped[float | None]
    activity_progress: Mapped[str] = mapped_column(String(30))
    grading_progress: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    # False: refused with 409 because an update with a later timestamp was kept.
    is_accepted: Mapped[bool] = mapped_column(default=True)

    line_item: Mapped[DemoLineItem] = relationship()

    def __repr__(self) -> str:
        return f"<DemoScore {self.id} {self.user_id} {self.score_given}>"


class DemoResult(DemoBase):
    """The current gradebook cell for one (line item, user): the newest accepted score."""

    __tablename__ = "demo_results"
    __table_args__ = (UniqueConstraint("line_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_item_id: Mapped[int] = mapped_column(
        ForeignKey("demo_line_items.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(255))
    # Scaled to the line item's scoreMaximum, as a gradebook shows it.
    result_score: Mapped[float | None]
    result_maximum: Mapped[float]
    activity_progress: Mapped[str] = mapped_column(String(30))
    grading_progress: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    line_item: Mapped[DemoLineItem] = relationship()

    def __repr__(self) -> str:
        return f"<DemoResult {self.id} {self.user_id} {self.result_score}>"


class DemoInstall(DemoBase):
    """The tool installed in a demo course by one LMS profile: its deployment id.

    Canvas creates a deployment (a ContextExternalTool) each time an admin
    installs the app in an account or course, with the id "<n>:<opaque context
    id>"; the newest install of a course is the one its launches carry.
    """

    __tablename__ = "demo_installs"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(20))
    context_id: Mapped[str] = mapped_column(String(255), index=True)
    deployment_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    def __repr__(self) -> str:
        return f"<DemoInstall {self.id} {self.profile} {self.deployment_id}>"
