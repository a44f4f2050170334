"""Phase 3: PostgreSQL stops and starts while learners are busy."""

from __future__ import annotations

import random
import threading
import time

import requests

from .checks import check, clean_failure, invariant_checks, saved_steps_checks
from .client import REQUEST_TIMEOUT, Sample
from .phases import Run, examples, join_all, make_learners, run_learners, statuses
from .services import Outage, restart_postgres


class HealthPoller(threading.Thread):
    def __init__(self, run: Run, interval: float = 0.1) -> None:
        super().__init__(name="healthz", daemon=True)
        self.url, self.recorder = run.server.base_url + "/healthz", run.flow.recorder
        self.interval, self.stopping = interval, threading.Event()

    def run(self) -> None:
        with requests.Session() as session:
            while not self.stopping.is_set():
                start = time.monotonic()
                try:
                    response = session.get(self.url, timeout=REQUEST_TIMEOUT)
                    status, body = response.status_code, response.text
                except requests.RequestException as exc:
                    status, body = 0, type(exc).__name__
                end = time.monotonic()
                self.recorder.add(
                    Sample(
                        "health",
                        "healthz",
                        "-",
                        status,
                        (end - start) * 1000,
                        start,
                        end,
                        status in (200, 503),
                        "other",
                        "Traceback" in body,
                        body[:80],
                    )
                )
                self.stopping.wait(self.interval)


def db_restart(run: Run, count: int, hold: float, spread: float = 8.0) -> Outage:
    poller = HealthPoller(run)
    poller.start()
    workers_before = run.server.worker_pids()
    learners = make_learners("db restart", "restart", count, 2)
    reading = random.Random(10)  # the same times each run
    for learner in learners:
        # Learners read before the quiz, so the outage meets launched learners
        # (requests with an ltik) too, not only logins.
        learner.reading_seconds = reading.uniform(0.5, 5.0)
    threads = run_learners(run, learners, spread=spread, retries=6, pause=1.5)
    time.sleep(min(2.0, spread / 3))
    outage = restart_postgres(hold)
    join_all(run, threads, "db restart")
    time.sleep(2.0)  # healthz after recovery
    poller.stopping.set()
    poller.join(10)
    fresh = make_learners("after restart", "fresh", 5, 3)
    join_all(run, run_learners(run, fresh), "after restart")

    samples = [
        s
        for s in run.flow.recorder.of("db restart", "after restart")
        if not s.step.startswith("platform")
    ]
    health = run.flow.recorder.of("health")
    unclean = [s for s in samples if not clean_failure(s)] + [
        s for s in health if not s.ok or s.has_traceback
    ]
    during = [s for s in samples if not s.ok]
    down = [
        s for s in health if outage.stopped <= s.start and s.end <= outage.start_called
    ]
    if not down:  # a plain restart: anything inside the whole outage
        down = [
            s
            for s in health
            if s.status == 503 and outage.stop_called <= s.start <= outage.ready
        ]
    after = [s for s in health if s.start >= outage.ready + 1.0]
    run.fact(
        "db restart: outage (stop called -> pg_isready), s",
        round(outage.ready - outage.stop_called, 2),
    )
    run.fact("db restart: failed requests during the wave (then retried)", len(during))
    run.fact("db restart: their statuses", statuses(during))
    run.fact("db restart: healthz polls (down / after)", f"{len(down)} / {len(after)}")
    run.fact(
        "gunicorn workers replaced during the restart",
        len(workers_before - run.server.worker_pids()),
    )
    run.checks += [
        check(
            "db restart: some requests met the outage (else nothing was tested)",
            during,
            f"{len(during)} failed requests",
        ),
        check(
            "db restart: failures are clean (clear 503 page or refused launch; "
            "no 500, no Traceback, no dropped connection)",
            not unclean,
            f"{len(unclean)} unclean: {statuses(unclean)} {examples(unclean)}",
        ),
        check(
            "db restart: /healthz answers 503 while the database is down",
            down and all(s.status == 503 for s in down),
            f"{len(down)} polls inside the outage: {statuses(down, all_=True)}",
        ),
        check(
            "db restart: /healthz answers 200 after",
            after and all(s.status == 200 for s in after),
            f"{len(after)} polls after: {statuses(after, all_=True)}",
        ),
        check(
            "db restart: every learner of the wave finished (bounded retries)",
            all(l.finished for l in learners),
            f"{sum(l.finished for l in learners)}/{count}; "
            f"e.g. {[l.failures[-3:] for l in learners if not l.finished][:3]}",
        ),
        check(
            "db restart: the tool recovered by itself (fresh launches pass at once, "
            "same gunicorn)",
            all(l.finished and not l.failures for l in fresh)
            and run.server.is_running(),
            f"{sum(l.finished for l in fresh)}/5 fresh learners; "
            f"failures {[l.failures for l in fresh if l.failures][:3]}",
        ),
        *saved_steps_checks(run.db, "db restart", learners),
        *invariant_checks(run.db, "db restart"),
    ]
    return outage
