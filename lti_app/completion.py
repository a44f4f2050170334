"""The one answer to "has this learner met this course's rules?".

Modules come from learning, confirmed shadowing days from shadowing; the
learner's overview, the trainer's dashboard and certificate issuing all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from course_content.models import Course

if TYPE_CHECKING:  # learning imports this module; at run time only duck typing
    from .learning.models import ModuleProgress


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
    course: Course, progress: dict[str, "ModuleProgress"], shadow_days_confirmed: int
) -> CourseStatus:
    """Status from a learner's progress rows (by module slug) and confirmed days."""
    published = [m.slug for m in course.published_modules]
    passed = sum(1 for slug in published if slug in progress and progress[slug].is_passed)
    return CourseStatus(
        modules_total=len(published),
        modules_passed=passed,
        shadow_days_required=course.shadow_days_required,
        shadow_days_confirmed=min(shadow_days_confirmed, course.shadow_days_required),
    )


def confirmed_shadow_days(person_id: int) -> int:
    """Confirmed shadowing days of a person, each date once, whatever the course."""
    from .shadowing.service import confirmed_day_count

    return confirmed_day_count(person_id)


def status_for(*, enrollment_id: int, person_id: int, course: Course) -> CourseStatus:
    from .learning.service import progress_by_module

    return course_status(
        course, progress_by_module(enrollment_id, course.slug), confirmed_shadow_days(person_id)
    )
