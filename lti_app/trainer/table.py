"""The dashboard's rows: one per learner, built from `queries.CourseData`, then
filtered, searched and sorted in memory (the stage of a learner is computed, not
stored, so SQL cannot filter on it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from course_content.models import Course

from ..completion import CourseStatus, course_status
from ..issuing.models import Certificate
from ..learning.models import ModuleProgress
from .queries import CourseData, ShadowSummary

NOT_STARTED, READ, ATTEMPTED, PASSED = "not_started", "read", "attempted", "passed"
SEARCH_LIMIT = 100


@dataclass(frozen=True)
class ModuleCell:
    slug: str
    state: str  # not_started | read | attempted | passed
    best_percent: int | None
    attempts: int
    read_at: datetime | None
    passed_at: datetime | None

    @classmethod
    def of(cls, slug: str, row: ModuleProgress | None) -> ModuleCell:
        if row is None:
            return cls(slug, NOT_STARTED, None, 0, None, None)
        if row.passed_at is not None:
            state = PASSED
        elif row.attempts:
            state = ATTEMPTED
        elif row.read_at is not None:
            state = READ
        else:
            state = NOT_STARTED
        return cls(
            slug, state, row.best_percent, row.attempts, row.read_at, row.passed_at
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
    certificate: Certificate | None  # the current one
    revoked_at: datetime | None
    last_activity_at: datetime | None

    @property
    def certificate_state(self) -> str:
        """issued | revoked | eligible | none.

        A revocation shows even when the rules are met again: the trainer
        revoked it for a reason and decides on a new one on the certificates page.
        """
        if self.certificate is not None:
            return "issued"
        if self.revoked_at is not None:
            return "revoked"
        return "eligible" if self.status.is_complete else "none"

    @property
    def is_not_started(self) -> bool:
        return (
            all(cell.state == NOT_STARTED for cell in self.modules)
            and self.shadow.logged == 0
            and self.certificate is None
        )

    @property
    def is_waiting(self) -> bool:
        return self.shadow.pending > 0

    @property
    def is_complete(self) -> bool:
        return self.status.is_complete

    @property
    def is_certified(self) -> bool:
        return self.certificate is not None

    @property
    def is_in_progress(self) -> bool:
        return not self.is_not_started and not self.is_complete

    @property
    def progress_ratio(self) -> float:
        """Modules passed and days confirmed, as a share of what the course asks."""
        status = self.status
        total = status.modules_total + status.shadow_days_required
        done = status.modules_passed + status.shadow_days_confirmed
        return done / total if total else 1.0


def build_rows(course: Course, data: CourseData) -> list[LearnerRow]:
    slugs = [module.slug for module in course.published_modules]
    rows = []
    for enrollment in data.enrollments:
        person = enrollment.person
        progress = data.progress.get(enrollment.id, {})
        shadow = data.shadow.get(person.id, ShadowSummary(0, 0, None))
        activity = [enrollment.last_launch_at, shadow.last_change_at]
        activity += [row.updated_at for row in progress.values()]
        rows.append(
            LearnerRow(
                enrollment_id=enrollment.id,
                person_id=person.id,
                name=person.display_name or person.email or "",
                sort_name=sort_name(
                    person.given_name,
                    person.family_name,
                    person.display_name or person.email or "",
                ),
                email=person.email or "",
                has_launched=enrollment.has_launched,
                modules=tuple(
                    ModuleCell.of(slug, progress.get(slug)) for slug in slugs
                ),
                status=course_status(
                    course, progress, data.confirmed_days.get(person.id, 0)
                ),
                shadow=shadow,
                certificate=data.certificates.get(person.id),
                revoked_at=data.revoked_at.get(person.id),
                last_activity_at=max(
                    (t for t in activity if t is not None), default=None
                ),
            )
        )
    return rows


def sort_name(given: str | None, family: str | None, fallback: str) -> str:
    """Dutch lists sort on the family name without its prefix: "de Vries" under V."""
    if not family:
        return fallback.casefold()
    words = family.split()
    # Tussenvoegsels (de, van der, 't) are the leading lowercase words.
    while len(words) > 1 and words[0] == words[0].lower():
        words.pop(0)
    return f"{' '.join(words)} {given or ''}".casefold()


# -- what the trainer asked for: ?filter=&q=&sort=&order= ----------------------------

FILTERS: dict[str, Callable[[LearnerRow], bool]] = {
    "not_started": lambda row: row.is_not_started,
    "in_progress": lambda row: row.is_in_progress,
    "waiting": lambda row: row.is_waiting,
    "complete": lambda row: row.is_complete,
    "certified": lambda row: row.is_certified,
}
_SORT_KEYS: dict[str, Callable[[LearnerRow], tuple]] = {
    "name": lambda row: (row.sort_name, row.enrollment_id),
    "progress": lambda row: (row.progress_ratio, row.sort_name, row.enrollment_id),
    "activity": lambda row: (
        row.last_activity_at is not None,
        row.last_activity_at.timestamp() if row.last_activity_at else 0.0,
        row.sort_name,
    ),
}
DEFAULT_ORDER = {"name": "asc", "progress": "desc", "activity": "desc"}


@dataclass(frozen=True)
class TableQuery:
    filter: str | None = None
    search: str = ""
    sort: str = "name"
    order: str = "asc"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TableQuery:
        """Unknown values fall back to the defaults: a hand-edited URL still works."""
        wanted = args.get("filter")
        sort = args.get("sort") if args.get("sort") in _SORT_KEYS else "name"
        order = args.get("order")
        if order not in ("asc", "desc"):
            order = DEFAULT_ORDER[sort]
        return cls(
            filter=wanted if wanted in FILTERS else None,
            search=" ".join((args.get("q") or "").split())[:SEARCH_LIMIT],
            sort=sort,
            order=order,
        )

    def as_args(self, **changes: str | None) -> dict[str, str]:
        """The query string for links that keep the other choices."""
        values = {
            "filter": self.filter,
            "q": self.search,
            "sort": self.sort,
            "order": self.order,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}

    def apply(self, rows: list[LearnerRow]) -> list[LearnerRow]:
        shown = rows
        if self.filter:
            shown = [row for row in shown if FILTERS[self.filter](row)]
        if self.search:
            needle = self.search.casefold()
            shown = [row for row in shown if needle in row.name.casefold()]
        # Learners without activity stay last whichever way activity is sorted.
        reverse = self.order == "desc"
        if self.sort == "activity" and not reverse:
            key = _SORT_KEYS["activity"]
            return sorted(shown, key=lambda row: (not key(row)[0], *key(row)[1:]))
        return sorted(shown, key=_SORT_KEYS[self.sort], reverse=reverse)


def stage_counts(rows: list[LearnerRow]) -> dict[str, int]:
    return {name: sum(1 for row in rows if test(row)) for name, test in FILTERS.items()}
