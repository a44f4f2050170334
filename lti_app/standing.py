"""One learner's standing in a course: asks learning and shadowing, then completion.

It sits above both features (they never import it), so completion.py stays a
pure function and no lazy import hides a cycle.
"""

from __future__ import annotations

from course_content.models import Course

from .completion import CourseStatus, course_status
from .learning.service import progress_by_module
from .shadowing.service import confirmed_day_count


def status_for(*, enrollment_id: int, person_id: int, course: Course) -> CourseStatus:
    """Modules of this enrolment, confirmed days of the person (each date once)."""
    progress = progress_by_module(enrollment_id, course.slug)
    return course_status(course, progress, confirmed_day_count(person_id))
