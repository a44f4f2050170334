"""The RQ worker class to run: `rq worker -w lti_app.jobs.rq_worker.AppWorker
kennisdeling`. Its own module, so the web workers never import RQ's worker."""

from __future__ import annotations

import os

from rq.worker import SimpleWorker

from .worker import worker_app


class AppWorker(SimpleWorker):
    """Every job in this process (RQ's default forks a child per job, which
    imports the tool and builds its app again, ~1 s of CPU), and the app built
    when the worker starts, not on its first job: the first scores of a busy
    hour then neither wait for it nor take the CPU the web workers need.
    Started beside them, it yields the CPU to them (`JOBS_WORKER_NICENESS`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        os.nice(worker_app().config["JOBS_WORKER_NICENESS"])
