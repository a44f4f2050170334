"""The entry point an RQ worker calls: `rq worker kennisdeling` runs
`lti_app.jobs.worker.run(job_id)` with the app built from the same FLASK_*
environment as the web workers."""

from __future__ import annotations

_app = None


def run(job_id: int) -> None:
    global _app
    from lti_app import create_app

    from .service import run_job

    if _app is None:  # one app per worker process, built on its first job
        _app = create_app()
    run_job(_app, job_id)

