"""Where a learner's launch lands: her link's module, else its course's overview.

The launch (lti) goes there directly, by the hook registered in __init__.py;
the home page `/` decides the same for any other way in, and explains a link
without a course.
"""

from __future__ import annotations

from ..people.models import ResourceLink
from .content import find_course


def landing_target(link: ResourceLink | None) -> tuple[str, dict] | None:
    """(endpoint, values) of the link's page; None when it opens no course the
    content knows (the home page says so, or sends a trainer to set it up)."""
    course = find_course(link.course_slug) if link is not None else None
    if course is None:
        return None
    module = course.module(link.module_slug) if link.module_slug else None
    if module is not None and module.published:
        return "learning.module", {"module_slug": module.slug}
    return "learning.overview", {}
