"""The entry points an RQ worker calls: `rq worker kennisdeling` runs
`lti_app.jobs.worker.run(job_id)` (a job of the jobs table) and
`deliver_grades()` (due scores to the LMS) with the app built from the same
FLASK_* environment as the web workers."""

from __future__ import annotations

_app = None


def _the_app():
    global _app
    from lti_app import create_app

    if _app is None:  # one app per worker process, built on its first job
        _app = create_app()
    return _app


def run(job_id: int) -> None:
    from .service import run_job

    run_job(_the_app(), job_id)


def deliver_grades() -> None:
    from lti_app.extensions import db
    from lti_app.learning.grades import run_deliveries

    with _the_app().app_context():
        try:
            run_deliveries()
        finally:
            db.session.remove()

