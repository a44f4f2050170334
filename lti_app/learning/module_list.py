"""The course overview's list of modules: once per course and language, each
learner's own state put into it.

Rendering the list's links, titles and study times for every learner was the
largest part of the overview's template time; only the badges and the marked
next module are the learner's own.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from course_content.models import Course, CourseModule

from ..page_cache import cached_part, fill_slots, slot
from .models import ModuleProgress

_NEXT = Markup(' class="is-next"')


def module_list(course: Course, progress: Mapping[str, ModuleProgress],
                next_module: CourseModule | None) -> Markup:
    part = cached_part("learning/_module_list.html", (course.slug, course.version),
                       course=course, slot=slot)
    next_slug = next_module.slug if next_module else None
    badges: dict[str, Markup] = {}  # this page's badge parts, by state

    def fill(kind: str, slug: str):
        if kind == "next":
            return _NEXT if slug == next_slug else ""
        row = progress.get(slug)
        state = _badge_state(row)
        if state not in badges:
            badges[state] = cached_part("learning/_module_badge.html", ("badge", state),
                                        state=state, percent=slot("percent"))
        return fill_slots(badges[state], lambda _kind, _key: row.best_percent)

    return fill_slots(part, fill)


def _badge_state(row: ModuleProgress | None) -> str:
    """A module's badge is rendered once per state and language, her score put
    into its slot (a part per score would crowd the modules' parts out)."""
    if row and row.is_passed:
        return "passed"
    if row and row.attempts:
        return "tried"
    return "read" if row and row.read_at else "new"
