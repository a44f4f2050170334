"""Shadowing days.

Call inside an app context; the caller commits. Used by the tests, the
benchmarks and nothing in production.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..extensions import db
from ..people.models import Enrollment
from ..shadowing.models import ShadowDay
from ..timeutil import utc_now
from .rows import flush_row, ids


def make_shadow_day(
    *,
    enrollment: Enrollment,
    status: str = "confirmed",
    day: date | None = None,
    host: str = "Universiteitsbibliotheek Utrecht",
) -> ShadowDay:
    n = next(ids)
    shadow_day = ShadowDay(
        person=enrollment.person,
        context=enrollment.context,
        day=day or date.today() - timedelta(days=n % 300 + 1),
        host_library_name=host,
        host_key=f"other:{host.lower()}-{n}",
        status=status,
        reflection="Useful day.",
        updated_at=utc_now() - timedelta(hours=n % 48),
    )
    if status in ("confirmed", "declined"):
        shadow_day.decided_by, shadow_day.decided_at = "host", utc_now()
    db.session.add(shadow_day)
    flush_row()
    return shadow_day
