"""Create jobs, run them, report progress."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete, select, update

from ..extensions import db
from ..timeutil import utc_now
from .models import Job

log = logging.getLogger(__name__)

# kind -> function(job, progress(done, total)) -> (bytes, file name); the roster
# refresh (trainer/roster.py) returns its outcome as JSON and no file name
# (nothing to download).
Work = Callable[[Job, Callable[[int, int], None]], tuple[bytes, str]]
_REGISTRY: dict[str, Work] = {}


def register(kind: str):
    def decorator(work: Work) -> Work:
        _REGISTRY[kind] = work
        return work

    return decorator


RESULT_KEEP = timedelta(days=1)  # a finished job's result (a ZIP) is kept this long


def create_job(*, kind: str, context_id: int | None) -> Job:
    # Old results are large (ZIPs): drop them as new work comes in.
    db.session.execute(delete(Job).where(Job.finished_at < utc_now() - RESULT_KEEP))
    job = Job(kind=kind, context_id=context_id, status="queued")
    db.session.add(job)
    db.session.flush()
    return job


def job_in_context(context_id: int, job_id: int) -> Job | None:
    return db.session.scalar(select(Job).where(Job.id == job_id, Job.context_id == context_id))


def start(job_id: int, app: Flask | None = None) -> None:
    """Run a committed job: on an RQ queue when FLASK_JOBS_REDIS_URL is set (workers
    started as the README says: `rq_worker.AppWorker`), else in a background thread here."""
    app = app or current_app._get_current_object()
    redis_url = app.config.get("JOBS_REDIS_URL")
    if redis_url:
        from redis import Redis
        from rq import Queue

        queue = Queue(app.config["JOBS_QUEUE"], connection=Redis.from_url(redis_url))
        queue.enqueue("lti_app.jobs.worker.run", job_id, job_timeout=600)
        return
    thread = threading.Thread(target=run_job, args=(app, job_id), daemon=True,
                              name=f"job-{job_id}")
    with _THREADS_LOCK:
        _THREADS[:] = [t for t in _THREADS if t.is_alive()] + [thread]
    thread.start()


_THREADS: list[threading.Thread] = []  # this process's job threads (the fallback)
_THREADS_LOCK = threading.Lock()


def wait_for_threads(timeout: float = 10.0) -> bool:
    """Wait until this process's job threads have ended (tests, shutdown);
    False if some still run after `timeout` seconds."""
    import time

    end = time.monotonic() + timeout
    with _THREADS_LOCK:
        threads = list(_THREADS)
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)


def run_job(app: Flask, job_id: int) -> None:
    """Do the work, committing progress as it goes (readers poll the row).

    Never raises: a failure is the job's ("failed"), not the thread's or the
    RQ worker's. Only one runner gets a queued job (a conditional UPDATE).
    """
    with app.app_context():
        try:
            _run(job_id)
        except Exception:  # e.g. the job's row deleted meanwhile
            log.exception("job %s could not be run", job_id)
            db.session.rollback()
        finally:
            db.session.remove()


def _run(job_id: int) -> None:
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued").values(status="running")
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return  # gone, or another runner has it
    job = db.session.get(Job, job_id)

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        db.session.commit()

    try:
        data, name = _REGISTRY[job.kind](job, progress)
    except Exception:  # the job fails, the worker lives on
        log.exception("job %s failed", job_id)
        db.session.rollback()
        db.session.execute(
            update(Job).where(Job.id == job_id)
            .values(status="failed", error="error", finished_at=utc_now())
        )
        db.session.commit()
        return
    job.result, job.result_name = data, name
    job.status, job.finished_at = "done", utc_now()
    db.session.commit()
