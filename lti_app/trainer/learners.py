"""The dashboard's learners as the trainer asked for them: a page of 50 rows
(or the whole list) with the counts, and every row streamed for the exports.

Two statements for a page (the counts, then the rows), one for an export,
whatever the number of learners; see learner_query for the SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from math import ceil

from sqlalchemy import Integer, Select, bindparam, select

from course_content.models import Course

from ..extensions import db
from .learner_query import (
    CONTEXT_ID,
    LIMIT,
    OFFSET,
    PATTERN,
    Counts,
    CourseShape,
    counts_from,
    counts_select,
    learner_table,
    matching,
    ordering,
    name_pattern,
    with_modules,
)
from .table import PAGE_SIZE, LearnerRow, TableQuery, row_from

EXPORT_CHUNK = 500  # rows fetched at a time while an export streams
PAGE_LINKS_AROUND = 2  # page links either side of the current one


@dataclass(frozen=True)
class LearnerPage:
    rows: list[LearnerRow]
    counts: Counts
    number: int  # 1-based; 1 when the whole list is shown
    pages: int
    first: int  # 1-based position of the first row shown; 0: none
    last: int
    show_all: bool

    @property
    def links(self) -> list[int | None]:
        """Page numbers to link: the first, the last and those around the
        current one; None marks a gap ("…")."""
        near = range(self.number - PAGE_LINKS_AROUND, self.number + PAGE_LINKS_AROUND + 1)
        wanted = sorted({1, self.pages, *(n for n in near if 1 <= n <= self.pages)})
        links: list[int | None] = []
        for number in wanted:
            if links and number - links[-1] > 1:
                links.append(None)
            links.append(number)
        return links


def learner_page(
    course: Course, context_id: int, table: TableQuery, size: int = PAGE_SIZE
) -> LearnerPage:
    counts_statement, rows_statement = _page_statements(
        CourseShape.of(course), table.filter, bool(table.search), table.sort,
        table.descending, paged=not table.show_all,
    )  # fmt: skip
    values = {CONTEXT_ID: context_id, PATTERN: name_pattern(table.search)}
    counts = counts_from(db.session.execute(counts_statement, values).one())
    pages = max(1, ceil(counts.matching / size))
    number = 1 if table.show_all else min(table.page, pages)
    values |= {LIMIT: size, OFFSET: (number - 1) * size}
    rows = [
        row_from(course, row)
        for row in db.session.execute(rows_statement, values).mappings()
    ]
    first = (number - 1) * size + 1 if rows else 0
    return LearnerPage(
        rows=rows,
        counts=counts,
        number=number,
        pages=1 if table.show_all else pages,
        first=first,
        last=first + len(rows) - 1 if rows else 0,
        show_all=table.show_all,
    )


def every_row(
    course: Course, context_id: int, table: TableQuery | None = None
) -> Iterator[LearnerRow]:
    """Every row the filter and search keep, in the table's order, never paged
    (exports, insights); read EXPORT_CHUNK rows at a time (yield_per)."""
    table = table or TableQuery()
    _counts, statement = _page_statements(
        CourseShape.of(course), table.filter, bool(table.search), table.sort,
        table.descending, paged=False,
    )  # fmt: skip
    values = {CONTEXT_ID: context_id, PATTERN: name_pattern(table.search)}
    result = db.session.execute(
        statement.execution_options(yield_per=EXPORT_CHUNK), values
    )
    for row in result.mappings():
        yield row_from(course, row)


@lru_cache(maxsize=512)
def _page_statements(
    course: CourseShape,
    stage: str | None,
    searching: bool,
    sort: str,
    descending: bool,
    paged: bool,
) -> tuple[Select, Select]:
    """The counts and the rows statements for one choice of the trainer, built
    once: the values (LMS course, search, page) are bound when they run."""
    learners = learner_table(course)
    match = matching(learners, stage, searching)
    chosen = select(learners).where(match).order_by(*ordering(learners, sort, descending))
    if paged:
        chosen = chosen.limit(bindparam(LIMIT, type_=Integer())).offset(
            bindparam(OFFSET, type_=Integer())
        )
    # The chosen rows in one CTE (sorted, limited); their module columns joined
    # to it, in the table's order again (a join does not keep the CTE's).
    rows = chosen.cte("chosen")
    statement = with_modules(course, rows).order_by(*ordering(rows, sort, descending))
    return counts_select(learners, match), statement
