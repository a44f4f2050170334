"""The facts a certificate prints, gathered once at issue time (both languages)."""

from __future__ import annotations

from course_content.models import Course

from ..extensions import db
from ..learning.service import passed_modules_of_person
from ..people.models import Person
from ..platforms.models import Platform
from ..shadowing.service import confirmed_days


def issuing_institution(person_id: int) -> str:
    """Who vouches for the certificate: the institution the operator set on the
    learner's LMS registration, else that registration's name."""
    platform = db.session.get(Platform, db.session.get(Person, person_id).platform_id)
    return (platform.institution or "").strip() or platform.name


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
        # [date, host library, who confirmed it: "host" or "trainer"]
        "shadow_days": [[d.day.isoformat(), d.host_library_name, str(d.decided_by or "")]
                        for d in days],
        "completed_on": completed,
        "institution": issuing_institution(person_id),
    }
