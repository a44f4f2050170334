"""The facts a certificate prints, gathered once at issue time (both languages)."""

from __future__ import annotations

from course_content.models import Course

from ..learning.service import passed_modules_of_person
from ..shadowing.service import confirmed_days


def build_snapshot(*, person_id: int, course: Course) -> dict:
    passed = passed_modules_of_person(person_id, course.slug)
    modules = [m for m in course.published_modules if m.slug in passed]
    days = confirmed_days(person_id) if course.shadow_days_required else []
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
