"""The entry points an RQ worker (`rq_worker.AppWorker`, see the README) calls: it runs
`lti_app.jobs.worker.run(job_id)` (a job of the jobs table) and features'
own entry points (`lti_app.learning.grade_delivery.deliver_on_rq`) with the app built
from the same FLASK_* environment as the web workers (`worker_app`)."""

from __future__ import annotations

_app = None


def worker_app():
    """The app of this RQ worker process, built on its first job."""
    global _app
    from lti_app import create_app

    if _app is None:
        _app = create_app()
    return _app


def run(job_id: int) -> None:
    from .service import run_job

    run_job(worker_app(), job_id)
