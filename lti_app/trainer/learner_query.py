"""The dashboard's learners in SQL: one statement for the counts and one for a
page of rows (or every row, streamed, for the exports), whatever the number of
learners.

Each learner is one row of `learner_table`: the enrolment and person with the
Dutch sort name, and the counts the course rules and the stages need (modules
passed and started, confirmed shadowing days, pending and logged days, the
current certificate, the last revocation, the last activity). The stage
filters, the search and the three sort orders are WHERE and ORDER BY clauses
on that table; `with_modules` then adds the module cells of the chosen rows
only, so only the rows shown are folded and travel to Python.

The course status itself stays `completion.course_status_from_counts`: the rows
are built with it (table.py). Filtering on "complete" needs the same rule as a
WHERE clause; it is written here once, from the thresholds that function
reports (CourseShape), and tests/trainer/test_paging.py checks both agree for
every learner.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    func,
    not_,
    or_,
    String,
    bindparam,
    cast,
    select,
    true,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from course_content.models import Course

from ..completion import course_status_from_counts
from ..issuing.models import Certificate
from ..learning.models import ModuleProgress
from ..people.models import ROLE_LEARNER, Enrollment, Person
from ..shadowing.service import confirmed_days_query, shadow_summary_query
from ..timeutil import UtcDateTime

# Dutch family-name prefixes have up to three words ("van de", "in 't", "van der").
PREFIX_WORDS = 3
STAGE_FILTERS = ("not_started", "in_progress", "waiting", "complete", "certified")


class _space_position(FunctionElement):
    """Where the first space is (1-based, 0: none): instr() or strpos()."""

    type = Integer()
    inherit_cache = True


@compiles(_space_position)
def _space_position_default(element, compiler, **kw):
    return "instr(%s, ' ')" % compiler.process(element.clauses, **kw)


@compiles(_space_position, "postgresql")
def _space_position_postgresql(element, compiler, **kw):
    return "strpos(%s, ' ')" % compiler.process(element.clauses, **kw)


@dataclass(frozen=True)
class CourseShape:
    """What the statements depend on of a course; hashable, so a statement is
    built once per course and reused (building one costs more than running it)."""

    slug: str
    module_slugs: tuple[str, ...]  # published, in order
    modules_needed: int
    days_needed: int

    @classmethod
    def of(cls, course: Course) -> CourseShape:
        needed = course_status_from_counts(course, modules_passed=0, shadow_days_confirmed=0)
        return cls(
            slug=course.slug,
            module_slugs=tuple(module.slug for module in course.published_modules),
            modules_needed=needed.modules_missing,
            days_needed=needed.shadow_days_missing,
        )


# The values a statement is run with (execute(statement, {...})).
CONTEXT_ID, PATTERN, LIMIT, OFFSET = "context_id", "name_pattern", "row_limit", "row_offset"


def learner_table(course: CourseShape) -> Subquery:
    """One row per learner of the LMS course given as CONTEXT_ID (see the
    module docstring)."""
    context_id = bindparam(CONTEXT_ID, type_=Integer())
    in_context = and_(Enrollment.context_id == context_id, Enrollment.role == ROLE_LEARNER)
    enrollment_ids = select(Enrollment.id).where(in_context)
    person_ids = select(Enrollment.person_id).where(in_context)
    slugs = list(course.module_slugs)

    progress = _progress(course.slug, slugs, enrollment_ids)
    # Each aggregate materialised: computed once. Without statistics (a table
    # just filled) PostgreSQL otherwise runs each grouped subquery again for
    # every learner, as a nested loop's inner side (seconds at 1,000).
    confirmed = _once(confirmed_days_query(person_ids), "confirmed")
    shadow = _once(shadow_summary_query(person_ids, context_id), "shadow")
    certificate = (
        # No "person in this LMS course" here: the join says it, and PostgreSQL
        # without statistics ran that subquery once per learner (17 s at 1,000).
        select(Certificate.person_id, Certificate.id.label("certificate_id"))
        .where(
            Certificate.course_slug == course.slug,
            # Current: neither revoked nor replaced (one per person and course).
            Certificate.revoked_at.is_(None),
            Certificate.superseded_at.is_(None),
        )
        .subquery("certificate")
    )
    revoked = _once(
        select(Certificate.person_id, func.max(Certificate.revoked_at).label("revoked_at"))
        .where(
            Certificate.person_id.in_(person_ids),
            Certificate.course_slug == course.slug,
            Certificate.revoked_at.is_not(None),
        )
        .group_by(Certificate.person_id),
        "revoked",
    )
    full = func.trim(
        func.coalesce(Person.given_name, "") + " " + func.coalesce(Person.family_name, "")
    )
    name = func.coalesce(
        func.nullif(Person.name, ""),
        func.nullif(full, ""),
        func.nullif(Person.email, ""),
        "",
    )
    passed = func.coalesce(progress.c.passed, 0)
    days = func.coalesce(confirmed.c.days, 0)
    # What the course counts: never more days than it asks for (completion's clamp).
    days_counted = case((days > course.days_needed, course.days_needed), else_=days)
    columns = [
        Enrollment.id.label("enrollment_id"),
        Enrollment.person_id,
        name.label("name"),
        func.coalesce(Person.email, "").label("email"),
        Enrollment.has_launched,
        Person.given_name,
        func.trim(Person.family_name).label("family"),
        passed.label("passed"),
        func.coalesce(progress.c.started, 0).label("started"),
        days.label("confirmed_days"),
        (passed + days_counted).label("progress_score"),
        func.coalesce(shadow.c.pending, 0).label("pending"),
        func.coalesce(shadow.c.logged, 0).label("logged"),
        shadow.c.last_change_at,
        certificate.c.certificate_id,
        revoked.c.revoked_at,
        _latest(
            Enrollment.last_launch_at, progress.c.last_update, shadow.c.last_change_at
        ).label("last_activity_at"),
        and_(passed >= course.modules_needed, days >= course.days_needed).label(
            "is_complete_sql"
        ),
    ]
    joined = (
        select(*columns)
        .select_from(Enrollment)
        .join(Person, Person.id == Enrollment.person_id)
        .outerjoin(progress, progress.c.enrollment_id == Enrollment.id)
        .outerjoin(confirmed, confirmed.c.person_id == Enrollment.person_id)
        .outerjoin(shadow, shadow.c.person_id == Enrollment.person_id)
        .outerjoin(certificate, certificate.c.person_id == Enrollment.person_id)
        .outerjoin(revoked, revoked.c.person_id == Enrollment.person_id)
        .where(in_context)
    )
    return _with_sort_name(joined)


def with_modules(course: CourseShape, rows: CTE) -> Select:
    """The chosen rows (a page, or every row of an export) with their published
    modules' progress in one text column, "modules" (see module_values): folded
    for these rows only, not for every learner the sort had to look at, and one
    string per row rather than four columns per module (reading 48 columns of
    1,000 rows cost more than the rest of the export)."""
    mp = ModuleProgress
    token = (
        mp.module_slug
        + ":" + case((mp.read_at.is_not(None), "1"), else_="0")
        + ":" + cast(mp.attempts, String())
        + ":" + func.coalesce(cast(mp.best_percent, String()), "")
        + ":" + case((mp.passed_at.is_not(None), "1"), else_="0")
    )  # fmt: skip
    modules = _once(
        select(mp.enrollment_id, _joined(token).label("modules"))
        .where(
            mp.enrollment_id.in_(select(rows.c.enrollment_id)),
            mp.course_slug == course.slug,
            mp.module_slug.in_(course.module_slugs),
        )
        .group_by(mp.enrollment_id),
        "modules",
    )
    return (
        select(rows, modules.c.modules)
        .select_from(rows)
        .outerjoin(modules, modules.c.enrollment_id == rows.c.enrollment_id)
    )


def module_values(text: str | None) -> dict[str, tuple[int, int, int | None, int]]:
    """Module slug -> (read, attempts, best percent, passed) from with_modules's
    column (slugs are URL words: no ":" or "|" in them)."""
    values = {}
    for token in text.split("|") if text else ():
        slug, read, attempts, best, passed = token.split(":")
        values[slug] = (int(read), int(attempts), int(best) if best else None, int(passed))
    return values


class _joined(FunctionElement):
    """The texts of a group joined by "|": group_concat() or string_agg()."""

    type = String()
    inherit_cache = True


@compiles(_joined)
def _joined_default(element, compiler, **kw):
    return "group_concat(%s, '|')" % compiler.process(element.clauses, **kw)


@compiles(_joined, "postgresql")
def _joined_postgresql(element, compiler, **kw):
    return "string_agg(%s, '|')" % compiler.process(element.clauses, **kw)


def _progress(course_slug: str, slugs: list[str], enrollment_ids: Select) -> CTE:
    """Per enrolment: the counts the stages and the sort need, the last change."""
    mp = ModuleProgress
    published = mp.module_slug.in_(slugs) if slugs else mp.id.is_(None)
    started = or_(mp.passed_at.is_not(None), mp.attempts > 0, mp.read_at.is_not(None))
    return _once(
        select(
            mp.enrollment_id,
            # (enrolment, course, module) is unique: a count of rows is of modules.
            func.count(case((and_(published, mp.passed_at.is_not(None)), 1))).label(
                "passed"
            ),
            func.count(case((and_(published, started), 1))).label("started"),
            # Every module of the course, published or not, is activity.
            func.max(mp.updated_at).label("last_update"),
        )
        .where(mp.enrollment_id.in_(enrollment_ids), mp.course_slug == course_slug)
        .group_by(mp.enrollment_id),
        "progress",
    )


def _once(statement: Select, name: str) -> CTE:
    return statement.cte(name).prefix_with("MATERIALIZED")


def _with_sort_name(joined: Select) -> Subquery:
    """The rows with their Dutch sort name ("de Vries" under V: the family name
    without its leading lowercase words, then the given name).

    One prefix word less per layer, each layer materialised: merged into one
    expression (as the planners would) the family name appears ~12^3 times.
    The joins happen in the first layer, where the planners index the
    aggregates; the later layers only scan it.
    """
    layer = joined.cte("learners0").prefix_with("MATERIALIZED")
    for number in range(1, PREFIX_WORDS + 1):
        others = [column for column in layer.c if column.key != "family"]
        stripped = _without_first_lowercase_word(layer.c.family).label("family")
        layer = select(*others, stripped).cte(f"learners{number}").prefix_with(
            "MATERIALIZED"
        )
    family = layer.c.family
    sort_name = case(
        (
            func.coalesce(family, "") != "",
            family + " " + func.coalesce(layer.c.given_name, ""),
        ),
        else_=layer.c.name,
    )
    others = [column for column in layer.c if column.key not in ("family", "given_name")]
    return select(*others, func.lower(sort_name).label("sort_name")).subquery("learners")


def _without_first_lowercase_word(family: ColumnElement) -> ColumnElement:
    space = _space_position(family)
    first = func.substr(family, 1, space - 1)
    is_prefix = and_(space > 0, first == func.lower(first), first != func.upper(first))
    return case((is_prefix, func.substr(family, space + 1)), else_=family)


def _latest(*moments: ColumnElement) -> ColumnElement:
    """The latest of nullable times (GREATEST is not portable: SQLite's max()
    is NULL as soon as one argument is)."""
    latest = moments[0]
    for moment in moments[1:]:
        latest = case(
            (latest.is_(None), moment),
            (moment.is_(None), latest),
            (moment > latest, moment),
            else_=latest,
        )
    return type_coerce(latest, UtcDateTime())


# -- the trainer's choices as SQL ---------------------------------------------------


def stage_conditions(table: Subquery) -> dict[str, ColumnElement[bool]]:
    """The dashboard's (overlapping) filters; insights.stage_of picks one each."""
    c = table.c
    not_started = and_(c.started == 0, c.logged == 0, c.certificate_id.is_(None))
    complete = c.is_complete_sql
    conditions = {
        "not_started": not_started,
        "in_progress": and_(not_(not_started), not_(complete)),
        "waiting": c.pending > 0,
        "complete": complete,
        "certified": c.certificate_id.is_not(None),
    }
    return {name: conditions[name] for name in STAGE_FILTERS}


def matching(
    table: Subquery, stage: str | None, searching: bool
) -> ColumnElement[bool]:
    """The filter, and the search as a LIKE with PATTERN (see name_pattern)."""
    conditions = []
    if stage:
        conditions.append(stage_conditions(table)[stage])
    if searching:
        pattern = bindparam(PATTERN, type_=String())
        conditions.append(func.lower(table.c.name).like(pattern, escape="\\"))
    return and_(true(), *conditions)


def name_pattern(search: str) -> str:
    """The typed text anywhere in the name; LIKE's wildcards stay characters."""
    escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ordering(table: Subquery, sort: str, descending: bool) -> list[ColumnElement]:
    c = table.c

    def way(column):
        return column.desc() if descending else column.asc()

    if sort == "progress":
        return [way(c.progress_score), way(c.sort_name), way(c.enrollment_id)]
    if sort == "activity":
        # Learners without any activity stay last whichever way it is sorted.
        never = case((c.last_activity_at.is_(None), 1), else_=0)
        return [never.asc(), way(c.last_activity_at), way(c.sort_name),
                way(c.enrollment_id)]  # fmt: skip
    return [way(c.sort_name), way(c.enrollment_id)]


@dataclass(frozen=True)
class Counts:
    total: int  # every learner of the LMS course
    matching: int  # those the filter and search keep
    stages: dict[str, int]  # per filter, over every learner


def counts_select(table: Subquery, match: ColumnElement[bool]) -> Select:
    def count_of(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stages = stage_conditions(table)
    return select(
        func.count(),
        count_of(match),
        *(count_of(condition).label(name) for name, condition in stages.items()),
    ).select_from(table)


def counts_from(row) -> Counts:
    total, matched, *per_stage = row
    return Counts(
        total=int(total),
        matching=int(matched),
        stages={name: int(n) for name, n in zip(STAGE_FILTERS, per_stage)},
    )
