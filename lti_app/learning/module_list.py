"""The course overview's list of modules: once per course and language, each
learner's own state put into it.

Rendering the list's links, titles and study times for every learner was the
largest part of the overview's template time; only the badges and the marked
next module are the learner's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import get_template_attribute
from markupsafe import Markup

from course_content.models import Course, CourseModule

from ..page_cache import cached_part
from .models import ModuleProgress

_SLOT = re.compile(r"<!--slot:(next|badge):([^>]+?)-->")
_NEXT = Markup(' class="is-next"')


def _slot(kind: str, slug: str) -> Markup:
    return Markup(f"<!--slot:{kind}:{slug}-->")


def module_list(course: Course, progress: Mapping[str, ModuleProgress],
                next_module: CourseModule | None) -> Markup:
    part = cached_part("learning/_module_list.html", (course.slug, course.version),
                       course=course, slot=_slot)
    badge = get_template_attribute("learning/_module_badge.html", "badge")
    next_slug = next_module.slug if next_module else None

    def fill(match: re.Match) -> str:
        kind, slug = match.groups()
        if kind == "next":
            return _NEXT if slug == next_slug else ""
        return badge(progress.get(slug))

    return Markup(_SLOT.sub(fill, part))
