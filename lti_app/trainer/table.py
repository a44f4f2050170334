"""The dashboard's rows: one per learner, built from a row of
`learner_query.learner_table` (filtered, searched, sorted and paged in SQL), and
the trainer's choices (?filter=&q=&sort=&order=&page=&all=) read from the URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from datetime import datetime

from babel.numbers import format_decimal

from course_content.models import Course

from ..completion import CourseStatus, course_status_from_counts
from ..shadowing.service import ShadowSummary
from ..templating import format_locale
from .learner_query import STAGE_FILTERS, module_values

NOT_STARTED, READ, ATTEMPTED, PASSED = "not_started", "read", "attempted", "passed"
SEARCH_LIMIT = 100
PAGE_SIZE = 50


class ModuleCell(NamedTuple):
    """A tuple, not a frozen dataclass: an export builds 12,000 of them."""

    slug: str
    state: str  # not_started | read | attempted | passed
    best_percent: int | None
    attempts: int
    is_read: bool
    is_passed: bool

    @classmethod
    def of(
        cls,
        slug: str,
        is_read: int | None,
        attempts: int | None,
        best_percent: int | None,
        is_passed: int | None,
    ) -> ModuleCell:
        """From learner_query.module_values (flags as 0/1: the dates are not
        shown, and reading 12,000 of them cost more than the rest of the row)."""
        if is_passed:
            state = PASSED
        elif attempts:
            state = ATTEMPTED
        elif is_read:
            state = READ
        else:
            state = NOT_STARTED
        return cls(
            slug, state, best_percent, attempts or 0, bool(is_read), bool(is_passed)
        )


@dataclass(frozen=True)
class LearnerRow:
    enrollment_id: int
    person_id: int
    name: str
    sort_name: str
    email: str  # "" when the LMS does not share it
    has_launched: bool
    modules: tuple[ModuleCell, ...]
    status: CourseStatus
    shadow: ShadowSummary
    certificate_id: int | None  # the current certificate
    revoked_at: datetime | None
    last_activity_at: datetime | None

    @property
    def certificate_state(self) -> str:
        """issued | revoked | eligible | none.

        A revocation shows even when the rules are met again: the trainer
        revoked it for a reason and decides on a new one on the certificates page.
        """
        if self.certificate_id is not None:
            return "issued"
        if self.revoked_at is not None:
            return "revoked"
        return "eligible" if self.status.is_complete else "none"

    @property
    def is_not_started(self) -> bool:
        return (
            all(cell.state == NOT_STARTED for cell in self.modules)
            and self.shadow.logged == 0
            and self.certificate_id is None
        )

    @property
    def is_waiting(self) -> bool:
        return self.shadow.pending > 0

    @property
    def is_complete(self) -> bool:
        return self.status.is_complete

    @property
    def is_certified(self) -> bool:
        return self.certificate_id is not None

    @property
    def is_in_progress(self) -> bool:
        return not self.is_not_started and not self.is_complete


def row_from(course: Course, values: Mapping) -> LearnerRow:
    """A LearnerRow from one row of learner_query.learner_table; the status is
    completion's, fed with the counts SQL made."""
    return LearnerRow(
        enrollment_id=values["enrollment_id"],
        person_id=values["person_id"],
        name=values["name"],
        sort_name=values["sort_name"],
        email=values["email"],
        has_launched=bool(values["has_launched"]),
        modules=_cells(course, values["modules"]),
        status=course_status_from_counts(
            course,
            modules_passed=values["passed"],
            shadow_days_confirmed=values["confirmed_days"],
        ),
        shadow=ShadowSummary(
            int(values["pending"]), int(values["logged"]), values["last_change_at"]
        ),
        certificate_id=values["certificate_id"],
        revoked_at=values["revoked_at"],
        last_activity_at=values["last_activity_at"],
    )


def _cells(course: Course, text: str | None) -> tuple[ModuleCell, ...]:
    progress = module_values(text)
    return tuple(
        _cell(module.slug, *progress.get(module.slug, NO_PROGRESS))
        for module in course.published_modules
    )


# Most learners share their cells (not started, passed with 80 % at the first
# try): the same tuple serves them all.
_cell = lru_cache(maxsize=4096)(ModuleCell.of)


NO_PROGRESS = (0, 0, None, 0)


# -- what the trainer asked for: ?filter=&q=&sort=&order=&page=&all= ---------------

FILTERS = STAGE_FILTERS
SORTS = ("name", "progress", "activity")
DEFAULT_ORDER = {"name": "asc", "progress": "desc", "activity": "desc"}
# A new filter, search or order starts again on the first page.
_RESTARTS_PAGING = {"filter", "q", "sort", "order"}


@dataclass(frozen=True)
class TableQuery:
    filter: str | None = None
    search: str = ""
    sort: str = "name"
    order: str = "asc"
    page: int = 1
    show_all: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TableQuery:
        """Unknown values fall back to the defaults: a hand-edited URL still works."""
        wanted = args.get("filter")
        sort = args.get("sort") if args.get("sort") in SORTS else "name"
        order = args.get("order")
        if order not in ("asc", "desc"):
            order = DEFAULT_ORDER[sort]
        page = args.get("page") or ""
        return cls(
            filter=wanted if wanted in FILTERS else None,
            search=" ".join((args.get("q") or "").split())[:SEARCH_LIMIT],
            sort=sort,
            order=order,
            # Bounded: a page past the last shows the last (see paging.Page).
            page=min(int(page), 10**6) if page.isdigit() and int(page) > 0 else 1,
            show_all=args.get("all") == "1",
        )

    def as_args(self, **changes: str | int | None) -> dict[str, str]:
        """The query string for links that keep the other choices."""
        values: dict[str, str | int | None] = {
            "filter": self.filter,
            "q": self.search,
            "sort": self.sort,
            "order": self.order,
            "page": self.page if self.page > 1 else None,
            "all": "1" if self.show_all else None,
        }
        if _RESTARTS_PAGING & changes.keys() and "page" not in changes:
            values["page"] = None
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value}

    @property
    def descending(self) -> bool:
        return self.order == "desc"


def format_count(number: int) -> str:
    """A row count as the trainer writes it: 1,000 in English, 1.000 in Dutch."""
    return format_decimal(number, locale=format_locale())
