"""gunicorn's settings for the tool in production (README, "Production").

    gunicorn -c python:lti_app.gunicorn_conf --bind 127.0.0.1:8000 'lti_app:create_app()'

Command-line flags override these (`--workers 8`); so does WEB_CONCURRENCY for
the number of workers. benchmarks/loadtest/services.py starts gunicorn with
this module too, for the tool and for the bare page it is compared with.

No `preload_app`: the app would be built in the master and forked, and with it
the database engine, the Redis clients and the rate-limit storage that
create_app sets up; each worker builds its own app instead, then warms it
(copy-on-write would not keep the warm caches shared either: reference counts
write to every object they touch).

The master imports this module, and with it lti_app: restart gunicorn on a
release (a `kill -HUP` would fork new workers with the master's old code).
"""

from __future__ import annotations

import os

from flask import Flask

from . import warmup

workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
# No query strings and no Referer: the tool's links carry the launch token
# (`ltik`) in the query, which logs should not keep.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'


def post_worker_init(worker) -> None:
    """Warm the tool's app before this worker accepts its first request: the
    first learners after a deploy do not wait for a cold worker's one-time work."""
    app = worker.wsgi
    if not is_kennisdeling(app):
        return  # another app run with these settings (the benchmarks' bare page)
    try:
        steps = warmup.warm(app)
    except Exception:  # noqa: BLE001 - a cold worker still serves; the log says why
        worker.log.exception("warm-up failed; the worker starts cold")
        return
    worker.log.info("warmed in %.0f ms: %s", sum(steps.values()),
                    ", ".join(f"{name} {ms:.0f}" for name, ms in steps.items()))


def is_kennisdeling(app: object) -> bool:
    return isinstance(app, Flask) and app.import_name == "lti_app"
