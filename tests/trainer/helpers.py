"""Quiz attempts with the answers chosen, for the insights and their exports."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from sqlalchemy import select

from course_content.models import Course
from lti_app.extensions import db
from lti_app.learning.models import ModuleProgress, QuizAttempt
from lti_app.people.models import Context, Enrollment


def make_attempt(
    enrollment_id: int, course: Course, module_slug: str, answers: Mapping[str, list]
) -> QuizAttempt:
    module = course.module(module_slug)
    result = module.quiz.score(answers)
    attempt = QuizAttempt(
        enrollment_id=enrollment_id,
        course_slug=course.slug,
        module_slug=module_slug,
        content_version=module.version,
        submission_id=secrets.token_urlsafe(12),
        answers={key: list(value) for key, value in answers.items()},
        correct=result.correct,
        total=result.total,
        percent=result.percent,
        is_passed=result.passed,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def answer_quizzes(context: Context, course: Course) -> None:
    """One attempt for each progress row with attempts and none stored yet:
    right answers when the module was passed, the first wrong option otherwise."""
    done = set(
        db.session.execute(
            select(QuizAttempt.enrollment_id, QuizAttempt.module_slug)
            .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
            .where(Enrollment.context_id == context.id)
        ).all()
    )
    rows = db.session.scalars(
        select(ModuleProgress)
        .join(Enrollment, Enrollment.id == ModuleProgress.enrollment_id)
        .where(Enrollment.context_id == context.id, ModuleProgress.attempts > 0)
    )
    for row in list(rows):
        if (row.enrollment_id, row.module_slug) in done:
            continue
        module = course.module(row.module_slug)
        if module is None or module.quiz is None:
            continue
        answers = {
            q.id: q.right_answer()
            if row.passed_at
            else ([o.id for o in q.options if o.id not in q.correct][:1] or ["0"])
            for q in module.quiz.questions
        }
        make_attempt(row.enrollment_id, course, row.module_slug, answers)
