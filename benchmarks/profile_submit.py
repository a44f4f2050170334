"""Where a quiz submit's milliseconds go, and a score delivery's CPU, in-process.

    .venv/bin/python -m benchmarks.profile_submit -n 100
    .venv/bin/python -m benchmarks.profile_submit -n 100 --only deliveries

Set-up as `throughput.py`: a fresh PostgreSQL database `kd_bench_<pid>`, a fake
Moodle on 127.0.0.1 (key set, token endpoint, AGS scores), gunicorn (2 workers)
only to launch `2n + 10` learners the real way (login, platform signs, launch).
Then the tool's app is created in this process on the same database, with the
scores queued on RQ (a queue of this run's own that no worker takes, dropped at
the end) when Redis answers at 127.0.0.1:6379, and each learner, through Flask's
test client with the ltik in the URL:

1. opens the module page (not timed: it gives the form's CSRF token and id),
2. POSTs the quiz, passed (a first pass: a progress row, a score queued),
3. GETs the result page the POST redirects to.

Two passes of `n` learners each (after 10 to warm up): plain (ms per request,
SQL statements per request, the statements) and profiled (round trips to
PostgreSQL, then cProfile's top functions). Then the deliveries: the queued
scores are sent to the fake LMS in-process by `grade_delivery.deliver_on_rq` (the RQ
job's body, without RQ itself) in runs of 1 and of 10 due scores, with this
thread's CPU time per score (the fake LMS runs in other threads), statements,
new HTTP connections and access tokens per score, and cProfile's top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit

from course_content.loader import load_catalog

from .load_faults import right_answers
from .loadtest.client import Flow, Learner, LoopbackSession, Recorder, _form_tokens
from .loadtest.services import redis_answers, running_gunicorn, with_rq
from .loadtest.tool_setup import in_process_app, tool_on_fake_moodle
from .profile_page import RoundTrips, _print_top
from .run import _cpu_model
from .throughput import proxy_headers

ISSUER = "https://moodle.profile.invalid"  # only a name in tokens; never contacted
CLIENT_ID = "kd-profile-submit"
WARM = 10


@dataclass
class Launched:
    sub: str
    module_url: str  # the tool's public URL with the ltik


@dataclass
class Setup:
    env: dict[str, str]  # the tool's FLASK_* settings
    base_url: str  # gunicorn's, as the proxy headers name it
    answers: dict[str, list[str]]  # a passing quiz's form fields
    learners: list[Launched]
    db: str  # the database's name
    lms: object  # the fake LMS (its token counts)


@contextmanager
def launched_learners(count: int, redis: bool) -> Iterator[Setup]:
    """`count` learners launched through gunicorn, the tool's settings, the fake LMS."""
    with ExitStack() as stack:
        tool = stack.enter_context(tool_on_fake_moodle(
            "bench", issuer=ISSUER, client_id=CLIENT_ID, name="Profile Moodle"))
        db, lms, platform, env = tool.db, tool.lms, tool.platform, tool.env
        if redis:  # a queue nobody works: the deliveries are measured here, in-process
            env = with_rq(env, f"kd-profile-{os.getpid()}")
            stack.callback(_drop_queue, env)
        run_dir = Path(tempfile.mkdtemp(prefix="kd-profile-submit-"))
        server = stack.enter_context(running_gunicorn(env, run_dir / "tool.log", 2))
        module = load_catalog().courses["library-basics"].published_modules[0]
        flow = Flow(
            tool_base=server.base_url, platform=platform, recorder=Recorder(),
            module_slug=module.slug, right_answers=right_answers(module),
            lineitem_url=lms.lineitem_url(1), return_url=lms.base_url + "/course/view.php?id=1",
        )

        def launch(number: int) -> Launched:
            learner = Learner("profile", f"profile-{number:04d}",  # one address each: the
                              f"10.78.{number // 250}.{number % 250 + 1}")  # login limit
            for _attempt in range(3):  # a 503 while the platform's key set is fetched
                with LoopbackSession(server.base_url, learner.forwarded_for) as session:
                    url = flow._launch(session, learner)  # noqa: SLF001 - the load script's
                if url is not None:
                    return Launched(learner.sub, url)
                time.sleep(0.5)
            raise RuntimeError(f"launch {number} failed: {learner.failures}")

        learners = [launch(0)]  # the first alone: it fetches the platform's key set
        with ThreadPoolExecutor(4) as pool:
            learners += pool.map(launch, range(1, count))
        yield Setup(env=env, base_url=server.base_url, answers=flow.right_answers,
                    learners=learners, db=db, lms=lms)


def _drop_queue(env: dict) -> None:
    from redis import Redis
    from rq import Queue

    Queue(env["FLASK_JOBS_QUEUE"], connection=Redis.from_url(env["FLASK_JOBS_REDIS_URL"])
          ).delete(delete_jobs=True)
    Redis.from_url(env["FLASK_JOBS_REDIS_URL"]).delete(
        f"{env['FLASK_JOBS_QUEUE']}:grades-run-queued")


class Statements:
    """SQL statements the app sends, counted per kind of request."""

    def __init__(self, app) -> None:
        from sqlalchemy import event

        from lti_app.extensions import db

        self.kind = "other"
        self.seen: dict[str, Counter[str]] = {}
        with app.app_context():
            engine = db.engine

        @event.listens_for(engine, "before_cursor_execute")
        def _count(_conn, _cursor, statement, *_args):
            self.seen.setdefault(self.kind, Counter())[" ".join(statement.split())[:120]] += 1

    def total(self, kind: str) -> int:
        return sum(self.seen.get(kind, Counter()).values())


class PostgresCpu:
    """CPU seconds of this database's PostgreSQL backends (utime + stime from
    /proc): the server's share of a request, which wall times under load hide."""

    def __init__(self, dbname: str) -> None:
        from .loadtest.services import query

        self.pids = [pid for (pid,) in query(
            dbname, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")]
        self._tick = os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float:
        total = 0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # another user's server, or the backend ended
                continue
            total += int(fields[11]) + int(fields[12])
        return total / self._tick


class Submitter:
    def __init__(self, app, setup: Setup) -> None:
        self.client = app.test_client()
        self.base = setup.base_url
        self.headers = proxy_headers(setup.base_url)
        self.answers = setup.answers

    def form_of(self, learner: Launched) -> tuple[str, dict]:
        parts = urlsplit(learner.module_url)
        page = self.client.get(f"{parts.path}?{parts.query}", base_url=self.base,
                               headers=self.headers)
        if page.status_code != 200:
            raise RuntimeError(f"module page: HTTP {page.status_code}")
        return parts.query, {**_form_tokens(page.get_data(as_text=True)), **self.answers}

    def post(self, slug: str, query: str, data: dict) -> str:
        answer = self.client.post(f"/modules/{slug}/quiz?{query}", data=data,
                                  base_url=self.base, headers=self.headers)
        if answer.status_code not in (302, 303):
            raise RuntimeError(f"quiz POST: HTTP {answer.status_code}")
        return answer.headers["Location"]

    def get(self, location: str) -> None:
        parts = urlsplit(location)
        answer = self.client.get(f"{parts.path}?{parts.query}", base_url=self.base,
                                 headers=self.headers)
        if answer.status_code != 200:
            raise RuntimeError(f"quiz result: HTTP {answer.status_code}")


def profile_submits(app, setup: Setup, n: int, top: int) -> None:
    slug = _slug(setup)
    submitter = Submitter(app, setup)
    forms = [submitter.form_of(learner) for learner in setup.learners]  # not timed
    statements = Statements(app)
    for query, data in forms[:WARM]:
        submitter.get(submitter.post(slug, query, data))
    plain, profiled = forms[WARM:WARM + n], forms[WARM + n:WARM + 2 * n]
    post_ms, get_ms = [], []
    cpu = {"POST": 0.0, "GET": 0.0}
    server = {"POST": 0.0, "GET": 0.0}
    postgres = PostgresCpu(setup.db)
    statements.seen.clear()
    for query, data in plain:
        statements.kind = "POST"
        pg, start, start_cpu = postgres.seconds(), time.perf_counter(), time.thread_time()
        location = submitter.post(slug, query, data)
        middle, middle_cpu, pg_middle = time.perf_counter(), time.thread_time(), postgres.seconds()
        statements.kind = "GET"
        submitter.get(location)
        cpu["POST"] += middle_cpu - start_cpu
        cpu["GET"] += time.thread_time() - middle_cpu
        server["POST"] += pg_middle - pg
        server["GET"] += postgres.seconds() - pg_middle
        post_ms.append((middle - start) * 1000)
        get_ms.append((time.perf_counter() - middle) * 1000)
    statements.kind = "other"
    trips = {"POST": RoundTrips(), "GET": RoundTrips()}
    profilers = {"POST": cProfile.Profile(), "GET": cProfile.Profile()}
    for query, data in profiled:
        with trips["POST"]:
            profilers["POST"].enable()
            location = submitter.post(slug, query, data)
            profilers["POST"].disable()
        with trips["GET"]:
            profilers["GET"].enable()
            submitter.get(location)
            profilers["GET"].disable()
    for kind, label, times in (("POST", "quiz POST (a first pass)", post_ms),
                               ("GET", "quiz result GET", get_ms)):
        seen = statements.seen.get(kind, Counter())
        print(f"\n=== {label}: mean {sum(times) / len(times):.2f} ms, median "
              f"{median(times):.2f} ms per request in-process (no profiler, n={len(times)}); "
              f"{statements.total(kind) / len(times):.1f} SQL statements per request")
        print(f"  CPU per request: {cpu[kind] * 1000 / len(times):.2f} ms the app (this "
              f"thread) + {server[kind] * 1000 / len(times):.2f} ms PostgreSQL (its backends, "
              f"/proc; 10 ms ticks)")
        counted = trips[kind].seen
        print(f"  round trips to PostgreSQL per request: {sum(counted.values()) / n:.1f} ("
              + ", ".join(f"{name} {count / n:.1f}" for name, count in counted.most_common())
              + ")")
        print("  SQL statements per request:")
        for statement, count in seen.most_common(14):
            print(f"    {count / len(times):5.2f}  {statement}")
        _print_top(pstats.Stats(profilers[kind]), n, top)


def _slug(setup: Setup) -> str:
    return urlsplit(setup.learners[0].module_url).path.rsplit("/", 1)[-1]


# -- deliveries ----------------------------------------------------------------------


class Connections:
    """New TCP connections urllib3 opens (one per score without keep-alive)."""

    def __enter__(self):
        from urllib3.connection import HTTPConnection

        self.count = 0
        self._saved = HTTPConnection.connect
        saved, counter = self._saved, self

        def counted(connection, *args, **kwargs):
            counter.count += 1
            return saved(connection, *args, **kwargs)

        HTTPConnection.connect = counted
        return self

    def __exit__(self, *_exc):
        from urllib3.connection import HTTPConnection

        HTTPConnection.connect = self._saved


def _make_due(app, count: int) -> int:
    """Only `count` pending scores due now (the others later): one run's batch."""
    from sqlalchemy import select, update

    from lti_app.extensions import db
    from lti_app.learning.models import GradeDelivery
    from lti_app.timeutil import utc_now

    with app.app_context():
        now = utc_now()
        db.session.execute(update(GradeDelivery).where(GradeDelivery.status == "pending")
                           .values(next_attempt_at=now + timedelta(days=1)))
        ids = db.session.scalars(select(GradeDelivery.id).where(
            GradeDelivery.status == "pending").order_by(GradeDelivery.id).limit(count)).all()
        db.session.execute(update(GradeDelivery).where(GradeDelivery.id.in_(ids))
                           .values(next_attempt_at=now - timedelta(seconds=1)))
        db.session.commit()
        db.session.remove()
        return len(ids)


def _delivered(app) -> int:
    from sqlalchemy import func, select

    from lti_app.extensions import db
    from lti_app.learning.models import GradeDelivery

    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(GradeDelivery)
                                     .where(GradeDelivery.status == "delivered"))
        finally:
            db.session.remove()


def profile_deliveries(app, setup: Setup, runs: Sequence[tuple[int, int]], top: int) -> None:
    """`runs`: (scores per run, number of runs), measured in turn; every other run
    is under cProfile (its numbers are not in the plain ones)."""
    from lti_app.jobs import worker
    from lti_app.learning import grade_delivery

    worker._app = app  # noqa: SLF001 - deliver_on_rq's app, as in an RQ worker
    lms = setup.lms
    statements = Statements(app)
    postgres = PostgresCpu(setup.db)
    for batch, count in ((1, 4), *runs):  # the first: warm-up
        cpu = wall = server = 0.0
        scores = tokens = connections = sql = profiled = 0
        profiler = cProfile.Profile()
        for number in range(count):
            due = _make_due(app, batch)
            if not due:
                print(f"  (no scores left for runs of {batch})")
                break
            before, issued = _delivered(app), lms.token_requests["issued"]
            statements.seen.clear()
            statements.kind = "delivery"
            with Connections() as opened:
                if number % 2:
                    profiler.enable()
                pg, start_cpu, start = postgres.seconds(), time.thread_time(), time.perf_counter()
                grade_delivery.deliver_on_rq(None)
                run_cpu, run_wall = time.thread_time() - start_cpu, time.perf_counter() - start
                run_pg = postgres.seconds() - pg
                profiler.disable()
            statements.kind = "other"
            sent = _delivered(app) - before
            if number % 2:
                profiled += sent
                continue
            cpu, wall, scores = cpu + run_cpu, wall + run_wall, scores + sent
            server += run_pg
            tokens += lms.token_requests["issued"] - issued
            connections += opened.count
            sql += statements.total("delivery")
        if count == 4 and batch == 1 or not scores:
            continue
        print(f"\n=== deliveries, runs of {batch} due score(s): {scores} scores in "
              f"{(count + 1) // 2} plain runs; per score {cpu * 1000 / scores:.2f} ms CPU "
              f"(this thread) + {server * 1000 / scores:.2f} ms PostgreSQL (wall "
              f"{wall * 1000 / scores:.2f} ms), {sql / scores:.1f} SQL "
              f"statements, {connections / scores:.2f} new HTTP connections, "
              f"{tokens / scores:.2f} access tokens")
        if batch == runs[-1][0] and profiled:
            print("  statements of the last run:")
            for statement, times in statements.seen.get("delivery", Counter()).most_common(10):
                print(f"    {times:4d}  {statement}")
            print(f"  cProfile of the other {count // 2} runs ({profiled} scores), per score:")
            _print_top(pstats.Stats(profiler), profiled, top)


def profile_rq_worker(app, setup: Setup, runs: Sequence[tuple[int, int]]) -> None:
    """The real thing: a separate `rq worker` process (the README's AppWorker, as in
    the load script) sends the scores; its CPU from /proc per job, RQ's own work included."""
    from redis import Redis
    from rq import Queue

    from .loadtest.services import running_rq_worker

    redis = Redis.from_url(setup.env["FLASK_JOBS_REDIS_URL"])
    queue = Queue(setup.env["FLASK_JOBS_QUEUE"], connection=redis)
    queue.empty()  # the jobs the submits queued: the runs below are measured one by one
    log = Path(tempfile.mkdtemp(prefix="kd-profile-rq-")) / "rq.log"
    tick = os.sysconf("SC_CLK_TCK")
    with running_rq_worker(setup.env, log) as process:

        def worker_cpu() -> float:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick

        def one_job(batch: int) -> tuple[int, float]:
            due, before = _make_due(app, batch), _delivered(app)
            cpu = worker_cpu()
            job = queue.enqueue("lti_app.learning.grade_delivery.deliver_on_rq", None)
            deadline = time.monotonic() + 60
            while job.get_status(refresh=True) not in ("finished", "failed"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"rq job not done in 60 s; see {log}")
                time.sleep(0.02)
            time.sleep(0.1)  # RQ's bookkeeping after the job
            return _delivered(app) - before if due else 0, worker_cpu() - cpu

        one_job(1)  # the worker builds its app on its first job
        for batch, count in runs:
            scores, cpu = 0, 0.0
            for _ in range(count):
                sent, used = one_job(batch)
                scores, cpu = scores + sent, cpu + used
            if scores:
                print(f"\n=== rq worker process, jobs of {batch} due score(s): {scores} scores "
                      f"in {count} jobs; {cpu * 1000 / count:.1f} ms CPU per job, "
                      f"{cpu * 1000 / scores:.1f} ms per score (/proc, 10 ms ticks)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100, help="learners per pass")
    parser.add_argument("--top", type=int, default=16)
    parser.add_argument("--only", choices=("submits", "deliveries"), default=None)
    parser.add_argument("--redis", action=argparse.BooleanOptionalAction, default=None,
                        help="queue the scores on RQ (default: if Redis answers)")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    redis = redis_answers() if args.redis is None else args.redis

    def overall_timeout(_signum, _frame):
        raise TimeoutError(f"overall timeout of {args.timeout} s")

    signal.signal(signal.SIGALRM, overall_timeout)
    signal.alarm(args.timeout)
    count = max(WARM + 2 * args.n, 4 + 30 + 80 + 1 + 20 + 40)  # also the scores to send
    print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; PostgreSQL 127.0.0.1; scores "
          + ("queued on RQ (Redis)" if redis else "by delivery threads (none run here)"),
          flush=True)
    try:
        with launched_learners(count, redis) as setup:
            app = in_process_app(setup.env)
            if not redis:  # no delivery threads in this process: measured below instead
                from lti_app.learning import grade_delivery

                grade_delivery.schedule_delivery = lambda app=None: None
            rest = setup.learners
            if args.only != "deliveries":
                profile_submits(app, setup, args.n, args.top)
                rest = setup.learners[WARM + 2 * args.n:]
            submitter = Submitter(app, setup)
            for learner in rest:  # the other scores to deliver: passes, not timed
                submitter.post(_slug(setup), *submitter.form_of(learner))
            if args.only != "submits":
                profile_deliveries(app, setup, ((1, 30), (10, 8)), args.top)
                if redis:
                    profile_rq_worker(app, setup, ((1, 20), (10, 4)))
    finally:
        signal.alarm(0)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
