"""Slow platforms cannot hold the tool's workers (issue "Trust between institutions", 4).

    .venv/bin/python -m benchmarks.slow_platforms

On 127.0.0.1 only: a fresh PostgreSQL database `kd_loadtest_<pid>`, gunicorn
with 4 sync workers and the production defaults (FLASK_LTI_JWKS_TIMEOUT 5 s,
FLASK_OUTBOUND_TIMEOUT 10 s, FLASK_OUTBOUND_FAILURE_MEMORY 30 s), a working
fake LMS (platform A) and two slow ones that send one byte every 2 s:

- platform B: its key set and token endpoint drip: its launches must be
  refused within the key set deadline, and at once while the failure is
  remembered;
- platform C: its key set works, its token, roster (NRPS) and scores
  endpoints drip: trainers' launches (which queue the roster fetch) and
  learners' quiz submissions (which queue a score) must not wait for it.

Meanwhile a learner of platform A reloads their module page and a monitor
polls /healthz; the script prints p50/p95/max of both (target: under a
second), and the time each slow launch took. It stops by itself (--seconds,
and an overall alarm).
"""

from __future__ import annotations

import argparse
import secrets
import signal
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import requests

from course_content.loader import load_catalog
from lti_app.demo_lms.platform import MEMBERSHIP, LaunchRequest, LtiPlatform

from .loadtest.client import Flow, Learner, LoopbackSession, Recorder
from .loadtest.fake_lms import running_fake_lms
from .loadtest.services import (
    flask_cli,
    loadtest_database,
    query,
    running_gunicorn,
    tool_env,
)
from .loadtest.slow_lms import running_slow_lms
from .rows import Row, percentile
from .run import format_table

CLIENT = {"A": "kd-slow-a", "B": "kd-slow-b", "C": "kd-slow-c"}
ISSUER = {name: f"https://lms-{name.lower()}.slow.invalid" for name in CLIENT}
TARGET_MS = 1000.0


@dataclass(frozen=True)
class Timed:
    what: str
    status: int  # 0: no answer
    seconds: float
    at: float  # time.monotonic() when sent


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=45.0,
                        help="how long slow launches keep coming")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=int, default=240, help="overall limit, s")
    args = parser.parse_args(argv)

    def overall_timeout(_signum, _frame):
        raise TimeoutError(f"overall timeout of {args.timeout} s")

    signal.signal(signal.SIGALRM, overall_timeout)
    signal.alarm(args.timeout)
    run_dir = Path(tempfile.mkdtemp(prefix="kd-slow-"))
    started = time.monotonic()
    try:
        with ExitStack() as stack:
            db = stack.enter_context(loadtest_database())
            good = stack.enter_context(running_fake_lms(CLIENT["A"]))
            slow = stack.enter_context(running_slow_lms())
            platforms = {name: _platform(name) for name in CLIENT}
            good.jwks = platforms["A"].jwks()
            slow.keys["/c/certs"] = platforms["C"].jwks()
            endpoints = {
                "A": (good.auth_login_url, good.token_url, good.jwks_url),
                "B": (slow.url("/b/auth"), slow.url("/b/token/drip"), slow.url("/b/certs/drip")),
                "C": (slow.url("/c/auth"), slow.url("/c/token/drip"), slow.url("/c/certs")),
            }
            platforms = {
                name: replace(p, auth_login_url=endpoints[name][0],
                              token_url=endpoints[name][1], jwks_url=endpoints[name][2])
                for name, p in platforms.items()
            }
            env = tool_env(db, secrets.token_hex(32))
            flask_cli(["db", "upgrade"], env)
            for name, platform in platforms.items():
                flask_cli(["platform", "add", "--issuer", platform.issuer,
                           "--client-id", platform.client_id,
                           "--auth-login-url", platform.auth_login_url,
                           "--auth-token-url", platform.token_url,
                           "--jwks-url", platform.jwks_url, "--deployment-id", "1",
                           "--name", f"Platform {name}"], env)
            server = stack.enter_context(
                running_gunicorn(env, run_dir / "gunicorn.log", workers=args.workers)
            )
            result = _run(server.base_url, platforms, good, slow, db, args.seconds)
    finally:
        signal.alarm(0)
    _print(result, args, run_dir, time.monotonic() - started)
    return 0 if result.passed else 1


@dataclass
class Result:
    learner_pages: list[Timed]
    health: list[Timed]
    slow_launches: list[Timed]
    roster_error_after: float | None
    hits: dict[str, int]
    log_facts: dict[str, int]

    @property
    def passed(self) -> bool:
        others = self.learner_pages + self.health
        b_launches = [t for t in self.slow_launches if t.what.startswith("B")]
        return (
            bool(others) and all(t.status == 200 for t in others)
            and max(t.seconds for t in others) * 1000 < TARGET_MS
            and all(t.status == 503 and t.seconds < 5 + 1 for t in b_launches)
            and self.log_facts.get("WORKER TIMEOUT", 0) == 0
        )


def _run(base: str, platforms: dict[str, LtiPlatform], good, slow, db: str,
         seconds: float) -> Result:
    module = load_catalog().courses["library-basics"].published_modules[0]
    recorder = Recorder()
    flow_a = Flow(tool_base=base, platform=platforms["A"], recorder=recorder,
                  module_slug=module.slug,
                  right_answers={f"q-{q.id}": sorted(q.correct) for q in module.quiz.questions},
                  lineitem_url=good.lineitem_url(1), return_url=good.base_url + "/course")
    # The learner of platform A opens their module once; later reloads are measured.
    session_a = LoopbackSession(base, "10.0.0.1")
    module_url = flow_a._launch(session_a, Learner("warm-up", "learner-a", "10.0.0.1"))
    if module_url is None:
        raise RuntimeError("platform A's learner could not launch")

    stop = threading.Event()
    pages: list[Timed] = []
    health: list[Timed] = []
    slow_launches: list[Timed] = []
    lock = threading.Lock()

    def measure(into: list[Timed], what: str, get) -> None:
        while not stop.is_set():
            at = time.monotonic()
            try:
                status = get().status_code
            except requests.RequestException:
                status = 0
            with lock:
                into.append(Timed(what, status, time.monotonic() - at, at))
            stop.wait(0.1)

    def health_get():
        return requests.get(base + "/healthz", timeout=(5, 60))

    def page_get():
        return session_a.get(module_url, timeout=(5, 60))

    def slow_launch(name: str, number: int, trainer: bool) -> None:
        who = f"{name}-{'trainer' if trainer else 'learner'}-{number}"
        status, took, at = _launch(base, platforms[name], who, trainer=trainer,
                                   nrps_url=slow.url("/c/nrps/drip"),
                                   lineitem=slow.url("/c/lineitems/1/lineitem/drip"))
        with lock:
            slow_launches.append(Timed(who, status, took, at))

    threads = [threading.Thread(target=measure, args=(pages, "page", page_get), daemon=True),
               threading.Thread(target=measure, args=(health, "health", health_get),
                                daemon=True)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    launchers: list[threading.Thread] = []

    flow_c = replace(flow_a, platform=platforms["C"],
                     lineitem_url=slow.url("/c/lineitems/1/lineitem/drip"))

    def learner_c(number: int) -> None:
        """A learner of C passes the quiz: the score goes to C's dripping token
        endpoint from a delivery thread, never from the page's worker."""
        sub = f"C-learner-{number}"
        learner = flow_c.run(Learner("slow", sub, "10.0.2.1"))
        if not learner.submit_confirmed:
            print(f"{sub}: {learner.failures}", flush=True)
        with lock:
            for sample in recorder.of("slow"):
                if sample.learner == sub and sample.step == "quiz submit":
                    slow_launches.append(Timed(f"{sub} quiz", sample.status,
                                               sample.ms / 1000, sample.start))

    def launch_later(*spec) -> None:
        thread = threading.Thread(target=slow_launch, args=spec, daemon=True)
        thread.start()
        launchers.append(thread)

    # Two at once from each slow platform (the issue's "two such launches held both
    # workers"), then one every 2 s from each while the run lasts.
    for number in range(2):
        launch_later("B", number, False)
        launch_later("C", number, True)
    number = 2
    roster_error_after = None
    while time.monotonic() - began < seconds:
        time.sleep(2.0)
        launch_later("B", number, False)
        if number % 2:
            thread = threading.Thread(target=learner_c, args=(number,), daemon=True)
            thread.start()
            launchers.append(thread)
        else:
            launch_later("C", number, True)
        number += 1
        if roster_error_after is None:
            rows = query(db, "SELECT last_error FROM roster_syncs WHERE last_error IS NOT NULL")
            if rows:
                roster_error_after = time.monotonic() - began
    for thread in launchers:
        thread.join(60)
    stop.set()
    for thread in threads:
        thread.join(60)
    return Result(pages, health, slow_launches, roster_error_after, dict(slow.hits), {})


def _launch(base: str, platform: LtiPlatform, sub: str, *, trainer: bool, nrps_url: str,
            lineitem: str) -> tuple[int, float, float]:
    """Login, the platform signs, POST /lti/launch: (status, seconds of the POST, when)."""
    session = LoopbackSession(base, "10.0.1.1")
    launch_url = session.public_base + "/lti/launch"
    with session:
        fields = platform.login_initiation(target_link_uri=launch_url, login_hint=sub,
                                           lti_message_hint=LtiPlatform.encode_hint({}))
        login = session.post(base + "/lti/login", data=fields)
        if login.status_code != 302:
            return login.status_code, 0.0, time.monotonic()
        auth = dict(parse_qsl(urlsplit(login.headers["Location"]).query))
        request = LaunchRequest(
            sub=sub, name=f"Person {sub}", locale="en", resource_link_id="link-dashboard",
            roles=(MEMBERSHIP + ("Instructor" if trainer else "Learner"),),
            custom={"course": "library-basics"},
            nrps_url=nrps_url if trainer else None,
            ags=None if trainer else {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitem": lineitem},
            target_link_uri=launch_url,
        )
        redirect_uri, form = platform.authorize(
            auth, allowed_redirect_uris=lambda uri: uri == launch_url,
            launch_for_hint=lambda _hint, _message: request)
        at = time.monotonic()
        try:
            status = session.post(session.local(redirect_uri), data=form,
                                  timeout=(5, 60)).status_code
        except requests.RequestException:
            status = 0
        return status, time.monotonic() - at, at


def _platform(name: str) -> LtiPlatform:
    pem, kid = LtiPlatform.generate_key()
    return LtiPlatform(issuer=ISSUER[name], client_id=CLIENT[name], deployment_id="1",
                       private_key_pem=pem, kid=kid, auth_login_url="", token_url="",
                       jwks_url="", product="moodle")


def _stats(name: str, samples: list[Timed]) -> Row:
    ms = [t.seconds * 1000 for t in samples] or [0.0]
    return Row(name, {
        "n": len(samples),
        "not ok": sum(t.status not in (200, 302, 303) for t in samples),
        "p50 ms": percentile(ms, 50) if len(ms) > 1 else ms[0],
        "p95 ms": percentile(ms, 95) if len(ms) > 1 else ms[0],
        "max ms": max(ms),
    })


def _print(result: Result, args, run_dir: Path, total: float) -> None:
    log = (run_dir / "gunicorn.log")
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    result.log_facts = {
        "WORKER TIMEOUT": sum("WORKER TIMEOUT" in line for line in lines),
        "Traceback": sum("Traceback" in line for line in lines),
    }
    b = [t for t in result.slow_launches if t.what.startswith("B")]
    c = [t for t in result.slow_launches if t.what.startswith("C-trainer")]
    quiz = [t for t in result.slow_launches if t.what.endswith("quiz")]
    print(f"gunicorn {args.workers} sync workers, PostgreSQL, slow launches for "
          f"{args.seconds:g} s; platforms drip 1 byte / 2 s")
    print(format_table([
        _stats("platform A learner: module page reload", result.learner_pages),
        _stats("/healthz", result.health),
        Row("B launches (key set drips): refused (503)",
            {"n": len(b), "not ok": sum(t.status != 503 for t in b),
             "p50 ms": percentile([t.seconds * 1000 for t in b], 50) if len(b) > 1 else 0,
             "p95 ms": percentile([t.seconds * 1000 for t in b], 95) if len(b) > 1 else 0,
             "max ms": max((t.seconds * 1000 for t in b), default=0)}),
        _stats("C trainer launches (token/roster drip), 303 expected", c),
        _stats("C learners' quiz submit (scores drip)", quiz),
    ]))
    print("\neach slow launch, in order sent (s after the first; status; seconds taken):")
    first = min((t.at for t in result.slow_launches), default=0.0)
    for t in sorted(result.slow_launches, key=lambda t: t.at):
        print(f"  {t.at - first:6.1f}  {t.what:<20} {t.status:>3}  {t.seconds:6.2f}")
    begin = min((t.at for t in result.learner_pages + result.health), default=0.0)
    slowest = sorted(result.learner_pages + result.health, key=lambda t: -t.seconds)[:4]
    print("\nslowest of A's page and /healthz (s after the first; ms): " + ", ".join(
        f"{t.what} at {t.at - begin:.1f}: {t.seconds * 1000:.0f}" for t in slowest))
    print(f"\nroster error of platform C noted after: {result.roster_error_after} s")
    print(f"slow LMS requests per path: {result.hits}")
    print(f"gunicorn log: {result.log_facts}; whole script {total:.1f} s; logs in {run_dir}")
    print("PASS" if result.passed else "FAIL",
          f"- others under {TARGET_MS:g} ms, B refused within 6 s, no worker timeout")


if __name__ == "__main__":
    raise SystemExit(main())
