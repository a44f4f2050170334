"""The course catalogue as the app sees it (loaded and cached by course_content)."""

from __future__ import annotations

from flask import abort

from course_content.loader import load_catalog
from course_content.models import Catalog, Course, CourseModule


def catalog() -> Catalog:
    return load_catalog()


def find_course(slug: str | None) -> Course | None:
    return catalog().courses.get(slug) if slug else None


def course_or_404(slug: str | None) -> Course:
    course = find_course(slug)
    if course is None:
        abort(404)
    return course


def module_or_404(course: Course, slug: str) -> CourseModule:
    module = course.module(slug)
    if module is None or not module.published:
        abort(404)
    return module
