"""The run's shared state and helpers; the load and LMS-down phases.

The PostgreSQL restart phase is in `db_restart.py`.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import requests

from ..rows import Row
from .checks import (
    Check,
    check,
    exactly_once_checks,
    grade_rows,
    saved_steps_checks,
)
from .client import Flow, Learner, LoopbackSession, Sample
from .fake_lms import FakeLms
from .services import REPO, Gunicorn, scalar


@dataclass
class Run:
    """Shared by the phases: what they drive and what they found."""

    db: str
    flow: Flow
    server: Gunicorn
    lms: FakeLms
    env: dict[str, str]
    deadline: float  # time.monotonic() by which everything must be over
    checks: list[Check] = field(default_factory=list)
    facts: list[Row] = field(default_factory=list)
    learners: list[Learner] = field(default_factory=list)

    def fact(self, name: str, value) -> None:
        self.facts.append(Row(name, {"value": value}))


def make_learners(wave: str, prefix: str, count: int, first_ip: int) -> list[Learner]:
    # Each learner its own address (as its own browser would be), 10.<wave>.x.y.
    return [
        Learner(
            wave,
            f"{prefix}-{i:03d}",
            f"10.{first_ip}.{i // 250}.{i % 250 + 1}",
            locale="nl" if i % 2 else "en",
        )
        for i in range(count)
    ]


def run_learners(
    run: Run,
    learners: Sequence[Learner],
    *,
    spread: float = 0.0,
    retries: int = 0,
    pause: float = 1.0,
) -> list[threading.Thread]:
    """Start one thread per learner, spread evenly over `spread` seconds."""
    begin = time.monotonic()
    threads = []
    for i, learner in enumerate(learners):
        offset = spread * i / max(len(learners), 1)

        def target(learner=learner, offset=offset):
            time.sleep(max(0.0, begin + offset - time.monotonic()))
            run.flow.run(learner, retries=retries, pause=pause)

        thread = threading.Thread(target=target, name=learner.sub, daemon=True)
        thread.start()
        threads.append(thread)
    run.learners += learners
    return threads


def join_all(run: Run, threads: Sequence[threading.Thread], label: str) -> None:
    for thread in threads:
        thread.join(max(0.0, run.deadline - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        run.checks.append(
            check(
                f"{label}: every learner finished before the deadline",
                False,
                f"still running: {stuck[:5]}",
            )
        )


# -- 2. load --------------------------------------------------------------------------
def load(run: Run, count: int) -> None:
    learners = make_learners("load", "load", count, 1)
    began = time.monotonic()
    join_all(run, run_learners(run, learners), "load")
    took = time.monotonic() - began
    run.fact("load: s until every learner passed (all at once)", round(took, 1))
    run.fact("load: learners through the whole flow per s", round(count / took, 1))
    samples = [
        s for s in run.flow.recorder.of("load") if not s.step.startswith("platform")
    ]
    bad = [s for s in samples if not s.ok]
    server_errors = [s for s in bad if s.status >= 500]
    subs = [l.sub for l in learners]
    persons = scalar(
        run.db, "SELECT count(*) FROM persons WHERE sub = ANY(%s)", (subs,)
    )
    passed = scalar(
        run.db,
        """
        SELECT count(*) FROM module_progress p
        JOIN enrollments e ON e.id = p.enrollment_id
        JOIN persons s ON s.id = e.person_id
        WHERE s.sub = ANY(%s) AND p.passed_at IS NOT NULL""",
        (subs,),
    )
    attempts = scalar(
        run.db,
        """
        SELECT count(*) FROM quiz_attempts a
        JOIN enrollments e ON e.id = a.enrollment_id
        JOIN persons s ON s.id = e.person_id WHERE s.sub = ANY(%s)""",
        (subs,),
    )
    run.checks += [
        check(
            "load: no 5xx",
            not server_errors,
            f"{len(server_errors)} of {len(samples)} requests: "
            f"{examples(server_errors)}",
        ),
        check(
            "load: every request answered as the flow expects",
            not bad,
            f"{len(samples)} requests; {len(bad)} unexpected: {statuses(bad)} "
            f"{examples(bad)}",
        ),
        check(f"load: {count} persons", persons == count, f"{persons} in the database"),
        check(
            f"load: {count} passed module progress rows", passed == count, f"{passed}"
        ),
        check(f"load: {count} quiz attempts", attempts == count, f"{attempts}"),
        *saved_steps_checks(run.db, "load", learners),
    ]


def examples(samples: Sequence[Sample], n: int = 3) -> str:
    return "; ".join(f"{s.step} {s.status} {s.detail!r}" for s in samples[:n])


def statuses(samples: Sequence[Sample], all_: bool = False) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in samples:
        if all_ or not s.ok:
            key = f"{s.step} {s.status}"
            counts[key] = counts.get(key, 0) + 1
    return counts


# -- 4. the LMS's grade endpoint down -------------------------------------------
def lms_down(run: Run, count: int, runners: int, max_wait: float = 150.0) -> None:
    """Learners pass while the scores endpoint is down; then deliveries, in rounds of
    `runners` concurrent `flask grades deliver` (cron on several app hosts)."""
    learners = make_learners("lms down", "lmsdown", count, 4)
    subs = {l.sub for l in learners}
    run.lms.grades_down = True
    join_all(run, run_learners(run, learners), "lms down")
    time.sleep(2.0)  # the after-response deliveries try (and fail)
    refused = [
        p for p in run.lms.score_posts() if p.user_id in subs and p.status == 503
    ]
    refused_per_user = Counter(p.user_id for p in refused)
    kept = grade_rows(run.db, subs)
    passed = sum(l.finished for l in learners)
    run.checks += [
        check(
            "lms down: the tool tried and the LMS refused (else nothing was tested)",
            refused,
            f"{len(refused)} score POSTs answered 503",
        ),
        check(
            "lms down: every pass's score is kept, pending",
            len(kept) == passed == count and all(r.status == "pending" for r in kept),
            f"{passed}/{count} passed; {len(kept)} queued, "
            f"{sum(r.status == 'pending' for r in kept)} pending",
        ),
    ]
    run.lms.grades_down = False
    up_at = time.monotonic()
    rounds = 0
    while time.monotonic() - up_at < max_wait and time.monotonic() < run.deadline - 30:
        rounds += 1
        _deliver_at_once(run.env, runners)
        if not scalar(
            run.db, "SELECT count(*) FROM grade_deliveries WHERE status <> 'delivered'"
        ):
            break
        time.sleep(5.0)
    run.fact(
        "lms down: score POSTs refused while down (learners refused twice+)",
        f"{len(refused)} ({sum(n > 1 for n in refused_per_user.values())})",
    )
    run.fact(
        "lms down: s from LMS back to every score delivered",
        round(time.monotonic() - up_at, 1),
    )
    run.fact(f"lms down: rounds of {runners} concurrent `flask grades deliver`", rounds)
    run.checks += exactly_once_checks(
        "lms down",
        grade_rows(run.db, subs),
        [p for p in run.lms.score_posts() if p.user_id in subs],
    )


def _deliver_at_once(env: dict[str, str], runners: int) -> None:
    command = [sys.executable, "-m", "flask", "--app", "lti_app", "grades", "deliver"]
    processes = [
        subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(runners)
    ]
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()  # our own child, by its handle
            process.wait(10)


# -- a classroom behind one address ----------------------------------------------
def one_address_logins(run: Run, count: int) -> None:
    """Fact only: `count` logins in a burst from one address (a campus NAT)."""
    statuses: dict[int, int] = {}
    for i in range(count):
        # A browser each: one jar would pile up state cookies until gunicorn
        # refuses the header (431).
        with LoopbackSession(run.server.base_url, "10.5.0.1") as session:
            fields = run.flow.platform.login_initiation(
                target_link_uri=session.public_base + "/lti/launch",
                login_hint=f"nat-{i:03d}",
                lti_message_hint="e30=",
            )
            try:
                response = session.post(session.tool_base + "/lti/login", data=fields)
                status = response.status_code
            except requests.RequestException:
                status = 0
        statuses[status] = statuses.get(status, 0) + 1
    run.fact(f"{count} logins in a burst from one address: statuses", statuses)
