"""The facts a certificate prints, gathered once at issue time (both languages)."""

from __future__ import annotations

from sqlalchemy import select

from course_content.models import Course

from ..extensions import db
from ..learning.models import ModuleProgress
from ..people.models import Enrollment
from ..shadowing.models import CONFIRMED, ShadowDay


def build_snapshot(*, person_id: int, course: Course) -> dict:
    passed = {
        row.module_slug: row.passed_at
        for row in db.session.scalars(
            select(ModuleProgress)
            .join(Enrollment, Enrollment.id == ModuleProgress.enrollment_id)
            .where(Enrollment.person_id == person_id,
                   ModuleProgress.course_slug == course.slug,
                   ModuleProgress.passed_at.is_not(None))
        )
    }
    modules = [m for m in course.published_modules if m.slug in passed]
    days = []
    if course.shadow_days_required:
        seen = set()
        for day in db.session.scalars(
            select(ShadowDay).where(ShadowDay.person_id == person_id,
                                    ShadowDay.status == CONFIRMED).order_by(ShadowDay.day)
        ):
            if day.day not in seen:  # a date counts once
                seen.add(day.day)
                days.append(day)
    moments = [passed[m.slug] for m in modules] + [d.decided_at for d in days if d.decided_at]
    completed = max(moments).date().isoformat() if moments else ""
    return {
        "course_title": {"nl": course.title.nl, "en": course.title.en},
        "wording": {"nl": course.certificate_wording.nl, "en": course.certificate_wording.en},
        "organisers": list(course.organisers),
        "modules": [{"nl": m.title.nl, "en": m.title.en} for m in modules],
        "shadow_days": [[d.day.isoformat(), d.host_library_name] for d in days],
        "completed_on": completed,
    }
