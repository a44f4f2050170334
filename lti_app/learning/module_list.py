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

    def fill(kind: str, slug: str):
        if kind == "next":
            return _NEXT if slug == next_slug else ""
        return _badge(progress.get(slug))

    return fill_slots(part, fill)


def _badge(row: ModuleProgress | None) -> Markup:
    """A module's badge, rendered once per state and language, her score put
    into its slot (a part per score would crowd the modules' parts out)."""
    if row and row.is_passed:
        state = "passed"
    elif row and row.attempts:
        state = "tried"
    else:
        state = "read" if row and row.read_at else "new"
    part = cached_part("learning/_module_badge.html", ("badge", state), state=state,
                       percent=slot("percent"))
    return fill_slots(part, lambda _kind, _key: row.best_percent)
