"""The RQ worker class to run: `rq worker -w lti_app.jobs.rq_worker.AppWorker
kennisdeling`. Its own module, so the web workers never import RQ's worker."""

from __future__ import annotations

import os

from rq.worker import SimpleWorker

from .worker import worker_app

PUBSUB_WAKE_SECONDS = 1.0


class AppWorker(SimpleWorker):
    """Every job in this process (RQ's default forks a child per job, which
    imports the tool and builds its app again, ~1 s of CPU), and the app built
    when the worker starts, not on its first job: the first scores of a busy
    hour then neither wait for it nor take the CPU the web workers need.
    Started beside them, it yields the CPU to them (`JOBS_WORKER_NICENESS`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        os.nice(worker_app().config["JOBS_WORKER_NICENESS"])

    def subscribe(self):
        """RQ's own, with its pubsub thread waking every second, not every 60 s.

        That thread waits up to `sleep_time` for Redis to confirm the
        subscription; a worker that quits first (a burst worker with little to
        do, a deploy's SIGTERM on a busy host) then waited that long to stop,
        joining it (rq 3.0, redis-py 8)."""
        self.log.info("Worker %s: subscribing to channel %s", self.name,
                      self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_WAKE_SECONDS, daemon=True,
            exception_handler=self._pubsub_exception_handler)
