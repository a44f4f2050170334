"""What must hold after the load: SQL invariants, saved steps, grades exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from .client import Learner, Sample
from .fake_lms import ScorePost
from .services import query, scalar


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def check(name: str, passed: bool, detail: str) -> Check:
    return Check(name, bool(passed), detail)


# Each query counts rows that break the rule; 0 means it holds. A launch writes
# person + enrollment in one commit, a quiz POST attempt + progress (+ grade
# outbox row) in one commit: any of these apart is a half-done write.
INVARIANTS: dict[str, str] = {
    "every quiz attempt has its module progress row": """
        SELECT count(*) FROM quiz_attempts a
        LEFT JOIN module_progress p ON p.enrollment_id = a.enrollment_id
         AND p.course_slug = a.course_slug AND p.module_slug = a.module_slug
        WHERE p.id IS NULL""",
    "progress.attempts = its quiz attempts; best % and pass agree": """
        SELECT count(*) FROM module_progress p
        LEFT JOIN (SELECT enrollment_id, course_slug, module_slug, count(*) AS n,
                          max(percent) AS best, bool_or(is_passed) AS passed
                   FROM quiz_attempts GROUP BY 1, 2, 3) a
          USING (enrollment_id, course_slug, module_slug)
        WHERE p.attempts <> coalesce(a.n, 0)
           OR p.best_percent IS DISTINCT FROM a.best
           OR (p.passed_at IS NOT NULL) <> coalesce(a.passed, false)""",
    "every person has an enrollment (launch written whole)": """
        SELECT count(*) FROM persons p
        WHERE NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.person_id = p.id)""",
    "every enrollment has its person and LMS course": """
        SELECT count(*) FROM enrollments e
        LEFT JOIN persons p ON p.id = e.person_id
        LEFT JOIN contexts c ON c.id = e.context_id
        WHERE p.id IS NULL OR c.id IS NULL""",
    "every pass has its grade queued with the best score": """
        SELECT count(*) FROM module_progress p
        JOIN enrollments e ON e.id = p.enrollment_id
        JOIN resource_links l ON l.context_id = e.context_id
         AND l.course_slug = p.course_slug AND l.module_slug = p.module_slug
         AND l.lineitem_url IS NOT NULL
        LEFT JOIN grade_deliveries g
          ON g.resource_link_id = l.id AND g.enrollment_id = e.id
        WHERE p.passed_at IS NOT NULL
          AND (g.id IS NULL OR g.score_given <> p.best_percent)""",
    "at most one LMS course and one link (all learners share them)": """
        SELECT greatest((SELECT count(*) FROM contexts) - 1, 0)
             + greatest((SELECT count(*) FROM resource_links) - 1, 0)""",
}


def invariant_checks(db: str, label: str) -> list[Check]:
    checks = []
    for name, sql in INVARIANTS.items():
        broken = scalar(db, sql)
        checks.append(check(f"{label}: {name}", broken == 0, f"{broken} rows break it"))
    return checks


def saved_steps_checks(db: str, label: str, learners: Sequence[Learner]) -> list[Check]:
    """Every launch and quiz POST the tool confirmed is in the database, once."""
    subs = [learner.sub for learner in learners]
    persons = {
        row[0]
        for row in query(db, "SELECT sub FROM persons WHERE sub = ANY(%s)", (subs,))
    }
    launched_missing = [l.sub for l in learners if l.launched and l.sub not in persons]
    confirmed = [l.submission_id for l in learners if l.submit_confirmed]
    stored = {
        row[0]
        for row in query(
            db,
            "SELECT submission_id FROM quiz_attempts WHERE submission_id = ANY(%s)",
            (confirmed,),
        )
    }
    lost = [sid for sid in confirmed if sid not in stored]
    per_person = query(
        db,
        """
        SELECT p.sub, count(a.id) FROM persons p
        JOIN enrollments e ON e.person_id = p.id
        LEFT JOIN quiz_attempts a ON a.enrollment_id = e.id
        WHERE p.sub = ANY(%s) GROUP BY p.sub""",
        (subs,),
    )
    counted_twice = [sub for sub, n in per_person if n > 1]
    return [
        check(
            f"{label}: every confirmed launch has its person",
            not launched_missing,
            f"{sum(l.launched for l in learners)} confirmed, "
            f"missing: {launched_missing[:5]}",
        ),
        check(
            f"{label}: every confirmed quiz POST is saved",
            not lost,
            f"{len(confirmed)} confirmed, {len(lost)} not in quiz_attempts",
        ),
        check(
            f"{label}: each learner's form counted once",
            not counted_twice,
            f"learners with >1 attempt: {counted_twice[:5]}",
        ),
    ]


@dataclass(frozen=True)
class GradeRow:
    sub: str
    lineitem: str  # path, as the fake LMS records it
    status: str
    delivered_score: float | None
    attempts: int
    last_error: str | None


def grade_rows(db: str, subs: Iterable[str] | None = None) -> list[GradeRow]:
    rows = query(
        db,
        """
        SELECT p.sub, l.lineitem_url, g.status, g.delivered_score, g.attempts,
               g.last_error
        FROM grade_deliveries g
        JOIN enrollments e ON e.id = g.enrollment_id
        JOIN persons p ON p.id = e.person_id
        JOIN resource_links l ON l.id = g.resource_link_id""",
    )
    wanted = None if subs is None else set(subs)
    return [
        GradeRow(sub, urlsplit(url).path, status, score, attempts, error)
        for sub, url, status, score, attempts, error in rows
        if wanted is None or sub in wanted
    ]


def exactly_once_checks(
    label: str, rows: Sequence[GradeRow], posts: Sequence[ScorePost]
) -> list[Check]:
    """The gradebook (fake LMS) against grade_deliveries: none lost, none twice."""
    accepted = [p for p in posts if p.status == 200]
    per_key = Counter((p.user_id, p.lineitem) for p in accepted)
    known = {(r.sub, r.lineitem) for r in rows}
    undelivered = [r for r in rows if r.status != "delivered"]
    unreached = [
        r for r in rows if r.status == "delivered" and per_key[(r.sub, r.lineitem)] == 0
    ]
    duplicates = {key: n for key, n in per_key.items() if key in known and n > 1}
    twice = [
        [p for p in accepted if (p.user_id, p.lineitem) == key] for key in duplicates
    ]
    same_timestamp = sum(len({p.timestamp for p in posts_}) == 1 for posts_ in twice)
    # The tool takes one access token per delivery run: two tokens, two runs.
    two_runs = sum(len({p.token for p in posts_}) > 1 for posts_ in twice)
    gaps = sorted(
        max(p.at for p in posts_) - min(p.at for p in posts_) for posts_ in twice
    )
    scores = {(p.user_id, p.lineitem): p.score_given for p in accepted}
    wrong = [
        r
        for r in rows
        if r.status == "delivered"
        and (r.sub, r.lineitem) in scores
        and scores[(r.sub, r.lineitem)] != r.delivered_score
    ]
    unknown = [key for key in per_key if key not in known]
    return [
        check(
            f"{label}: every score delivered (none lost)",
            not undelivered and not unreached,
            f"{len(rows)} queued; not delivered: {len(undelivered)} "
            f"{[(r.sub, r.attempts, r.last_error) for r in undelivered[:3]]}; "
            f"marked delivered but never accepted by the LMS: {len(unreached)}",
        ),
        check(
            f"{label}: each score accepted exactly once per (user, line item)",
            not duplicates,
            f"{len(accepted)} accepted POSTs for {len(per_key)} (user, line item); "
            f"{len(duplicates)} got it more than once "
            f"({sum(duplicates.values())} POSTs; "
            f"same timestamp: {same_timestamp}; from two delivery runs: {two_runs}; "
            f"first to last POST: median {_ms(gaps, 50)} ms, max {_ms(gaps, 100)} ms), "
            f"e.g. {[key[0] for key in sorted(duplicates)[:3]]}",
        ),
        check(
            f"{label}: accepted scores match the tool's",
            not wrong and not unknown,
            f"score differs: {len(wrong)}; scores for users the tool never queued: "
            f"{len(unknown)}",
        ),
    ]


def _ms(gaps: Sequence[float], pct: int) -> str:
    if not gaps:
        return "-"
    return f"{gaps[min(len(gaps) - 1, len(gaps) * pct // 100)] * 1000:.0f}"


def clean_failure(sample: Sample) -> bool:
    """Failed as the tool promises: a clear 503 page or a refused launch page."""
    if sample.ok:
        return True
    if sample.has_traceback or sample.status == 0:
        return False
    if sample.status == 503:
        return sample.page == "unavailable"
    return (
        400 <= sample.status < 500
        and sample.step in ("login", "launch")
        and (sample.page == "refused")
    )
