"""Course insights for trainers: learners per stage, and per module the pass rate,
the median number of attempts and, per question, the share answered right and
the wrong answer chosen most.

Built from the dashboard's rows (`learners.every_row`) plus one query for
the quiz attempts: a fixed number of statements for any number of learners.
Per question the counts come from each learner's first attempt at a module (the
answers kept in QuizAttempt.answers): later attempts follow the review, so they
say less about what the module taught.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import median

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from course_content.models import (
    Course,
    CourseModule,
    Question,
    format_number,
    parse_number,
)

from ..extensions import db
from ..learning.models import QuizAttempt
from ..people.models import ROLE_LEARNER, Enrollment
from .table import LearnerRow

# Exclusive stages, in the order a learner goes through them; each learner
# counts once (the dashboard's filters overlap: a certified learner is complete).
STAGES = ("not_started", "in_progress", "waiting", "complete", "certified")


def stage_label(key: str) -> str:
    return {
        "not_started": _("Not started"),
        "in_progress": _("In progress, no shadowing day waiting"),
        "waiting": _("Waiting for a shadowing confirmation"),
        "complete": _("Requirements met, no certificate yet"),
        "certified": _("Certificate issued"),
    }[key]


@dataclass(frozen=True)
class StageCount:
    key: str
    count: int


@dataclass(frozen=True)
class QuestionInsight:
    number: int
    question: Question
    answered: int  # learners whose first attempt answered it
    right: int
    top_wrong: str | None  # an option id, or a typed number as text (numeric)
    top_wrong_count: int

    @property
    def percent_right(self) -> int | None:
        return round(100 * self.right / self.answered) if self.answered else None

    def top_wrong_text(self, lang: str) -> str | None:
        if self.top_wrong is None:
            return None
        for option in self.question.options:
            if option.id == self.top_wrong:
                return option.text.get(lang)
        number = parse_number(self.top_wrong)  # a typed number
        return format_number(number, lang) if number is not None else self.top_wrong


@dataclass(frozen=True)
class ModuleInsight:
    number: int
    module: CourseModule
    started: int  # learners who read it or took its quiz
    attempted: int  # learners who took its quiz (or scenario) at least once
    passed: int
    median_attempts: float | None  # among those who attempted
    questions: tuple[QuestionInsight, ...]

    @property
    def pass_percent(self) -> int | None:
        """Passed, of the learners who took the quiz."""
        return round(100 * self.passed / self.attempted) if self.attempted else None

    @property
    def median_text(self) -> str:
        """"1,5" in Dutch, "1.5" in English; "—" without attempts."""
        if self.median_attempts is None:
            return "—"
        return format_decimal(self.median_attempts, format="#,##0.#")

    @property
    def hardest_question(self) -> QuestionInsight | None:
        answered = [q for q in self.questions if q.answered]
        return min(answered, key=lambda q: (q.right / q.answered, q.number), default=None)


@dataclass(frozen=True)
class CourseInsights:
    learners: int
    stages: tuple[StageCount, ...]
    modules: tuple[ModuleInsight, ...]

    @property
    def largest_stage(self) -> int:
        return max((stage.count for stage in self.stages), default=0)


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, length (0..1 of the longest) and value text."""

    label: str
    share: float
    text: str
    kind: str = ""


def stage_bars(insights: CourseInsights) -> list[Bar]:
    largest = insights.largest_stage
    return [
        Bar(stage_label(stage.key), stage.count / largest if largest else 0.0,
            str(stage.count), stage.key)
        for stage in insights.stages
    ]  # fmt: skip


def module_bars(insights: CourseInsights, lang: str) -> list[Bar]:
    bars = []
    for item in insights.modules:
        label = f"{item.number}. {item.module.title.get(lang)}"
        if item.pass_percent is None:
            bars.append(Bar(label, 0.0, _("no attempts yet")))
            continue
        text = _(
            "%(percent)d%% (%(passed)d of %(attempted)d)",
            percent=item.pass_percent,
            passed=item.passed,
            attempted=item.attempted,
        )
        bars.append(Bar(label, item.pass_percent / 100, text))
    return bars


def stage_of(row: LearnerRow) -> str:
    """One stage per learner (see STAGES)."""
    if row.is_certified:
        return "certified"
    if row.is_complete:
        return "complete"
    if row.is_not_started:
        return "not_started"
    if row.is_waiting:
        return "waiting"
    return "in_progress"


def course_insights(
    course: Course, rows: list[LearnerRow], context_id: int
) -> CourseInsights:
    """The numbers for one LMS course from every learner's row: one query more
    than the rows cost."""
    per_stage = Counter(stage_of(row) for row in rows)
    first = first_attempts(context_id, course.slug)
    modules = []
    for index, module in enumerate(course.published_modules):
        cells = [row.modules[index] for row in rows]
        tries = [cell.attempts for cell in cells if cell.attempts]
        modules.append(
            ModuleInsight(
                number=index + 1,
                module=module,
                started=sum(1 for cell in cells if cell.is_read or cell.attempts),
                attempted=len(tries),
                passed=sum(1 for cell in cells if cell.is_passed),
                median_attempts=median(tries) if tries else None,
                questions=question_insights(module, first.get(module.slug, [])),
            )
        )
    return CourseInsights(
        learners=len(rows),
        stages=tuple(StageCount(key, per_stage.get(key, 0)) for key in STAGES),
        modules=tuple(modules),
    )


def first_attempts(context_id: int, course_slug: str) -> dict[str, list[Mapping]]:
    """Module slug -> the answers of each learner's first attempt, in one query."""
    learners = select(Enrollment.id).where(
        Enrollment.context_id == context_id, Enrollment.role == ROLE_LEARNER
    )
    firsts = (
        select(func.min(QuizAttempt.id))
        .where(
            QuizAttempt.enrollment_id.in_(learners),
            QuizAttempt.course_slug == course_slug,
        )
        .group_by(QuizAttempt.enrollment_id, QuizAttempt.module_slug)
    )
    answers: dict[str, list[Mapping]] = defaultdict(list)
    for module_slug, chosen in db.session.execute(
        select(QuizAttempt.module_slug, QuizAttempt.answers).where(
            QuizAttempt.id.in_(firsts)
        )
    ):
        if isinstance(chosen, Mapping):
            answers[module_slug].append(chosen)
    return dict(answers)


def question_insights(
    module: CourseModule, attempts: Iterable[Mapping]
) -> tuple[QuestionInsight, ...]:
    if module.quiz is None:
        return ()
    attempts = list(attempts)
    insights = []
    for number, question in enumerate(module.quiz.questions, start=1):
        answered = right = 0
        wrong: Counter[str] = Counter()
        for chosen in attempts:
            submitted = chosen.get(question.id)
            if not submitted or not isinstance(submitted, list):
                continue  # not asked then (an older version) or left empty
            answered += 1
            if question.is_answered_correctly(submitted):
                right += 1
            else:
                wrong.update(_wrong_answers(question, submitted))
        top = wrong.most_common(1)
        insights.append(
            QuestionInsight(
                number=number,
                question=question,
                answered=answered,
                right=right,
                top_wrong=top[0][0] if top else None,
                top_wrong_count=top[0][1] if top else 0,
            )
        )
    return tuple(insights)


def _wrong_answers(question: Question, submitted: list) -> list[str]:
    """What made an answer wrong: options chosen that are not right (choice),
    or the number typed (numeric, normalised: "12,5" and "12.50" are one)."""
    if question.is_numeric:
        number = parse_number(submitted[0]) if len(submitted) == 1 else None
        if number is None:
            return [str(submitted[0])]
        return [format(number.normalize(), "f")]
    options = question.option_ids
    return [
        str(option)
        for option in dict.fromkeys(submitted)
        if option in options and option not in question.correct
    ]
