"""The course catalogue as learning sees it; an unknown course or module is a
domain error (a 404 page with a message), not a Flask abort."""

from __future__ import annotations

from flask_babel import gettext as _

from course_content.models import Course, CourseModule

from ..domain import DomainError
from ..launch_scope import catalog, find_course

__all__ = ["UnknownCourseOrModule", "catalog", "find_course", "course_or_404",
           "module_or_404"]


class UnknownCourseOrModule(DomainError):
    """A course or module that the content does not have (or not published)."""

    status = 404
    reason = "unknown_course_or_module"

    def user_message(self) -> str:
        return _("This course or module does not exist (any more).")


def course_or_404(slug: str | None) -> Course:
    course = find_course(slug)
    if course is None:
        raise UnknownCourseOrModule("course")
    return course


def module_or_404(course: Course, slug: str) -> CourseModule:
    module = course.module(slug)
    if module is None or not module.published:
        raise UnknownCourseOrModule(slug)
    return module
