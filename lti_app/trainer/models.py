"""What the trainer feature keeps: when each LMS course's roster was last fetched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UtcDateTime


class RosterSync(db.Model):
    """The last roster fetch (NRPS) of one LMS course, successful or not.

    The members themselves are Person and Enrollment rows (people owns them);
    this row says how fresh they are and why the last attempt failed, if it did.
    """

    __tablename__ = "roster_syncs"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(
        ForeignKey("contexts.id", ondelete="CASCADE"), unique=True
    )
    # The last fetch that got an answer, how many members it had, and whether
    # it read every page (False: the page cap or the time budget stopped it).
    refreshed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    member_count: Mapped[int] = mapped_column(default=0)
    is_complete: Mapped[bool] = mapped_column(default=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A short code (roster.FAILURES), translated when shown; None: the last
    # attempt worked.
    last_error: Mapped[str | None] = mapped_column(String(40))

    def __repr__(self) -> str:
        return f"<RosterSync {self.id} context={self.context_id}>"
