"""Which LMS link the learner came through, and what links can be bound to."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from sqlalchemy import select

from ..extensions import db
from ..lti.context import LaunchContext
from ..people.models import ResourceLink
from .content import catalog


@dataclass(frozen=True)
class LinkTarget:
    value: str  # "course" or "course/module"
    label: str
    course_slug: str
    module_slug: str | None


def current_link(launch: LaunchContext) -> ResourceLink | None:
    """The launch's resource link, only within the launch's own LMS course."""
    if launch.resource_link_id is None:
        return None
    return db.session.scalar(
        select(ResourceLink).where(
            ResourceLink.id == launch.resource_link_id,
            ResourceLink.context_id == launch.context_id,
        )
    )


def links_to_grade(launch: LaunchContext, course_slug: str) -> list[ResourceLink]:
    """Links of this LMS course bound to the course (or one of its modules)."""
    return list(
        db.session.scalars(
            select(ResourceLink).where(
                ResourceLink.context_id == launch.context_id,
                ResourceLink.course_slug == course_slug,
                ResourceLink.lineitem_url.is_not(None),
            )
        )
    )


def link_targets() -> list[LinkTarget]:
    """Every course, then each of its published modules, in the user's language."""
    lang = str(get_locale() or "nl")
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
