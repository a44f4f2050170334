"""Load and faults against a live gunicorn + PostgreSQL on 127.0.0.1 (issue 10).

    .venv/bin/python -m benchmarks.load_faults

1. a fresh database `kd_loadtest_<pid>`, migrated; a fake LMS (key set, token,
   AGS scores) on 127.0.0.1 registered as a platform; gunicorn with 4 workers;
2. 200 learners at once: login, launch, module page, quiz passed;
3. 100 more while PostgreSQL is stopped and started again;
4. 50 more while the LMS's scores endpoint answers 503, then delivery.
Prints a table and one PASS/FAIL line per check; exits 1 on any FAIL.
See benchmarks/README.md ("Load and faults").
"""

from __future__ import annotations

import argparse
import os
import platform as python_platform
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from course_content.loader import load_catalog

from .loadtest import db_restart, phases
from .loadtest.checks import (
    Check,
    check,
    exactly_once_checks,
    grade_rows,
    invariant_checks,
)
from .loadtest.client import Flow, Recorder, Sample
from .loadtest.cpu import CpuMeter, postgres_backends
from .loadtest.services import (
    REPO,
    redis_answers,
    running_gunicorn,
    running_rq_worker,
    scalar,
    with_rq,
)
from .loadtest.tool_setup import tool_on_fake_moodle
from .rows import Row, percentile
from .run import _cpu_model, format_table

ISSUER = "https://moodle.loadtest.invalid"  # only a name in tokens; never contacted
CLIENT_ID = "kd-loadtest"
STEPS = (
    "login",
    "platform signs (LMS side)",
    "launch",
    "module page",
    "quiz submit",
    "quiz result",
)
WAVES = ("load", "db restart", "after restart", "lms down")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load and fault run on 127.0.0.1.")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--restart-learners", type=int, default=100)
    parser.add_argument("--lms-down-learners", type=int, default=50)
    parser.add_argument(
        "--outage",
        type=float,
        default=3.0,
        help="seconds PostgreSQL stays stopped (0: one `restart`)",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--deliver-runners",
        type=int,
        default=2,
        help="`flask grades deliver` processes per round, at once (app hosts' cron)",
    )
    parser.add_argument(
        "--timeout", type=int, default=600, help="overall limit, seconds"
    )
    parser.add_argument(
        "--redis",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="scores through Redis + a separate `rq worker` (default: if Redis "
        "answers at 127.0.0.1:6379; else the delivery threads in gunicorn's workers)",
    )
    args = parser.parse_args(argv)
    if args.redis is None:
        args.redis = redis_answers()

    def overall_timeout(_signum, _frame):
        raise TimeoutError(f"overall timeout of {args.timeout} s")

    signal.signal(signal.SIGALRM, overall_timeout)
    signal.alarm(args.timeout)
    started = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="kd-loadtest-"))
    recorder = Recorder()
    checks: list[Check] = []
    facts: list[Row] = []
    try:
        with ExitStack() as stack:
            tool = stack.enter_context(tool_on_fake_moodle(
                "loadtest", issuer=ISSUER, client_id=CLIENT_ID, name="Load test Moodle"))
            db, lms, platform, env = tool.db, tool.lms, tool.platform, tool.env
            if args.redis:  # a queue of this run's own: others' workers never take it
                env = with_rq(env, f"kd-loadtest-{os.getpid()}")
            rq_worker = None
            if args.redis:
                rq_worker = stack.enter_context(running_rq_worker(env, run_dir / "rq.log"))
            server = stack.enter_context(
                running_gunicorn(env, run_dir / "gunicorn.log", workers=args.workers)
            )
            module = load_catalog().courses["library-basics"].published_modules[0]
            run = phases.Run(
                db=db,
                server=server,
                lms=lms,
                env=env,
                checks=checks,
                facts=facts,
                deadline=started + args.timeout - 45,  # leaves time to clean up
                flow=Flow(
                    tool_base=server.base_url,
                    platform=platform,
                    recorder=recorder,
                    module_slug=module.slug,
                    right_answers=right_answers(module),
                    lineitem_url=lms.lineitem_url(1),
                    return_url=lms.base_url + "/course/view.php?id=1",
                ),
            )
            meter = CpuMeter({
                "gunicorn workers": server.worker_pids,
                "rq worker": lambda: {rq_worker.pid} if rq_worker else set(),
                "PostgreSQL (this run's connections)": lambda: postgres_backends(db),
                "this script (the clients, the fake LMS)": lambda: {os.getpid()},
            })
            meter.start()
            phases.load(run, args.learners)
            for name, seconds in meter.stop().items():
                run.fact(f"load: CPU s, {name}", seconds)
            _worker_memory(run, server, "after the load")
            run.fact(
                "load: s after the last learner until every score was delivered",
                _until_delivered(db, limit=60.0),
            )
            if args.restart_learners > 0:
                db_restart.db_restart(run, args.restart_learners, args.outage)
            else:  # PostgreSQL is shared: never stopped unless asked for
                run.fact("db restart", "skipped (--restart-learners 0)")
            if args.lms_down_learners > 0:
                phases.lms_down(run, args.lms_down_learners, args.deliver_runners)
            else:  # with no learners its checks would test nothing, so it is not run
                run.fact("lms down", "skipped (--lms-down-learners 0)")
            phases.one_address_logins(run, 200)
            _worker_memory(run, server, "at the end")
            posts = lms.score_posts()
            waves = [("load", "load-")]
            if args.restart_learners > 0:
                waves.append(("db restart", "restart-"))
            for wave, prefix in waves:
                checks += exactly_once_checks(
                    f"{wave} (grades)",
                    grade_rows(
                        db, {l.sub for l in run.learners if l.sub.startswith(prefix)}
                    ),
                    [p for p in posts if p.user_id.startswith(prefix)],
                )
            checks += exactly_once_checks("whole run", grade_rows(db), posts)
            checks += invariant_checks(db, "whole run")
            run.fact(
                "persons in the database at the end",
                scalar(db, "SELECT count(*) FROM persons"),
            )
            run.fact(
                "fake LMS: tokens issued / refused, key set fetches",
                f"{lms.token_requests['issued']} / {lms.token_requests['refused']}, "
                f"{lms.jwks_fetches}",
            )
    except Exception as exc:  # noqa: BLE001 - a failure of the run is a FAIL line too
        checks.append(
            check(
                "the run completed (setup, phases, clean-up)",
                False,
                f"{type(exc).__name__}: {str(exc)[:500]}",
            )
        )
    finally:
        signal.alarm(0)
    facts += _log_facts(run_dir / "gunicorn.log")
    facts.append(
        Row("whole script, s", {"value": round(time.monotonic() - started, 1)})
    )
    print(_machine_line(args.workers))
    print(_delivery_line(args.redis))
    print(format_table(timing_rows(recorder.samples)))
    print()
    print(format_table(facts))
    print()
    for item in checks:
        print(f"{'PASS' if item.passed else 'FAIL'}  {item.name} — {item.detail}")
    failed = sum(not item.passed for item in checks)
    print(f"\n{len(checks) - failed} passed, {failed} failed; logs in {run_dir}")
    return 1 if failed else 0


def right_answers(module) -> dict[str, list[str]]:
    """The form fields of a passing quiz: the right options, or the typed number."""
    return {
        f"q-{q.id}": [str(q.answer)] if q.type == "numeric" else sorted(q.correct)
        for q in module.quiz.questions
    }


def timing_rows(samples: Sequence[Sample]) -> list[Row]:
    """Per wave and step: count, errors, latency and the step's throughput."""
    rows = []
    for wave in WAVES:
        of_wave = [s for s in samples if s.wave == wave]
        for step in STEPS:
            of_step = [s for s in of_wave if s.step == step]
            if of_step:
                rows.append(_timing_row(f"{wave}: {step}", of_step))
        tool = [s for s in of_wave if not s.step.startswith("platform")]
        if tool:
            rows.append(_timing_row(f"{wave}: all tool requests", tool))
    health = [s for s in samples if s.wave == "health"]
    if health:
        rows.append(_timing_row("db restart: /healthz polls", health))
    return rows


def _timing_row(name: str, samples: Sequence[Sample]) -> Row:
    ms = [s.ms for s in samples]
    span = max(s.end for s in samples) - min(s.start for s in samples)
    return Row(
        name,
        {
            "n": len(samples),
            "failed": sum(not s.ok for s in samples),
            "p50 ms": percentile(ms, 50) if len(ms) > 1 else ms[0],
            "p95 ms": percentile(ms, 95) if len(ms) > 1 else ms[0],
            "max ms": max(ms),
            "per s": len(samples) / span if span > 0 else 0.0,
        },
    )


WORKER_RSS_LIMIT_MB = 150


def _until_delivered(db: str, limit: float) -> float | str:
    began = time.monotonic()
    while time.monotonic() - began < limit:
        if not scalar(
            db, "SELECT count(*) FROM grade_deliveries WHERE status <> 'delivered'"
        ):
            return round(time.monotonic() - began, 1)
        time.sleep(0.2)
    return f"> {limit:.0f} (still pending)"


def _worker_memory(run: phases.Run, server, when: str) -> None:
    """RSS of each gunicorn worker from /proc (the brief's limit: 150 MB each)."""
    sizes = [_rss_mb(pid) for pid in sorted(server.worker_pids())]
    sizes = [size for size in sizes if size is not None]
    run.fact(f"gunicorn workers' RSS {when}, MB", " ".join(f"{s:.0f}" for s in sizes))
    run.checks.append(check(
        f"memory {when}: every gunicorn worker under {WORKER_RSS_LIMIT_MB} MB RSS",
        sizes and max(sizes) < WORKER_RSS_LIMIT_MB,
        f"{len(sizes)} workers, max {max(sizes, default=0):.0f} MB",
    ))


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        return None
    return None


def _log_facts(log: Path) -> list[Row]:
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return []
    counts = {
        "gunicorn log: Traceback": sum("Traceback" in line for line in lines),
        "gunicorn log: WORKER TIMEOUT": sum("WORKER TIMEOUT" in line for line in lines),
        "gunicorn log: workers booted": sum("Booting worker" in line for line in lines),
        "gunicorn log: database unavailable (503)": sum(
            "database unavailable" in line for line in lines
        ),
        "gunicorn log: unexpected error (500)": sum(
            "unexpected error" in line for line in lines
        ),
    }
    return [Row(name, {"value": value}) for name, value in counts.items()]


def _delivery_line(redis: bool) -> str:
    if redis:
        return (
            "scores: RQ (FLASK_JOBS_REDIS_URL=redis://127.0.0.1:6379/0) and one separate "
            "`rq worker` process (lti_app.jobs.rq_worker.AppWorker); --no-redis for the threads"
        )
    return (
        "scores: no Redis (--no-redis, or none at 127.0.0.1:6379): the delivery "
        "threads inside gunicorn's workers"
    )


def _machine_line(workers: int) -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "lti_app"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.count("\n")
    return (
        f"machine: {os.cpu_count()} CPUs, {_cpu_model()}, Python "
        f"{python_platform.python_version()}; PostgreSQL on 127.0.0.1:5432; gunicorn "
        f"{workers} sync workers; code: {head} + {dirty} uncommitted files in lti_app/"
    )


if __name__ == "__main__":
    raise SystemExit(main())
