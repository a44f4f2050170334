"""The modules' "ask your host" questions: the pre-visit worksheet and a day's focus."""

from __future__ import annotations

from collections.abc import Iterable

from course_content.models import Catalog, Course, CourseModule


def ref_of(module: CourseModule) -> str:
    return f"{module.course_slug}/{module.slug}"


def modules_with_questions(courses: Iterable[Course]) -> list[CourseModule]:
    """Every published module that has a question for the host, in course order."""
    return [module for course in courses for module in course.published_modules
            if module.ask_your_host]


def modules_of_refs(catalog: Catalog, refs: Iterable[str]) -> list[CourseModule]:
    """The modules a day's focus names (ones no longer in the catalogue are skipped)."""
    found = []
    for ref in refs:
        course_slug, _, slug = ref.partition("/")
        course = catalog.course(course_slug)
        module = course.module(slug) if course else None
        if module is not None and module.ask_your_host:
            found.append(module)
    return found
