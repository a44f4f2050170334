"""What a learner does with modules: read, take the quiz, see progress.

Services take plain values, flush and never commit (the view commits once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course_content.models import Course, CourseModule

from ..completion import CourseStatus
from ..domain import DomainError
from ..extensions import db
from ..people.models import Enrollment, ResourceLink
from ..timeutil import utc_now
from . import grades
from .content import UnknownCourseOrModule
from .links import links_to_grade
from .models import ModuleProgress, QuizAttempt

__all__ = ["UnknownCourseOrModule"]  # raised by bind_link, defined with the content

MAX_ANSWER_IDS = 20  # per question; more is a tampered form


class SubmissionBelongsToSomeoneElse(DomainError):
    """A quiz form id that another learner already used."""

    def user_message(self) -> str:
        return _("This quiz form was already used. Reload the module and try again.")


def progress_by_module(enrollment_id: int, course_slug: str) -> dict[str, ModuleProgress]:
    rows = db.session.scalars(
        select(ModuleProgress).where(
            ModuleProgress.enrollment_id == enrollment_id,
            ModuleProgress.course_slug == course_slug,
        )
    )
    return {row.module_slug: row for row in rows}


def progress_by_enrollment(
    enrollment_ids: Sequence[int], course_slug: str
) -> dict[int, dict[str, ModuleProgress]]:
    """progress_by_module for many enrolments in one query (dashboards)."""
    progress: dict[int, dict[str, ModuleProgress]] = {}
    if not enrollment_ids:
        return progress
    rows = db.session.scalars(
        select(ModuleProgress).where(
            ModuleProgress.enrollment_id.in_(enrollment_ids),
            ModuleProgress.course_slug == course_slug,
        )
    )
    for row in rows:
        progress.setdefault(row.enrollment_id, {})[row.module_slug] = row
    return progress


def passed_modules_of_person(person_id: int, course_slug: str) -> dict[str, datetime]:
    """When the person passed each module of the course (any of their enrolments)."""
    rows = db.session.execute(
        select(ModuleProgress.module_slug, ModuleProgress.passed_at)
        .join(Enrollment, Enrollment.id == ModuleProgress.enrollment_id)
        .where(Enrollment.person_id == person_id,
               ModuleProgress.course_slug == course_slug,
               ModuleProgress.passed_at.is_not(None))
    )
    return dict(rows.all())


def attempts_of_enrollment(
    enrollment_id: int, course_slug: str
) -> dict[str, list[QuizAttempt]]:
    """Quiz attempts per module, newest first."""
    rows = db.session.scalars(
        select(QuizAttempt)
        .where(
            QuizAttempt.enrollment_id == enrollment_id,
            QuizAttempt.course_slug == course_slug,
        )
        .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc())
    )
    attempts: dict[str, list[QuizAttempt]] = defaultdict(list)
    for row in rows:
        attempts[row.module_slug].append(row)
    return dict(attempts)


def get_progress(enrollment_id: int, course: Course, module: CourseModule) -> ModuleProgress:
    """The progress row, created on first use (concurrent first uses are safe)."""
    progress = _find_progress(enrollment_id, course.slug, module.slug)
    if progress is not None:
        return progress
    try:
        with db.session.begin_nested():
            progress = ModuleProgress(
                enrollment_id=enrollment_id, course_slug=course.slug, module_slug=module.slug
            )
            db.session.add(progress)
    except IntegrityError:  # another request created it first
        progress = _find_progress(enrollment_id, course.slug, module.slug)
    return progress


def mark_read(*, enrollment_id: int, course: Course, module: CourseModule) -> ModuleProgress:
    """Idempotent: the first time counts."""
    progress = get_progress(enrollment_id, course, module)
    if progress.read_at is None:
        progress.read_at = progress.updated_at = utc_now()
        db.session.flush()
    return progress


def submit_quiz(
    *,
    enrollment_id: int,
    course: Course,
    module: CourseModule,
    answers: Mapping[str, Sequence[str]],
    submission_id: str,
) -> QuizAttempt:
    """Grade one submission; the same submission id twice returns the first result."""
    existing = _find_attempt(submission_id)
    if existing is not None:
        if existing.enrollment_id != enrollment_id:
            raise SubmissionBelongsToSomeoneElse(submission_id)
        return existing
    kept = _known_answers(module, answers)
    result = module.quiz.score(kept)
    attempt = QuizAttempt(
        enrollment_id=enrollment_id,
        course_slug=course.slug,
        module_slug=module.slug,
        content_version=module.version,
        submission_id=submission_id,
        answers=kept,
        correct=result.correct,
        total=result.total,
        percent=result.percent,
        is_passed=result.passed,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # the same form posted twice at once
        return _find_attempt(submission_id)
    progress = get_progress(enrollment_id, course, module)
    now = utc_now()
    progress.attempts += 1
    progress.best_percent = max(progress.best_percent or 0, result.percent)
    progress.read_at = progress.read_at or now
    if result.passed and progress.passed_at is None:
        progress.passed_at = now
        progress.passed_version = module.version
    progress.updated_at = now
    db.session.flush()
    return attempt


def attempt_for(enrollment_id: int, attempt_id: int) -> QuizAttempt | None:
    """An attempt, only if it is this learner's."""
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.id == attempt_id, QuizAttempt.enrollment_id == enrollment_id
        )
    )


def bind_link(
    *, link: ResourceLink, course: Course | None, module_slug: str | None = None
) -> ResourceLink:
    """Bind an LMS link to a course or to one module of it."""
    if course is None:
        raise UnknownCourseOrModule("course")
    if module_slug and course.module(module_slug) is None:
        raise UnknownCourseOrModule(module_slug)
    link.course_slug = course.slug
    link.module_slug = module_slug or None
    db.session.flush()
    return link


def queue_grades(
    *, enrollment_id: int, context_id: int, course: Course, status: CourseStatus
) -> bool:
    """Queue the learner's scores for every graded link of this course in this
    LMS course; True if any delivery is waiting (the view sends it later)."""
    progress = progress_by_module(enrollment_id, course.slug)
    enrollment = db.session.get(Enrollment, enrollment_id)
    queued = False
    for link in links_to_grade(context_id, course.slug):
        delivery = grades.queue_grade(
            link=link, enrollment=enrollment, course=course, progress=progress, status=status
        )
        queued = queued or delivery is not None
    return queued


def next_module(course: Course, progress: Mapping[str, ModuleProgress]) -> CourseModule | None:
    """The first published module not yet passed."""
    for module in course.published_modules:
        row = progress.get(module.slug)
        if row is None or not row.is_passed:
            return module
    return None


def _known_answers(module: CourseModule, answers: Mapping[str, Sequence[str]]) -> dict:
    """Only answers to this quiz's questions, capped: tampered forms store nothing odd."""
    kept: dict[str, list[str]] = {}
    for question in module.quiz.questions:
        submitted = answers.get(question.id) or []
        kept[question.id] = [str(a)[:40] for a in list(submitted)[:MAX_ANSWER_IDS]]
    return kept


def _find_progress(enrollment_id: int, course_slug: str, module_slug: str):
    return db.session.scalar(
        select(ModuleProgress).where(
            ModuleProgress.enrollment_id == enrollment_id,
            ModuleProgress.course_slug == course_slug,
            ModuleProgress.module_slug == module_slug,
        )
    )


def _find_attempt(submission_id: str) -> QuizAttempt | None:
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.submission_id == submission_id))
