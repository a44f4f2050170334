"""The README's RQ worker (`rq worker -w lti_app.jobs.rq_worker.AppWorker`) runs its
jobs at a lower CPU priority, so on a host it shares with gunicorn a class's pages
come before its scores and ZIPs; an operator can switch that off."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.lti.test_redis_store import REDIS_URL, _redis_up

pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
REPO = Path(__file__).resolve().parents[1]


def _priority_a_job_ran_at(tmp_path, **config) -> int:
    """Runs a real burst `rq worker` with the README's worker class and returns
    the CPU priority (nice) its job ran at."""
    from redis import Redis
    from rq import Queue

    queue = Queue(f"kd-test-{uuid.uuid4().hex}", connection=Redis.from_url(REDIS_URL))
    job = queue.enqueue(os.getpriority, os.PRIO_PROCESS, 0)
    env = {**os.environ, "FLASK_SECRET_KEY": "test",
           "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'worker.db'}",
           **{f"FLASK_{key}": str(value) for key, value in config.items()}}
    try:
        subprocess.run(
            [sys.executable, "-c", "from rq.cli import main; main()", "worker", "--burst",
             "--url", REDIS_URL, "-w", "lti_app.jobs.rq_worker.AppWorker", queue.name],
            cwd=REPO, env=env, check=True, capture_output=True, timeout=60)
        job.refresh()
        assert job.get_status() == "finished", job.exc_info
        return job.return_value()
    finally:
        queue.delete(delete_jobs=True)


def test_the_worker_runs_jobs_below_the_web_workers_priority(tmp_path):
    started_at = os.getpriority(os.PRIO_PROCESS, 0)
    assert _priority_a_job_ran_at(tmp_path) == min(started_at + 10, 19)


def test_an_operator_can_keep_the_worker_at_its_own_priority(tmp_path):
    started_at = os.getpriority(os.PRIO_PROCESS, 0)
    assert _priority_a_job_ran_at(tmp_path, JOBS_WORKER_NICENESS=0) == started_at
