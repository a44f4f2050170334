"""The one answer to "has this learner met this course's rules?".

A pure function of what learning (module progress) and shadowing (confirmed
days) report: it imports neither. standing.py, above both, asks them for one
learner; the dashboards pass their batch reads in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from course_content.models import Course


class Progress(Protocol):
    """What completion needs of a module's progress (learning's ModuleProgress)."""

    @property
    def is_passed(self) -> bool: ...


@dataclass(frozen=True)
class CourseStatus:
    modules_total: int
    modules_passed: int
    shadow_days_required: int
    shadow_days_confirmed: int

    @property
    def modules_missing(self) -> int:
        return self.modules_total - self.modules_passed

    @property
    def shadow_days_missing(self) -> int:
        return max(self.shadow_days_required - self.shadow_days_confirmed, 0)

    @property
    def is_complete(self) -> bool:
        return self.modules_missing == 0 and self.shadow_days_missing == 0


def course_status(
    course: Course, progress: Mapping[str, Progress], shadow_days_confirmed: int
) -> CourseStatus:
    """Status from a learner's progress rows (by module slug) and confirmed days."""
    published = [m.slug for m in course.published_modules]
    passed = sum(1 for slug in published if slug in progress and progress[slug].is_passed)
    return course_status_from_counts(
        course, modules_passed=passed, shadow_days_confirmed=shadow_days_confirmed
    )


def course_status_from_counts(
    course: Course, *, modules_passed: int, shadow_days_confirmed: int
) -> CourseStatus:
    """The same from counts made in SQL (the platform overview): the one place a
    CourseStatus is built."""
    return CourseStatus(
        modules_total=len(course.published_modules),
        modules_passed=min(modules_passed, len(course.published_modules)),
        shadow_days_required=course.shadow_days_required,
        shadow_days_confirmed=min(shadow_days_confirmed, course.shadow_days_required),
    )
