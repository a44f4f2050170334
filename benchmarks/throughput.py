"""Throughput of a module page and the course overview against a bare Flask page.

    .venv/bin/python -m benchmarks.throughput              # both servers, one run
    .venv/bin/python -m benchmarks.throughput --profile    # plus the in-process profile
    .venv/bin/python -m benchmarks.throughput --profile-only -n 300

One run, everything on 127.0.0.1, both servers up at once with the same gunicorn
flags (4 sync workers):
1. `benchmarks.bare_page_app:app` (a 20 KB page);
2. the tool on a fresh PostgreSQL database `kd_bench_<pid>` (migrated, dropped at the
   end), a fake Moodle on 127.0.0.1 registered as its platform; one learner launches
   (login -> platform signs -> launch -> landing) and the ltik of that launch is in
   the URLs loaded: the module page and the course overview;
3. load in turn: bare, module page, overview, bare again (`--rounds N`: N rounds of
   module page, overview, bare), each with `wrk -t2 -c8 -d8s --latency` after a
   warm-up (or, without wrk, a bounded Python load generator with one keep-alive
   connection per thread; the output says which);
4. a table: req/s, p50, p99, non-2xx answers, CPU per request (the server's workers,
   PostgreSQL, the whole machine) and each page's ratio to the mean of the bare runs
   just before and after it; with rounds, each page's median ratio. This machine's
   speed wanders within minutes: the median of several rounds says more than one.

`--profile` then runs `-n` GETs of the module page (and the overview) through Flask's
test client in this process under cProfile, on the same database and launch, and
prints where the time goes by area; see `profile_page.py`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform as python_platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import requests

from course_content.loader import load_catalog
from lti_app.demo_lms.platform import LtiPlatform

from .loadtest.client import Flow, Learner, LoopbackSession, Recorder
from .loadtest.cpu import CpuMeter, postgres_backends
from .loadtest.services import Gunicorn, running_gunicorn
from .loadtest.tool_setup import tool_on_fake_moodle
from .rows import Row
from .run import _cpu_model, format_table

ISSUER = "https://moodle.bench.invalid"  # only a name in tokens; never contacted
CLIENT_ID = "kd-bench-throughput"
FORWARDED_FOR = "10.77.0.1"
TARGET_RATIO = 8.0  # the issue's goal: within 8x of the bare page


# -- load --------------------------------------------------------------------------
@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    per_s: float
    p50_ms: float
    p99_ms: float
    bad: int  # answers other than 2xx/3xx, plus socket errors
    tool: str
    cpu: dict[str, float] | None = None  # CPU s by process group (loadtest/cpu.py)


def proxy_headers(base_url: str) -> dict[str, str]:
    """What the TLS proxy of the README's production set-up adds."""
    return {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": urlsplit(base_url).netloc,
        "X-Forwarded-For": FORWARDED_FOR,
    }


def measure(url: str, headers: dict[str, str], *, seconds: int, connections: int,
            threads: int) -> Load:
    if shutil.which("wrk"):
        return _wrk(url, headers, seconds=seconds, connections=connections, threads=threads)
    return _python_load(url, headers, seconds=seconds, connections=connections)


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk(url, headers, *, seconds, connections, threads) -> Load:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True,
                          timeout=seconds + 30, check=True)
    out = done.stdout

    def latency(pct: str) -> float:
        found = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(found.group(1)) * _UNIT_MS[found.group(2)] if found else float("nan")

    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Load(
        requests=int(total.group(1)),
        seconds=float(total.group(2)) * _UNIT_MS[total.group(3)] / 1000,
        per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        bad=(int(bad.group(1)) if bad else 0)
        + (sum(int(n) for n in errors.groups()) if errors else 0),
        tool=f"wrk -t{threads} -c{connections} -d{seconds}s",
    )


def _python_load(url, headers, *, seconds, connections) -> Load:
    """Without wrk: one keep-alive connection per thread, for `seconds`, then stop."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    bad = [0] * connections
    deadline = time.monotonic() + seconds

    def worker(i: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    bad[i] += 1
            except (OSError, http.client.HTTPException):
                bad[i] += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            latencies[i].append((time.perf_counter() - start) * 1000)
        connection.close()

    begin = time.monotonic()
    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=seconds + 15)
    elapsed = time.monotonic() - begin
    every = sorted(ms for per in latencies for ms in per)

    def pct(p: float) -> float:
        return every[min(len(every) - 1, int(p / 100 * len(every)))] if every else float("nan")

    return Load(len(every), elapsed, len(every) / elapsed, pct(50), pct(99), sum(bad),
                tool=f"Python threads ({connections} keep-alive connections, {seconds}s)")


# -- the tool's launch -------------------------------------------------------------
@dataclass(frozen=True)
class Launched:
    module_url: str  # http://127.0.0.1:<port>/modules/<slug>?ltik=…
    overview_url: str
    db: str
    env: dict[str, str]


def launch_learner(server_base: str, platform: LtiPlatform, lms, module_slug: str) -> tuple[str, str]:
    flow = Flow(
        tool_base=server_base, platform=platform, recorder=Recorder(),
        module_slug=module_slug, right_answers={}, lineitem_url=lms.lineitem_url(1),
        return_url=lms.base_url + "/course/view.php?id=1",
    )
    learner = Learner("bench", "bench-learner-001", FORWARDED_FOR, locale="nl")
    with LoopbackSession(server_base, FORWARDED_FOR) as session:
        module_url = flow._launch(session, learner)  # noqa: SLF001 - the load script's launch
        if module_url is None:
            raise RuntimeError(f"the launch failed: {learner.failures}")
        query = urlsplit(module_url).query
        overview_url = f"{server_base}/course?{query}"
        for url in (module_url, overview_url):
            answer = session.get(url)
            if answer.status_code != 200:
                raise RuntimeError(f"GET {url}: HTTP {answer.status_code}")
    return module_url, overview_url


@contextmanager
def tool_with_launch(run_dir: Path, *, workers: int, access_log: bool,
                     redis_url: str | None) -> Iterator[tuple[Gunicorn | None, Launched]]:
    with ExitStack() as stack:
        tool = stack.enter_context(tool_on_fake_moodle(
            "bench", issuer=ISSUER, client_id=CLIENT_ID, name="Bench Moodle"))
        db, lms, platform, env = tool.db, tool.lms, tool.platform, tool.env
        if redis_url:
            env["FLASK_REDIS_URL"] = redis_url
        server = stack.enter_context(
            running_gunicorn(env, run_dir / "tool.log", workers, access_log=access_log)
        )
        module_slug = load_catalog().courses["library-basics"].published_modules[0].slug
        module_url, overview_url = launch_learner(server.base_url, platform, lms, module_slug)
        yield server, Launched(module_url, overview_url, db, env)


# -- the run -----------------------------------------------------------------------
def _mean_load(loads: list[Load]) -> Load:
    return Load(sum(l.requests for l in loads), sum(l.seconds for l in loads),
                statistics.mean(l.per_s for l in loads),
                statistics.mean(l.p50_ms for l in loads), max(l.p99_ms for l in loads),
                sum(l.bad for l in loads), loads[0].tool)


def _row(name: str, load: Load, bare: Load | None) -> Row:
    values = {
        "req/s": round(load.per_s, 1),
        "p50 ms": round(load.p50_ms, 2),
        "p99 ms": round(load.p99_ms, 2),
        "requests": load.requests,
        "non-2xx/errors": load.bad,
    }
    if load.cpu and load.requests:
        # Where each request's CPU went: the server's workers, PostgreSQL, the whole
        # machine (wrk and everything else included).
        per_request = {name: seconds * 1000 / load.requests for name, seconds in load.cpu.items()}
        values["CPU ms/req: workers / PG / machine"] = (
            f"{per_request['workers']:.2f} / {per_request['PostgreSQL']:.2f} / "
            f"{per_request['the whole machine (busy CPU s)']:.2f}")
    if bare is not None:
        ratio = bare.per_s / load.per_s if load.per_s else float("inf")
        values["bare / this (x)"] = f"{ratio:.1f}x"
        values[f"within {TARGET_RATIO:g}x"] = "yes" if ratio <= TARGET_RATIO else "no"
    return Row(name, values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Throughput: tool pages vs a bare Flask page.")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load first, not counted")
    parser.add_argument("--access-log", action="store_true",
                        help="gunicorn writes an access log line per request (both servers)")
    parser.add_argument("--redis", metavar="URL", default=None,
                        help="FLASK_REDIS_URL for the tool (default: the database store)")
    parser.add_argument("--profile", action="store_true",
                        help="after the load, profile the pages in-process (cProfile)")
    parser.add_argument("--profile-only", action="store_true",
                        help="skip the load; start the tool only to launch, then profile")
    parser.add_argument("-n", type=int, default=200, help="requests per page when profiling")
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of (module page, overview, bare): each page's ratio is "
                             "to the bare runs just before and after it; the median is printed")
    parser.add_argument("--timeout", type=int, default=300, help="overall limit, seconds")
    args = parser.parse_args(argv)

    def overall_timeout(_signum, _frame):
        raise TimeoutError(f"overall timeout of {args.timeout} s")

    signal.signal(signal.SIGALRM, overall_timeout)
    signal.alarm(args.timeout)
    run_dir = Path(tempfile.mkdtemp(prefix="kd-throughput-"))
    rows: list[Row] = []
    bare_env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}

    def load(url: str, headers: dict[str, str], server: Gunicorn, db: str | None) -> Load:
        if args.warmup:
            measure(url, headers, seconds=args.warmup, connections=args.connections,
                    threads=args.threads)
        meter = CpuMeter({"workers": server.worker_pids,
                          "PostgreSQL": lambda: postgres_backends(db) if db else set()})
        meter.start()
        done = measure(url, headers, seconds=args.seconds, connections=args.connections,
                       threads=args.threads)
        return replace(done, cpu=meter.stop())

    try:
        with ExitStack() as stack:
            # Both servers run from here on; they are measured in turn (bare, module,
            # overview, bare again), so a change in the machine's load shows as drift.
            bare_server = None
            if not args.profile_only:
                bare_server = stack.enter_context(running_gunicorn(
                    bare_env, run_dir / "bare.log", args.workers,
                    app_spec="benchmarks.bare_page_app:app", access_log=args.access_log))
            server, launched = stack.enter_context(tool_with_launch(
                run_dir, workers=args.workers, access_log=args.access_log,
                redis_url=args.redis))
            if bare_server is not None:
                bare_url = bare_server.base_url + "/"
                bare_headers = proxy_headers(bare_server.base_url)
                headers = proxy_headers(server.base_url)
                pages = []
                for label, url in (("module page", launched.module_url),
                                   ("course overview", launched.overview_url)):
                    size = len(requests.get(url, headers=headers, timeout=10).content)
                    pages.append((f"{label} ({size // 1000} KB)", url))
                bares = [load(bare_url, bare_headers, bare_server, None)]
                ratios: dict[str, list[float]] = {label: [] for label, _url in pages}
                for round_number in range(1, args.rounds + 1):
                    measured = [(label, load(url, headers, server, launched.db))
                                for label, url in pages]
                    bares.append(load(bare_url, bare_headers, bare_server, None))
                    bare = _mean_load(bares[-2:])  # the bare runs either side of this round
                    suffix = f", round {round_number}" if args.rounds > 1 else ""
                    rows.append(_row(f"bare Flask, 20 KB page{suffix} (before)", bares[-2], None))
                    for label, page in measured:
                        rows.append(_row(label + suffix, page, bare))
                        ratios[label].append(bare.per_s / page.per_s)
                rows.append(_row("bare Flask, 20 KB page (last)", bares[-1], None))
                print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}, Python "
                      f"{python_platform.python_version()}, load average "
                      f"{os.getloadavg()[0]:.1f}; database: PostgreSQL 127.0.0.1, "
                      + ("Redis store" if args.redis else "database store (default)"))
                print(f"servers: gunicorn {args.workers} sync workers each, both running, "
                      f"127.0.0.1; load: {bares[0].tool} (+{args.warmup}s warm-up each); "
                      f"logs in {run_dir}")
                print(format_table(rows))
                print("each page's ratio is to the mean of the bare runs just before and after "
                      f"it; bare drift last/first {bares[-1].per_s / bares[0].per_s:.2f}")
                if args.rounds > 1:
                    for label, values in ratios.items():
                        print(f"{label}: median of {args.rounds} rounds "
                              f"{statistics.median(values):.1f}x (rounds: "
                              + ", ".join(f"{v:.1f}x" for v in values)
                              + f"); goal {TARGET_RATIO:g}x", flush=True)
            if args.profile or args.profile_only:
                from . import profile_page

                profile_page.profile_against(launched, server.base_url, n=args.n)
    finally:
        signal.alarm(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
