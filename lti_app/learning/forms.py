"""Forms: only their shape; the rules live in service.py."""

from __future__ import annotations

import uuid

from ..forms import CheckedForm as FlaskForm  # refuses NUL characters
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField
from wtforms.validators import DataRequired, Length, Regexp

from course_content.models import CourseModule


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class QuizForm(FlaskForm):
    # New per rendered form; the service counts a submission id once.
    submission_id = HiddenField(
        validators=[DataRequired(), Regexp(r"^[a-f0-9]{32}$"), Length(max=64)],
        default=lambda: uuid.uuid4().hex,
    )


def quiz_answers(module: CourseModule, form: MultiDict) -> dict[str, list[str]]:
    """The options ticked per question (`q-<question id>` fields); a typed
    number without the spaces around it, and no empty field."""
    return {q.id: [a.strip() for a in form.getlist(f"q-{q.id}") if a.strip()]
            for q in module.quiz.questions}


def unanswered(module: CourseModule, answers: dict[str, list[str]]) -> list[str]:
    """The ids of the questions without an answer, in quiz order."""
    return [q.id for q in module.quiz.questions if not answers.get(q.id)]


class BindLinkForm(FlaskForm):
    """The trainer chooses what an LMS link opens: `course` or `course/module`."""

    target = RadioField(validators=[DataRequired()], choices=[], validate_choice=False)

