"""Which LMS link the learner came through, and what links can be bound to."""

from __future__ import annotations

from dataclasses import dataclass

from ..launch_scope import catalog, current_link

__all__ = ["LinkTarget", "current_link", "link_targets"]


@dataclass(frozen=True)
class LinkTarget:
    value: str  # "course" or "course/module"
    label: str
    course_slug: str
    module_slug: str | None


def link_targets(lang: str) -> list[LinkTarget]:
    """Every course, then each of its published modules, in `lang` (nl or en)."""
    targets = []
    for course in catalog().courses.values():
        title = course.title.get(lang)
        targets.append(LinkTarget(course.slug, title, course.slug, None))
        for number, module in enumerate(course.published_modules, start=1):
            targets.append(
                LinkTarget(f"{course.slug}/{module.slug}",
                           f"{title} — {number}. {module.title.get(lang)}",
                           course.slug, module.slug)
            )
    return targets
