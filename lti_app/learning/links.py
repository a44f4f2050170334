"""Which LMS link the learner came through, and what links can be bound to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..launch_scope import catalog, current_link
from ..people.models import ResourceLink

__all__ = ["LinkTarget", "current_link", "links_to_grade", "link_targets"]


@dataclass(frozen=True)
class LinkTarget:
    value: str  # "course" or "course/module"
    label: str
    course_slug: str
    module_slug: str | None


def links_to_grade(context_id: int, course_slug: str) -> list[ResourceLink]:
    """Links of this LMS course bound to the course (or one of its modules)."""
    return list(
        db.session.scalars(
            select(ResourceLink).where(
                ResourceLink.context_id == context_id,
                ResourceLink.course_slug == course_slug,
                ResourceLink.lineitem_url.is_not(None),
            )
        )
    )


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
