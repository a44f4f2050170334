"""The processes around the run: its database, the flask CLI, gunicorn, PostgreSQL.

Everything listens on or connects to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests

REPO = Path(__file__).resolve().parents[2]
PG = "host=127.0.0.1 port=5432 user=postgres connect_timeout=5"
PG_CLUSTER = "main"


def database_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


@contextmanager
def loadtest_database(kind: str = "loadtest") -> Iterator[str]:
    """A fresh database `kd_<kind>_<pid>` for this run, dropped at the end (even
    after a failure); `kind` is "loadtest" or "bench", never a real data name."""
    assert kind in ("loadtest", "bench")  # it is dropped
    name = f"kd_{kind}_{os.getpid()}"
    _admin(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )
    try:
        yield name
    finally:
        ensure_postgres_running()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(*statements: str) -> None:
    with psycopg.connect(PG + " dbname=postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def query(dbname: str, sql: str, params: Sequence = ()) -> list[tuple]:
    with psycopg.connect(f"{PG} dbname={dbname}") as connection:
        return connection.execute(sql, params).fetchall()


def scalar(dbname: str, sql: str, params: Sequence = ()):
    rows = query(dbname, sql, params)
    return rows[0][0] if rows else None


def tool_env(db_name: str, secret: str) -> dict[str, str]:
    """Production settings: PostgreSQL, a fixed secret, no demo LMS, one TLS proxy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(
        FLASK_SQLALCHEMY_DATABASE_URI=database_url(db_name),
        FLASK_SECRET_KEY=secret,
        FLASK_DEMO_LMS_ENABLED="false",
        # As the README's production section: the learners' client
        # (benchmarks/loadtest/client.py) plays the TLS proxy.
        FLASK_PROXY_FIX_X_FOR="1",
        FLASK_PROXY_FIX_X_PROTO="1",
        FLASK_PROXY_FIX_X_HOST="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def flask_cli(args: Sequence[str], env: dict[str, str], timeout: float = 90) -> str:
    """`flask --app lti_app …`; its output, or RuntimeError with it."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lti_app", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"flask {' '.join(args)}: exit {done.returncode}\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> set[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return {int(pid) for pid in path.read_text().split()}
        except OSError:
            return set()

    def is_running(self) -> bool:
        return self.process.poll() is None


GUNICORN_CONFIG = "python:lti_app.gunicorn_conf"  # as the README's production command


@contextmanager
def running_gunicorn(
    env: dict[str, str], log_path: Path, workers: int = 4, *,
    app_spec: str = "lti_app:create_app()", access_log: bool = True,
) -> Iterator[Gunicorn]:
    """gunicorn as in production: its settings module (sync workers, the access-log
    format, the warm-up of the tool's workers). The throughput benchmark runs its
    bare page with the same flags, only `app_spec` differs."""
    port = free_port()
    log = log_path.open("ab")
    log_start = log.tell()
    command = [
        sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONFIG,
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--timeout", "30", "--graceful-timeout", "10",
        # Our client plays the TLS proxy; gunicorn must trust its X-Forwarded-*.
        "--forwarded-allow-ips", "127.0.0.1",
        "--error-logfile", "-", "--capture-output",
    ]
    if access_log:
        command += ["--access-logfile", "-"]
    process = subprocess.Popen(
        [*command, app_spec], cwd=REPO, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = Gunicorn(process, port, log_path)
    try:
        if not wait_until_healthy(server.base_url, timeout=30):
            raise RuntimeError(f"{app_spec} did not become healthy; see {log_path}")
        if app_spec.startswith("lti_app:"):
            # The first worker answers while the others still warm up: the run
            # starts when all of them take requests, as before the warm-up did.
            if not wait_until_warm(log_path, log_start, workers, timeout=60):
                raise RuntimeError(f"not every worker warmed up; see {log_path}")
        yield server
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # the master stops its workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group we created for it
        process.wait(timeout=10)


WARM_LINES = (b"] warmed in ", b"] warm-up failed")  # lti_app/gunicorn_conf.py


def wait_until_warm(log_path: Path, offset: int, workers: int, timeout: float) -> bool:
    """Until `workers` workers logged their warm-up (done or failed) after `offset`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with log_path.open("rb") as log:
            log.seek(offset)
            text = log.read()
        if sum(text.count(line) for line in WARM_LINES) >= workers:
            return True
        time.sleep(0.2)
    return False


def wait_until_healthy(base_url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(base_url + "/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


# -- Redis and an RQ worker (the production way to send scores) ------------------
REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_answers(url: str = REDIS_URL) -> bool:
    try:
        from redis import Redis

        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - not installed, not running: no Redis
        return False


def with_rq(env: dict[str, str], queue: str, url: str = REDIS_URL) -> dict[str, str]:
    """The tool's settings with scores queued on RQ (README, production)."""
    return {**env, "FLASK_JOBS_REDIS_URL": url, "FLASK_JOBS_QUEUE": queue}


@contextmanager
def running_rq_worker(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """`rq worker <queue>` as its own process, not serving pages.

    The README's worker class (a SimpleWorker: each job in the worker process,
    with the app built at start); ready once it has registered with Redis, as a
    worker started before the day's first learners would be."""
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-c", "from rq.cli import main; main()", "worker",
         "--url", env["FLASK_JOBS_REDIS_URL"],
         "--worker-class", "lti_app.jobs.rq_worker.AppWorker",
         env["FLASK_JOBS_QUEUE"]],  # -c: this checkout's lti_app, as gunicorn's
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait_until_registered(process, env["FLASK_JOBS_REDIS_URL"], env["FLASK_JOBS_QUEUE"])
        yield process
    finally:
        _stop(process)
        log.close()
        _drop_queue(env["FLASK_JOBS_REDIS_URL"], env["FLASK_JOBS_QUEUE"])


def _wait_until_registered(process: subprocess.Popen, url: str, name: str,
                           timeout: float = 60.0) -> None:
    from redis import Redis
    from rq import Queue, Worker

    redis, end = Redis.from_url(url), time.monotonic() + timeout
    while not Worker.all(connection=redis, queue=Queue(name, connection=redis)):
        if process.poll() is not None or time.monotonic() > end:
            raise RuntimeError(f"rq worker did not start (exit {process.poll()})")
        time.sleep(0.1)


def _drop_queue(url: str, name: str) -> None:
    try:
        from redis import Redis
        from rq import Queue

        Queue(name, connection=Redis.from_url(url)).delete(delete_jobs=True)
    except Exception:  # noqa: BLE001 - clean-up only
        pass


# -- PostgreSQL: the whole machine's server ------------------------------------------
def _pg_version() -> str:
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    return versions[-1]


def pg_ctl(action: str) -> None:
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            _pg_version(),
            PG_CLUSTER,
            action,
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )


def postgres_is_ready() -> bool:
    done = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-t", "2"],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return done.returncode == 0


def wait_postgres_ready(timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if postgres_is_ready():
            return True
        time.sleep(0.2)
    return False


def ensure_postgres_running() -> None:
    """Never leave the machine's database server stopped."""
    if postgres_is_ready():
        return
    try:
        pg_ctl("start")
    except subprocess.CalledProcessError:
        pass  # "already running" (still starting up): wait below
    if not wait_postgres_ready(60):
        raise RuntimeError(
            "PostgreSQL did not come back; start it by hand: "
            f"pg_ctlcluster {_pg_version()} {PG_CLUSTER} start"
        )


@dataclass(frozen=True)
class Outage:
    stop_called: float  # time.monotonic()
    stopped: float  # pg_ctlcluster stop returned: nothing answers from here
    start_called: float
    ready: float  # pg_isready answered again


def restart_postgres(hold_seconds: float) -> Outage:
    """Fast shutdown, `hold_seconds` down, start, wait for pg_isready.

    With hold_seconds == 0 it is one `pg_ctlcluster … restart`.
    """
    stop_called = time.monotonic()
    try:
        if hold_seconds <= 0:
            pg_ctl("restart")
            stopped = start_called = time.monotonic()
        else:
            pg_ctl("stop")  # pg_ctlcluster's default mode is fast: sessions are cut
            stopped = time.monotonic()
            time.sleep(hold_seconds)
            start_called = time.monotonic()
            pg_ctl("start")
    finally:
        ensure_postgres_running()
    return Outage(stop_called, stopped, start_called, time.monotonic())
