"""Scores to the LMS gradebook (LTI Assignment and Grade Services), never lost.

A score is queued in `grade_deliveries` in the same commit as the progress
that earned it, then delivered off the request (`schedule_delivery`): on the
RQ queue when FLASK_JOBS_REDIS_URL is set (`rq worker kennisdeling`), else by
a small pool of daemon threads in the process. Never by the worker serving the
page: with gunicorn's sync workers, work after the response (call_on_close)
still holds the worker, and a slow LMS would hold it for as long as it likes.
Retries: `flask grades deliver` from cron, and a sweep that any launched page
schedules at most every SWEEP_EVERY seconds. A failed delivery waits with
exponential backoff. Every runner claims a row (a lease) before sending it, so
a score is sent once per change however many runners there are, and a
delivered score is remembered, so an unchanged score is not sent again.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, g
from sqlalchemy import select, update

from course_content.models import Course

from ..completion import CourseStatus
from ..extensions import db
from ..jobs.worker import worker_app
from ..lti import ags
from ..lti.claims import SCORE_SCOPE
from ..people.models import Context, Enrollment, ResourceLink
from ..platforms.models import Deployment
from ..timeutil import utc_now
from .models import GradeDelivery, ModuleProgress

log = logging.getLogger(__name__)

BACKOFF_FIRST = 30  # seconds; doubles per failure
BACKOFF_MAX = 6 * 3600


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    failed: int


def queue_grade(
    *,
    link: ResourceLink,
    enrollment: Enrollment,
    course: Course,
    progress: dict[str, ModuleProgress],
    status: CourseStatus,
) -> GradeDelivery | None:
    """Queue the learner's current score for this link, if it changed."""
    context = link.context
    if not link.lineitem_url or SCORE_SCOPE not in (context.ags_scopes or "").split():
        return None  # the LMS offers no gradebook column for this link
    if link.module_slug:
        row = progress.get(link.module_slug)
        if row is None or not row.is_passed:
            return None  # a module's grade goes out when it is passed
        score, maximum = float(row.best_percent or 0), 100.0
        activity, completed_at = "Completed", row.passed_at
    else:
        score, maximum = float(status.modules_passed), float(max(status.modules_total, 1))
        activity = "Completed" if status.is_complete else "InProgress"
        completed_at = utc_now() if status.is_complete else None
    delivery = db.session.scalar(
        select(GradeDelivery).where(
            GradeDelivery.resource_link_id == link.id,
            GradeDelivery.enrollment_id == enrollment.id,
        )
    )
    if delivery is None:
        delivery = GradeDelivery(resource_link=link, enrollment=enrollment)
        db.session.add(delivery)
    elif (delivery.score_given, delivery.activity_progress) == (score, activity):
        return None  # unchanged: neither queued again nor resent
    delivery.score_given, delivery.score_maximum = score, maximum
    delivery.activity_progress, delivery.grading_progress = activity, "FullyGraded"
    delivery.completed_at = completed_at or delivery.completed_at
    delivery.scored_at = utc_now()  # AGS needs a rising timestamp
    delivery.status, delivery.attempts = "pending", 0
    delivery.next_attempt_at = utc_now()
    db.session.flush()
    return delivery


def deliver_due(*, now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Send every pending score whose time has come; commits per delivery.

    Several runners (each worker's after-response sweep, cron on every host) may
    run at once: a runner only sends a row it has *claimed*, by moving its
    next_attempt_at a lease into the future with a conditional UPDATE that only
    one runner can win. A runner that dies mid-send leaves the row to be retried
    when the lease ends.
    """
    now = now or utc_now()
    due = db.session.scalars(
        select(GradeDelivery.id)
        .where(GradeDelivery.status == "pending", GradeDelivery.next_attempt_at <= now)
        .order_by(GradeDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    db.session.commit()
    sender = ags.ScoreSender()  # one access token per platform for the run
    delivered = failed = 0
    for delivery_id in due:
        if not _claim(delivery_id, now):
            continue  # another runner has it
        delivery = db.session.get(GradeDelivery, delivery_id)
        if _send(delivery, sender):
            delivered += 1
        else:
            failed += 1
    return DeliveryReport(delivered, failed)


CLAIM_LEASE = 120  # seconds; longer than a send can take (FLASK_OUTBOUND_TIMEOUT, twice)


def _claim(delivery_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(GradeDelivery)
        .where(GradeDelivery.id == delivery_id, GradeDelivery.status == "pending",
               GradeDelivery.next_attempt_at <= now)
        .values(next_attempt_at=max(now, utc_now()) + timedelta(seconds=CLAIM_LEASE))
    )
    db.session.commit()
    return result.rowcount == 1


def _send(delivery: GradeDelivery, sender: ags.ScoreSender) -> bool:
    link = delivery.resource_link
    context: Context = link.context
    deployment: Deployment = context.deployment
    sent_scored_at = delivery.scored_at
    sent_score, sent_activity = delivery.score_given, delivery.activity_progress
    result = sender.send(
        platform=deployment.platform,
        scopes=(context.ags_scopes or "").split(),
        lineitem_url=link.lineitem_url,
        score=ags.Score(
            user_id=delivery.enrollment.person.sub,
            score_given=delivery.score_given,
            score_maximum=delivery.score_maximum,
            activity_progress=delivery.activity_progress,
            grading_progress=delivery.grading_progress,
            timestamp=delivery.scored_at,
            submitted_at=delivery.completed_at,
        ),
    )
    if not result.is_accepted:
        delivery.attempts += 1
        backoff = min(BACKOFF_FIRST * 2 ** (delivery.attempts - 1), BACKOFF_MAX)
        delivery.next_attempt_at = utc_now() + timedelta(seconds=backoff)
        delivery.last_error = result.describe()
        log.warning("grade delivery %s failed (attempt %s): %s",
                    delivery.id, delivery.attempts, delivery.last_error)
        db.session.commit()
        return False
    # Only if no newer score was queued meanwhile (that one stays pending).
    db.session.execute(
        update(GradeDelivery)
        .where(GradeDelivery.id == delivery.id, GradeDelivery.scored_at == sent_scored_at)
        .values(status="delivered", delivered_at=utc_now(), last_error=None,
                delivered_score=sent_score, delivered_activity=sent_activity)
    )
    db.session.commit()
    return True


SWEEP_EVERY = 30  # seconds
SWEEP_STATE = "grade_sweep"  # app.extensions key


@dataclass
class SweepThrottle:
    """Per app and process: only a throttle, nothing another worker needs."""

    last_run: float | None = None

    def is_due(self, now: float) -> bool:
        return self.last_run is None or now - self.last_run >= SWEEP_EVERY


def init_app(app: Flask) -> None:
    """Schedule a run of due deliveries after any launched page, at most every
    SWEEP_EVERY s, so scores left by an LMS outage go out as soon as anyone
    uses the tool; `flask grades deliver` from cron covers quiet hours."""
    throttle = app.extensions.setdefault(SWEEP_STATE, SweepThrottle())

    @app.after_request
    def _sweep(response):
        now = time.monotonic()
        if g.get("launch") is not None and throttle.is_due(now):
            throttle.last_run = now
            schedule_delivery(app)
        return response


RUN_LIMIT = 10  # deliveries per round; a run does up to RUN_ROUNDS rounds
RUN_ROUNDS = 5
POOL_SIZE = 2  # delivery threads per process (the thread fallback)
POOL_STATE = "grade_pool"  # app.extensions key


def schedule_delivery(app: Flask | None = None) -> None:
    """Have due deliveries sent soon, never by this request's worker: an RQ job
    when FLASK_JOBS_REDIS_URL is set, else this process's delivery threads."""
    app = app or current_app._get_current_object()
    redis_url = app.config.get("JOBS_REDIS_URL")
    if redis_url:
        try:
            from redis import Redis
            from rq import Queue

            Queue(app.config["JOBS_QUEUE"], connection=Redis.from_url(redis_url)).enqueue(
                "lti_app.learning.grades.deliver_on_rq", job_timeout=600
            )
            return
        except Exception:  # Redis away: the threads (and cron) still deliver
            log.exception("could not queue grade delivery on RQ; using a thread")
    pool = app.extensions.get(POOL_STATE)
    if pool is None:
        pool = app.extensions.setdefault(POOL_STATE, DeliveryPool(app))
    pool.request_run()


def deliver_on_rq() -> None:
    """The RQ job that schedule_delivery queues (`rq worker kennisdeling`)."""
    with worker_app().app_context():
        try:
            run_deliveries()
        finally:
            db.session.remove()


def run_deliveries() -> DeliveryReport:
    """One run (an RQ job or a pool thread): rounds of RUN_LIMIT while they fill."""
    delivered = failed = 0
    for _round in range(RUN_ROUNDS):
        report = deliver_due(limit=RUN_LIMIT)
        delivered, failed = delivered + report.delivered, failed + report.failed
        if report.delivered + report.failed < RUN_LIMIT:
            break
    return DeliveryReport(delivered, failed)


class DeliveryPool:
    """POOL_SIZE daemon threads per process that run `run_deliveries` on request.

    Requests coalesce: while a run waits to start, another request adds
    nothing (that run will see the new score). Threads start on the first
    request in each process (after gunicorn's fork), never in the parent.
    """

    def __init__(self, app: Flask, size: int = POOL_SIZE) -> None:
        self.app = app
        self.size = size
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.Queue = queue.Queue()
        self._waiting = 0

    def request_run(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first use in this process
                self._pid, self._queue, self._waiting = os.getpid(), queue.Queue(), 0
                for number in range(self.size):
                    threading.Thread(target=self._work, daemon=True,
                                     name=f"grades-{number}").start()
            if self._waiting:
                return
            self._waiting += 1
            self._queue.put(True)

    def _work(self) -> None:
        jobs = self._queue
        while True:
            jobs.get()
            with self._lock:
                self._waiting -= 1
            try:
                with self.app.app_context():
                    try:
                        run_deliveries()
                    except Exception:  # a delivery problem never ends the thread
                        log.exception("grade delivery run failed")
                        db.session.rollback()
                    finally:
                        db.session.remove()
            finally:
                jobs.task_done()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until every requested run has finished (tests, shutdown)."""
        end = time.monotonic() + timeout
        done = self._queue.all_tasks_done
        with done:
            while self._queue.unfinished_tasks:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return False
                done.wait(remaining)
        return True


def wait_for_deliveries(app: Flask, timeout: float = 10.0) -> bool:
    pool = app.extensions.get(POOL_STATE)
    return pool.wait_idle(timeout) if pool is not None else True
