"""What a launch may see: who counts as a trainer, and which course it opens.

Every feature (learning, shadowing, trainer, issuing, jobs) asks here, so the
rules live once, below all of them and just above the launch context.
"""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, url_for
from sqlalchemy import bindparam, select

from course_content.loader import load_catalog
from course_content.models import Catalog, Course

from .extensions import db
from .lti.context import LaunchContext, launch_required
from .people.models import ResourceLink
from .people.roles import TRAINER_ROLES

__all__ = [
    "TRAINER_ROLES", "trainer_required", "catalog", "find_course", "current_link",
    "bound_courses", "course_of_launch", "trainer_course_of_launch",
]


def trainer_required(view):
    """Only for a launch of a trainer (or an admin) of the LMS course."""
    return launch_required(roles=set(TRAINER_ROLES))(view)


def catalog() -> Catalog:
    # Served content ships with the code: read once per process, unless the
    # app is for editing content (debug, or CONTENT_RELOAD).
    reload = current_app.config.get("CONTENT_RELOAD")
    return load_catalog(recheck=current_app.debug if reload is None else bool(reload))


def find_course(slug: str | None) -> Course | None:
    return catalog().courses.get(slug) if slug else None


# Every launched page reads its link: built once (building it cost more than running it).
_LINK = select(ResourceLink).where(ResourceLink.id == bindparam("link_id"),
                                   ResourceLink.context_id == bindparam("context_id"))


# What course_of_launch needs of it: its course, no mapped object to load.
_LINK_COURSE = select(ResourceLink.course_slug).where(
    ResourceLink.id == bindparam("link_id"), ResourceLink.context_id == bindparam("context_id"))


def current_link(launch: LaunchContext) -> ResourceLink | None:
    """The launch's resource link, only within the launch's own LMS course."""
    if launch.resource_link_id is None:
        return None
    return db.session.scalar(
        _LINK, {"link_id": launch.resource_link_id, "context_id": launch.context_id})


def bound_courses(context_id: int) -> list[Course]:
    """The courses the LMS course's links open, by slug."""
    slugs = set(
        db.session.scalars(
            select(ResourceLink.course_slug).where(
                ResourceLink.context_id == context_id,
                ResourceLink.course_slug.is_not(None),
            )
        )
    )
    return [course for slug in sorted(slugs) if (course := find_course(slug))]


def course_of_launch(launch: LaunchContext) -> Course | None:
    """The course of this launch: its link's course; for a trainer without a
    link (e.g. a course-level launch), the LMS course's one bound course."""
    if launch.resource_link_id is not None:
        link = db.session.execute(_LINK_COURSE, {
            "link_id": launch.resource_link_id, "context_id": launch.context_id}).first()
        if link is not None:
            return find_course(link.course_slug)
    if launch.is_trainer:
        courses = bound_courses(launch.context_id)
        if len(courses) == 1:
            return courses[0]
    return None


def trainer_course_of_launch(launch: LaunchContext) -> Course:
    """The same for the trainer's pages, which explain a missing course: an
    unbound link goes to the setup page, several or no courses get a 409 page."""
    course = course_of_launch(launch)
    if course is not None:
        return course
    if current_link(launch) is not None:
        abort(redirect(url_for("learning.bind_link")))
    courses = bound_courses(launch.context_id)
    abort(Response(render_template("trainer/no_course.html", courses=courses), 409))
