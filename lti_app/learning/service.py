"""What a learner does with modules: read, take the quiz, see progress.

Services take plain values, flush and never commit (the view commits once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Row, bindparam, case, func, select
from sqlalchemy.exc import IntegrityError

from course_content.models import Course, CourseModule

from ..domain import DomainError
from ..extensions import db
from ..launch_scope import course_of_launch, find_course
from ..lti.context import LaunchContext
from ..people.models import Enrollment, ResourceLink
from ..signals import link_bound, standing_changed
from ..timeutil import utc_now
from ..upsert import dialect_insert, insert_unless_there
from .content import UnknownCourseOrModule
from .grades import lock_standing_of, lock_standing_with_link
from .models import ModuleProgress, QuizAttempt, ReflectionAnswer, ScenarioState

__all__ = ["UnknownCourseOrModule"]  # raised by bind_link, defined with the content

MAX_ANSWER_IDS = 20  # per question; more is a tampered form
MAX_ANSWER_LENGTH = 40  # per answer: an option id or a typed number
MAX_REFLECTION_LENGTH = 5000  # characters per reflection answer
SCENARIO_SCORE = 100  # percent, for reaching an end of a scenario


class SubmissionBelongsToSomeoneElse(DomainError):
    """A quiz form id that another learner already used."""

    def user_message(self) -> str:
        return _("This quiz form was already used. Reload the module and try again.")


# Every learner's page reads these: built once, parameters bound per call
# (building a statement's WHERE cost more than running it).
_PROGRESS = select(ModuleProgress).where(
    ModuleProgress.enrollment_id == bindparam("enrollment_id"),
    ModuleProgress.course_slug == bindparam("course_slug"),
)
_REFLECTIONS = select(ReflectionAnswer).where(
    ReflectionAnswer.enrollment_id == bindparam("enrollment_id"),
    ReflectionAnswer.course_slug == bindparam("course_slug"),
    ReflectionAnswer.module_slug == bindparam("module_slug"),
)


# A learner's page reads the launch's link (its course) and her progress in that
# course: one SELECT for both, the progress rows joined to the link's course
# (standing adds her confirmed days to it for the overview).
LINK_PROGRESS = (
    select(ResourceLink.course_slug, ModuleProgress).select_from(ResourceLink)
    .outerjoin(ModuleProgress, (ModuleProgress.enrollment_id == bindparam("enrollment_id"))
               & (ModuleProgress.course_slug == ResourceLink.course_slug))
    .where(ResourceLink.id == bindparam("link_id"),
           ResourceLink.context_id == bindparam("context_id"))
)


def course_and_progress(launch: LaunchContext, *, statement=LINK_PROGRESS, **more
                        ) -> tuple[Course, dict[str, ModuleProgress], Row | None]:
    """The launch's course, her progress in it by module, and the row of the one
    SELECT that read both (None when course_of_launch had to decide: no link, as
    for a trainer's course-level launch). `statement`: LINK_PROGRESS with
    columns added, `more` their parameters. Raises UnknownCourseOrModule."""
    if launch.resource_link_id is not None:
        rows = db.session.execute(statement, {
            "link_id": launch.resource_link_id, "context_id": launch.context_id,
            "enrollment_id": launch.enrollment_id, **more}).all()
        if rows:
            course = find_course(rows[0][0])
            if course is None:
                raise UnknownCourseOrModule("course")
            return course, {row[1].module_slug: row[1] for row in rows
                            if row[1] is not None}, rows[0]
    course = course_of_launch(launch)
    if course is None:
        raise UnknownCourseOrModule("course")
    return course, progress_by_module(launch.enrollment_id, course.slug), None


# The module page's one read: the link's course, her progress in that module and
# her reflections on it. Both are joined to the link, not one to the other: a
# reflection may be saved before the module has a progress row. One row per
# reflection (at least one), the progress repeated on each.
LINK_MODULE = (
    select(ResourceLink.course_slug, ModuleProgress, ReflectionAnswer).select_from(ResourceLink)
    .outerjoin(ModuleProgress, (ModuleProgress.enrollment_id == bindparam("enrollment_id"))
               & (ModuleProgress.course_slug == ResourceLink.course_slug)
               & (ModuleProgress.module_slug == bindparam("module_slug")))
    .outerjoin(ReflectionAnswer, (ReflectionAnswer.enrollment_id == bindparam("enrollment_id"))
               & (ReflectionAnswer.course_slug == ResourceLink.course_slug)
               & (ReflectionAnswer.module_slug == bindparam("module_slug")))
    .where(ResourceLink.id == bindparam("link_id"),
           ResourceLink.context_id == bindparam("context_id"))
)


def locked_course(launch: LaunchContext) -> Course | None:
    """The launch's course (as course_of_launch), with her standing locked
    until the commit: the lock record_result takes, taken first so that the
    link's course comes in its SELECT (one round trip, where they took two)."""
    if launch.resource_link_id is not None:
        row = lock_standing_with_link(launch.enrollment_id, link_id=launch.resource_link_id,
                                      context_id=launch.context_id)
        if row is not None and row.id is not None:
            return find_course(row.course_slug)
    return course_of_launch(launch)


def course_and_module_state(launch: LaunchContext, module_slug: str) -> tuple[
        Course, ModuleProgress | None, dict[str, ReflectionAnswer]]:
    """The launch's course, her progress in one of its modules and her
    reflections on it by prompt id: one SELECT for a launch with its link.
    Raises UnknownCourseOrModule without a course the content knows (the caller
    checks the module)."""
    if launch.resource_link_id is not None:
        rows = db.session.execute(LINK_MODULE, {
            "link_id": launch.resource_link_id, "context_id": launch.context_id,
            "enrollment_id": launch.enrollment_id, "module_slug": module_slug}).all()
        if rows:
            course = find_course(rows[0][0])
            if course is None:
                raise UnknownCourseOrModule("course")
            return course, rows[0][1], {row[2].prompt_id: row[2] for row in rows
                                        if row[2] is not None}
    course = course_of_launch(launch)
    if course is None:
        raise UnknownCourseOrModule("course")
    module = course.module(module_slug)
    if module is None:
        return course, None, {}
    return course, *module_state(launch.enrollment_id, course, module)


def module_state(enrollment_id: int, course: Course, module: CourseModule
                 ) -> tuple[ModuleProgress | None, dict[str, ReflectionAnswer]]:
    """Her progress in a module and her reflections on it, read apart (when
    the course is known already)."""
    return (progress_by_module(enrollment_id, course.slug).get(module.slug),
            reflections_for(enrollment_id, course, module) if module.reflection else {})


def progress_by_module(enrollment_id: int, course_slug: str) -> dict[str, ModuleProgress]:
    rows = db.session.scalars(
        _PROGRESS, {"enrollment_id": enrollment_id, "course_slug": course_slug})
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


def get_progress(enrollment_id: int, course: Course, module: CourseModule, *,
                 fresh: bool = False) -> ModuleProgress:
    """The progress row, created on first use (concurrent first uses are safe);
    `fresh`: as committed now, not as this session read it before."""
    progress = _find_progress(enrollment_id, course.slug, module.slug, fresh=fresh)
    if progress is not None:
        return progress
    progress = insert_unless_there(
        ModuleProgress, ("enrollment_id", "course_slug", "module_slug"),
        enrollment_id=enrollment_id, course_slug=course.slug, module_slug=module.slug,
        attempts=0, updated_at=utc_now(),
    )
    if progress is None:  # another request created it first
        progress = _find_progress(enrollment_id, course.slug, module.slug, fresh=True)
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
    kept = _known_answers(module, answers)
    result = module.quiz.score(kept)
    attempt = insert_unless_there(
        QuizAttempt, ("submission_id",),
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
        created_at=utc_now(),
    )
    if attempt is None:  # the form was sent before (a double click, a reload)
        existing = _find_attempt(submission_id)
        if existing.enrollment_id != enrollment_id:
            raise SubmissionBelongsToSomeoneElse(submission_id)
        return existing
    record_result(
        enrollment_id=enrollment_id, course=course, module=module,
        percent=result.percent, passed=result.passed,
    )  # fmt: skip
    return attempt


def record_result(
    *, enrollment_id: int, course: Course, module: CourseModule, percent: int, passed: bool
) -> ModuleProgress:
    """One attempt at a module (a quiz or a scenario): the best score counts, and
    the first pass stays. A pass, or a better best score of a passed module,
    changes the standing: the gradebook's scores are queued with it
    (signals.standing_changed). Any other attempt moves no column (a module's
    score goes out once it is passed; the course's counts passed modules).

    The person's standing is locked first (until the commit), then the row is
    read: two attempts at once (two tabs) each count, none overwrites the
    other's attempts or best score with what it read before the other's commit.
    """
    enrollment = lock_standing_of(enrollment_id)  # the enrolment and the lock: one SELECT
    progress = _count_attempt(enrollment_id, course, module, percent=percent, passed=passed)
    if passed or (progress.is_passed and progress.best_percent == percent):
        standing_changed.send("learning", person_id=enrollment.person_id,
                              context_id=enrollment.context_id, enrollment_id=enrollment.id)
    return progress


def _count_attempt(enrollment_id: int, course: Course, module: CourseModule, *,
                   percent: int, passed: bool) -> ModuleProgress:
    """The attempt counted on the progress row, created on first use: one
    INSERT ... ON CONFLICT DO UPDATE ... RETURNING, where a SELECT, an INSERT of
    an empty row and an UPDATE took three statements. The update is computed
    from the row as it is under the standing's lock (never a value read before)."""
    now = utc_now()
    dialect = db.session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - the tool runs on these
        return _count_attempt_in_orm(enrollment_id, course, module, percent=percent,
                                     passed=passed, now=now)
    values = dict(enrollment_id=enrollment_id, course_slug=course.slug,
                  module_slug=module.slug, percent=percent, now=now,
                  passed_at=now if passed else None,
                  passed_version=module.version if passed else None)
    return db.session.scalars(_attempt_upsert(dialect), values,
                              execution_options={"populate_existing": True}).one()


@cache
def _attempt_upsert(dialect: str):
    """Built once per process (building and keying it took ~0.7 ms a request)."""
    insert = dialect_insert(dialect)
    table = ModuleProgress.__table__
    column = table.c
    now = bindparam("now", type_=column.updated_at.type)
    # On the table, its row loaded as the model (as upsert.py does): the ORM's
    # own INSERT goes through its bulk-insert machinery on every call.
    statement = insert(table).values(
        enrollment_id=bindparam("enrollment_id", type_=column.enrollment_id.type),
        course_slug=bindparam("course_slug", type_=column.course_slug.type),
        module_slug=bindparam("module_slug", type_=column.module_slug.type),
        attempts=1, best_percent=bindparam("percent", type_=column.best_percent.type),
        read_at=now, updated_at=now,
        passed_at=bindparam("passed_at", type_=column.passed_at.type),
        passed_version=bindparam("passed_version", type_=column.passed_version.type),
    )
    new, row = statement.excluded, column
    best = func.coalesce(row.best_percent, 0)
    upsert = statement.on_conflict_do_update(
        index_elements=["enrollment_id", "course_slug", "module_slug"],
        set_={
            "attempts": row.attempts + 1,
            "best_percent": case((best > new.best_percent, best), else_=new.best_percent),
            "read_at": func.coalesce(row.read_at, new.read_at),
            # the first pass stays, with the version it was earned on
            "passed_at": func.coalesce(row.passed_at, new.passed_at),
            "passed_version": case((row.passed_at.is_(None) & new.passed_at.is_not(None),
                                    new.passed_version), else_=row.passed_version),
            "updated_at": new.updated_at,
        },
    ).returning(*column)
    return select(ModuleProgress).from_statement(upsert)


def _count_attempt_in_orm(enrollment_id: int, course: Course, module: CourseModule, *,
                          percent: int, passed: bool, now: datetime) -> ModuleProgress:
    progress = get_progress(enrollment_id, course, module, fresh=True)
    progress.attempts += 1
    progress.best_percent = max(progress.best_percent or 0, percent)
    progress.read_at = progress.read_at or now
    if passed and progress.passed_at is None:
        progress.passed_at = now
        progress.passed_version = module.version
    progress.updated_at = now
    db.session.flush()
    return progress


# --- reflections: private to the learner --------------------------------------


def reflections_for(enrollment_id: int, course: Course, module: CourseModule
                    ) -> dict[str, ReflectionAnswer]:
    """The learner's own answers in this module, by prompt id."""
    rows = db.session.scalars(_REFLECTIONS, {
        "enrollment_id": enrollment_id, "course_slug": course.slug, "module_slug": module.slug})
    return {row.prompt_id: row for row in rows}


def save_reflections(
    *, enrollment_id: int, course: Course, module: CourseModule, texts: Mapping[str, str]
) -> int:
    """Save the answers to this module's prompts (others are ignored); an empty
    answer removes a saved one. Returns how many answers are kept."""
    saved = reflections_for(enrollment_id, course, module)
    now = utc_now()
    for prompt in module.reflection:
        text = (texts.get(prompt.id) or "").strip()[:MAX_REFLECTION_LENGTH]
        row = saved.get(prompt.id)
        if not text:
            if row is not None:
                db.session.delete(row)
                del saved[prompt.id]
            continue
        if row is None:
            row = ReflectionAnswer(
                enrollment_id=enrollment_id, course_slug=course.slug,
                module_slug=module.slug, prompt_id=prompt.id, text=text, created_at=now,
            )  # fmt: skip
            db.session.add(row)
            saved[prompt.id] = row
        elif row.text != text:
            row.text = text
        row.updated_at = now
    db.session.flush()
    return len(saved)


def reflection_of_person(person_id: int, reflection_id: int) -> ReflectionAnswer | None:
    """One answer, only for the person who wrote it (nobody else: not a trainer)."""
    return db.session.scalar(
        select(ReflectionAnswer)
        .join(Enrollment, Enrollment.id == ReflectionAnswer.enrollment_id)
        .where(ReflectionAnswer.id == reflection_id, Enrollment.person_id == person_id)
    )


def reflections_of(person_id: int) -> list[dict]:
    """Every reflection answer and scenario state of a person, for the privacy
    export (plain JSON-able values)."""
    answers = db.session.scalars(
        select(ReflectionAnswer)
        .join(Enrollment, Enrollment.id == ReflectionAnswer.enrollment_id)
        .where(Enrollment.person_id == person_id)
        .order_by(ReflectionAnswer.id)
    )
    return [
        {"enrollment_id": a.enrollment_id, "course": a.course_slug, "module": a.module_slug,
         "prompt": a.prompt_id, "text": a.text, "created_at": a.created_at.isoformat(),
         "updated_at": a.updated_at.isoformat()}
        for a in answers
    ]


def scenario_states_of(person_id: int) -> list[dict]:
    """Where the person is in each scenario, for the privacy export."""
    states = db.session.scalars(
        select(ScenarioState)
        .join(Enrollment, Enrollment.id == ScenarioState.enrollment_id)
        .where(Enrollment.person_id == person_id)
        .order_by(ScenarioState.id)
    )
    return [
        {"enrollment_id": s.enrollment_id, "course": s.course_slug, "module": s.module_slug,
         "node": s.node_id, "choices": s.path,
         "finished_at": s.finished_at.isoformat() if s.finished_at else None}
        for s in states
    ]


# --- branching scenarios ------------------------------------------------------


def scenario_state(enrollment_id: int, course: Course, module: CourseModule
                   ) -> ScenarioState | None:
    return db.session.scalar(
        select(ScenarioState).where(
            ScenarioState.enrollment_id == enrollment_id,
            ScenarioState.course_slug == course.slug,
            ScenarioState.module_slug == module.slug,
        )
    )


def current_node_id(state: ScenarioState | None, module: CourseModule) -> str:
    """The node the learner is at: the start before the first choice, or after
    an edit of the content removed the node they were at."""
    scenario = module.scenario
    if state is None or scenario.node(state.node_id) is None:
        return scenario.start
    return state.node_id


def choose(
    *, enrollment_id: int, course: Course, module: CourseModule, node_id: str, choice_id: str
) -> tuple[ScenarioState, bool]:
    """Take one choice at `node_id`. Returns the state and whether this choice
    reached an end (the module then counts as passed, as after a passed quiz).

    A choice for another node than the current one (a form from an older page,
    a double click) changes nothing.
    """
    state = scenario_state(enrollment_id, course, module)
    if state is None:
        state = _start_scenario(enrollment_id, course, module)
    scenario = module.scenario
    at = current_node_id(state, module)
    node = scenario.node(at)
    choice = node.choice(choice_id) if node_id == at else None
    if choice is None or node.end:
        return state, False
    now = utc_now()
    state.path = [*(state.path or []), {"node": at, "choice": choice.id}]
    state.node_id = choice.next
    state.content_version = module.version
    state.updated_at = now
    reached_end = scenario.node(choice.next).end
    if reached_end:
        state.finished_at = now
        record_result(
            enrollment_id=enrollment_id, course=course, module=module,
            percent=SCENARIO_SCORE, passed=True,
        )  # fmt: skip
    db.session.flush()
    return state, reached_end


def restart_scenario(*, enrollment_id: int, course: Course, module: CourseModule) -> None:
    """Back to the start; a pass already earned stays."""
    state = scenario_state(enrollment_id, course, module)
    if state is None:
        return
    state.node_id = module.scenario.start
    state.path = []
    state.finished_at = None
    state.content_version = module.version
    state.updated_at = utc_now()
    db.session.flush()


def last_consequence(state: ScenarioState | None, module: CourseModule):
    """The choice just made (for its consequence), or None."""
    if state is None or not state.path:
        return None
    last = state.path[-1]
    node = module.scenario.node(last.get("node"))
    return node.choice(last.get("choice")) if node else None


def _start_scenario(enrollment_id: int, course: Course, module: CourseModule
                    ) -> ScenarioState:
    try:
        with db.session.begin_nested():
            state = ScenarioState(
                enrollment_id=enrollment_id, course_slug=course.slug,
                module_slug=module.slug, node_id=module.scenario.start, path=[],
                content_version=module.version,
            )  # fmt: skip
            db.session.add(state)
    except IntegrityError:  # another request started it first
        state = scenario_state(enrollment_id, course, module)
    return state


_ATTEMPT = select(QuizAttempt).where(QuizAttempt.id == bindparam("attempt_id"),
                                     QuizAttempt.enrollment_id == bindparam("enrollment_id"))

# The result page's one read: LINK_PROGRESS with the attempt (only hers) on every row.
_LINK_PROGRESS_ATTEMPT = LINK_PROGRESS.add_columns(QuizAttempt).outerjoin(
    QuizAttempt, (QuizAttempt.id == bindparam("attempt_id"))
    & (QuizAttempt.enrollment_id == bindparam("enrollment_id")))


def attempt_for(enrollment_id: int, attempt_id: int) -> QuizAttempt | None:
    """An attempt, only if it is this learner's."""
    return db.session.scalar(
        _ATTEMPT, {"attempt_id": attempt_id, "enrollment_id": enrollment_id})


def course_progress_and_attempt(launch: LaunchContext, attempt_id: int) -> tuple[
        Course, dict[str, ModuleProgress], QuizAttempt | None]:
    """course_and_progress and one of her attempts (None if not hers): one
    SELECT for a launch with its link, where they took two."""
    course, progress, row = course_and_progress(
        launch, statement=_LINK_PROGRESS_ATTEMPT, attempt_id=attempt_id)
    attempt = row[-1] if row is not None else attempt_for(launch.enrollment_id, attempt_id)
    return course, progress, attempt


def bind_link(
    *, link: ResourceLink, course: Course | None, module_slug: str | None = None
) -> ResourceLink:
    """Bind an LMS link to a course or to one module of it."""
    if course is None:
        raise UnknownCourseOrModule("course")
    if module_slug and course.module(module_slug) is None:
        raise UnknownCourseOrModule(module_slug)
    changed = (link.course_slug, link.module_slug) != (course.slug, module_slug or None)
    link.course_slug = course.slug
    link.module_slug = module_slug or None
    db.session.flush()
    if changed:  # every learner's column of this link gets its score
        link_bound.send("learning", link_id=link.id)
    return link


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
        kept[question.id] = [
            str(a)[:MAX_ANSWER_LENGTH] for a in list(submitted)[:MAX_ANSWER_IDS]
        ]
    return kept


def _find_progress(enrollment_id: int, course_slug: str, module_slug: str, *,
                   fresh: bool = False):
    query = select(ModuleProgress).where(
        ModuleProgress.enrollment_id == enrollment_id,
        ModuleProgress.course_slug == course_slug,
        ModuleProgress.module_slug == module_slug,
    )
    if fresh:
        query = query.execution_options(populate_existing=True)
    return db.session.scalar(query)


def _find_attempt(submission_id: str) -> QuizAttempt | None:
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.submission_id == submission_id))
