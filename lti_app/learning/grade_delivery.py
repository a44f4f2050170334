"""Queued scores sent to the LMS gradebook, never lost and never twice.

grades.py queues a column's newest score in `grade_deliveries` with the change
that made it. Once that transaction commits, delivery is scheduled off the
request (`schedule_delivery`): on the RQ queue when FLASK_JOBS_REDIS_URL is set
(README: the RQ worker), else by a small pool of daemon threads in the process.
Never by the worker serving the page: with gunicorn's sync workers, work after
the response (call_on_close) still holds the worker, and a slow LMS would hold it
for as long as it likes. Retries: `flask grades deliver` from cron, and a sweep
that any launched page schedules at most every SWEEP_EVERY seconds. A failed
delivery waits with exponential backoff. Every runner claims a row (a lease)
before sending it, so a column is sent by one runner at a time and a score once
per change; a delivered score is remembered, so an unchanged score is not sent
again.

Timestamps: each send is stamped now in whole seconds but at least a second
after the last timestamp sent for that column (stored), because Moodle refuses
a score whose timestamp is not later, in whole seconds, than the one it keeps
(HTTP 409). A 409 is resent once at once a second later; never the same stamp.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, g
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session, joinedload

from ..extensions import db
from ..jobs.worker import worker_app
from ..lti import ags
from ..people.models import Context, Enrollment, ResourceLink
from ..platforms.models import Deployment
from ..timeutil import utc_now
from .grades import QUEUED_KEY
from .models import GradeDelivery

log = logging.getLogger(__name__)

BACKOFF_FIRST = 30  # seconds; doubles per failure
BACKOFF_MAX = 6 * 3600


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    failed: int
    claimed: int = 0  # rows this runner won (a full batch: more may be due)


def deliver_due(*, now: datetime | None = None, limit: int = 50,
                sender: ags.ScoreSender | None = None) -> DeliveryReport:
    """Send every pending score whose time has come; commits per delivery.

    Several runners (RQ workers, delivery threads, cron on every host) may run
    at once: a runner only sends a row it has *claimed*, by setting its
    claimed_until a lease into the future, for a batch at once: the rows are
    locked with FOR UPDATE SKIP LOCKED (PostgreSQL), so runners take different
    rows instead of queueing on the same ones, then one conditional UPDATE. Each send renews the lease first, only if it
    is still this runner's, so a long batch never sends a row another runner
    took over. A newer standing queued meanwhile does not end the lease: the
    runner holding it sends that one next. A runner that dies mid-send leaves
    the row to whoever runs after the lease.
    """
    claims = _claim_due(now or utc_now(), limit)
    sender = sender or ags.score_sender()  # this thread's token and connections
    try:
        targets = _targets(claims, sender)  # one SELECT for the batch
    except BaseException:
        for claim in claims:
            _release(claim)
        raise
    delivered = failed = 0
    for claim in claims:
        try:
            ok = _send(claim, sender, targets.get(claim.delivery_id))
        except BaseException:
            _release(claim)  # whatever the send left: the row is free again
            raise
        if ok is True:
            delivered += 1
        elif ok is False:
            failed += 1
    return DeliveryReport(delivered, failed, len(claims))


CLAIM_LEASE = 120  # seconds; longer than a send can take (FLASK_OUTBOUND_TIMEOUT, twice)
SENDS_PER_CLAIM = 10  # newer standings queued during a send, sent by the same claim


@dataclass
class _Claim:
    delivery_id: int
    lease: datetime  # claimed_until as this runner last wrote it


@dataclass(frozen=True)
class _Target:
    """Where a claimed row's score goes, read once per batch (a commit after
    each send would expire ORM objects: re-reading them cost SELECTs per score)."""

    send: Callable[..., ags.ScoreResult]  # ScoreSender.to(the platform)
    scopes: list[str]
    lineitem_url: str
    sub: str
    last_timestamp: datetime | None  # only the claim's holder writes it


def _claim_due(now: datetime, limit: int) -> list[_Claim]:
    """Claim up to `limit` due rows nobody holds."""
    clock = max(now, utc_now())
    lease = clock + timedelta(seconds=CLAIM_LEASE)
    claimable = (GradeDelivery.status == "pending", GradeDelivery.next_attempt_at <= now,
                 or_(GradeDelivery.claimed_until.is_(None),
                     GradeDelivery.claimed_until <= clock))
    # Locked (and skipped by the others) until the commit below. Two statements:
    # PostgreSQL may run an `IN (SELECT ... LIMIT n FOR UPDATE)` inside the
    # UPDATE more than once and so claim more than `limit` rows.
    due = db.session.scalars(
        select(GradeDelivery.id).where(*claimable)
        .order_by(GradeDelivery.next_attempt_at, GradeDelivery.id).limit(limit)
        .with_for_update(skip_locked=True)  # SQLite: one writer anyway
    ).all()
    if not due:
        db.session.commit()
        return []
    ids = db.session.scalars(
        update(GradeDelivery).where(GradeDelivery.id.in_(due), *claimable)
        .values(claimed_until=lease).returning(GradeDelivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return [_Claim(delivery_id, lease) for delivery_id in sorted(ids)]


def _release(claim: _Claim) -> None:
    """End this runner's lease, never another's (a later runner's claim)."""
    db.session.rollback()  # whatever a failed send left open
    db.session.execute(
        update(GradeDelivery)
        .where(GradeDelivery.id == claim.delivery_id,
               GradeDelivery.claimed_until == claim.lease)
        .values(claimed_until=None).execution_options(synchronize_session=False)
    )
    db.session.commit()


def next_timestamp(last: datetime | None, now: datetime | None = None) -> datetime:
    """Now in whole seconds, but at least a second after the last one sent for the
    column: Moodle keeps whole seconds and refuses a timestamp that is not later
    (HTTP 409), so two scores in one second would otherwise lose the second."""
    stamp = (now or utc_now()).replace(microsecond=0)
    if last is not None:
        stamp = max(stamp, last.replace(microsecond=0) + timedelta(seconds=1))
    return stamp


_SCORE_COLUMNS = (GradeDelivery.revision, GradeDelivery.attempts, GradeDelivery.score_given,
                  GradeDelivery.score_maximum, GradeDelivery.activity_progress,
                  GradeDelivery.grading_progress, GradeDelivery.completed_at)


def _stamp(claim: _Claim, last: datetime | None):
    """The timestamp of the next send and the score to send, as queued now: the
    stamp stored (committed) before it goes out and the lease renewed, in one
    UPDATE ... RETURNING, only while the row is this runner's and pending.
    None when it is not (see _why_not_stamped)."""
    stamp = next_timestamp(last)
    lease = max(claim.lease, utc_now() + timedelta(seconds=CLAIM_LEASE))  # never shorter
    row = db.session.execute(
        update(GradeDelivery)
        .where(GradeDelivery.id == claim.delivery_id,
               GradeDelivery.claimed_until == claim.lease,
               GradeDelivery.status == "pending")
        .values(last_timestamp=stamp, claimed_until=lease)
        .returning(*_SCORE_COLUMNS)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    if row is None:
        return None
    claim.lease = lease
    return stamp, row


def _why_not_stamped(claim: _Claim) -> bool | None:
    """True: nothing left to send (removed, or sent meanwhile; released);
    None: the lease ran out and another runner took the row."""
    state = db.session.execute(
        select(GradeDelivery.status).where(GradeDelivery.id == claim.delivery_id)).first()
    db.session.commit()
    if state is not None and state.status == "pending":
        return None
    _release(claim)
    return True


_WITH_TARGET = (  # what a send needs, in one SELECT instead of six lazy loads
    joinedload(GradeDelivery.resource_link).joinedload(ResourceLink.context)
    .joinedload(Context.deployment).joinedload(Deployment.platform),
    joinedload(GradeDelivery.enrollment).joinedload(Enrollment.person),
)


def _targets(claims: list[_Claim], sender: ags.ScoreSender) -> dict[int, _Target]:
    """The targets of the claimed rows, in one SELECT for the batch."""
    if not claims:
        return {}
    rows = db.session.scalars(
        select(GradeDelivery).options(*_WITH_TARGET)
        .where(GradeDelivery.id.in_([claim.delivery_id for claim in claims]))
        .execution_options(populate_existing=True)
    ).all()
    targets = {}
    for delivery in rows:
        link = delivery.resource_link
        context: Context = link.context
        targets[delivery.id] = _Target(
            send=sender.to(context.deployment.platform),
            scopes=(context.ags_scopes or "").split(), lineitem_url=link.lineitem_url,
            sub=delivery.enrollment.person.sub, last_timestamp=delivery.last_timestamp,
        )
    return targets  # plain values: the commits of the sends expire the objects


def _send(claim: _Claim, sender: ags.ScoreSender, target: _Target | None = None
          ) -> bool | None:
    """Send the column's newest score (the row is claimed by this runner):
    True sent (or nothing left to send), False failed, None no longer ours."""
    delivery_id = claim.delivery_id
    if target is None:
        target = _targets([claim], sender).get(delivery_id)
        if target is None:
            _release(claim)
            return True  # removed meanwhile: nothing left to send
    last, note, conflicted = target.last_timestamp, None, None
    for _send_number in range(SENDS_PER_CLAIM):
        stamped = _stamp(claim, last)
        if stamped is None:
            return _why_not_stamped(claim)
        stamp, row = stamped
        last = stamp
        if row.revision != conflicted:
            note = None  # a 409's note belongs to the revision it happened to
        values = dict(score_given=row.score_given, score_maximum=row.score_maximum,
                      activity_progress=str(row.activity_progress),
                      grading_progress=str(row.grading_progress),
                      submitted_at=row.completed_at)
        result = target.send(scopes=target.scopes, lineitem_url=target.lineitem_url,
                             score=ags.Score(user_id=target.sub, timestamp=stamp, **values))
        if result.status == 409 and conflicted != row.revision:
            # The LMS holds a timestamp not earlier than ours: once more at
            # once, a second later, never with the same timestamp (or the newer
            # standing queued meanwhile, which the next stamp reads).
            log.warning("grade delivery %s: HTTP 409 at %s, resent a second later",
                        delivery_id, stamp.isoformat())
            note, conflicted = f"HTTP 409 at {stamp.isoformat()}; resent", row.revision
            continue
        if not result.is_accepted:
            attempts = row.attempts + 1
            backoff = min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_MAX)
            error = result.describe() if note is None else f"{note}: {result.describe()}"
            db.session.execute(
                update(GradeDelivery)
                .where(GradeDelivery.id == delivery_id,
                       GradeDelivery.claimed_until == claim.lease)  # never another's lease
                .values(attempts=attempts, last_error=error[:1000], claimed_until=None,
                        next_attempt_at=utc_now() + timedelta(seconds=backoff))
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            log.warning("grade delivery %s failed (attempt %s): %s",
                        delivery_id, attempts, error)
            return False
        # Delivered, unless a newer standing was queued meanwhile: that one
        # stays pending and this claim sends it next.
        marked = db.session.execute(
            update(GradeDelivery)
            .where(GradeDelivery.id == delivery_id, GradeDelivery.revision == row.revision)
            .values(status="delivered", delivered_at=utc_now(), last_error=note,
                    claimed_until=None,
                    delivered_score=values["score_given"],
                    delivered_activity=values["activity_progress"])
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if marked.rowcount == 1:
            return True  # delivered and released in one statement: nothing slips by
    # Still newer ones: released, pending and due. A run that started meanwhile
    # skipped the claimed row, so ask for another.
    _release(claim)
    schedule_delivery()
    return True


@event.listens_for(Session, "after_commit")
def _schedule_after_commit(session: Session) -> None:
    """A score queued by this transaction goes out once it is committed (never
    before: the runner would not see it), off the request (schedule_delivery)."""
    if session.info.pop(QUEUED_KEY, False):
        try:
            schedule_delivery()
        except Exception:  # never fail a commit; the sweep and cron send it
            log.exception("could not schedule grade delivery")


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


RQ_RUN_QUEUED_TTL = 60  # seconds; a lost job blocks new ones no longer than this


def schedule_delivery(app: Flask | None = None) -> None:
    """Have due deliveries sent soon, never by this request's worker: an RQ job
    when FLASK_JOBS_REDIS_URL is set, else this process's delivery threads."""
    app = app or current_app._get_current_object()
    redis_url = app.config.get("JOBS_REDIS_URL")
    if redis_url:
        try:
            _enqueue_run(app, redis_url)
            return
        except Exception:  # Redis away: the threads (and cron) still deliver
            log.exception("could not queue grade delivery on RQ; using a thread")
    pool = app.extensions.get(POOL_STATE)
    if pool is None:
        pool = app.extensions.setdefault(POOL_STATE, DeliveryPool(app))
    pool.request_run()


def _enqueue_run(app: Flask, redis_url: str) -> None:
    """One RQ job for any number of scores queued before it starts: the job
    clears the flag first and then reads what is due, so a score committed
    while the flag is set is read by that job, and one committed later sets
    the flag again (a new job). 200 submits at once make a few jobs, not 200."""
    from rq import Queue

    redis = _redis(app, redis_url)
    name = app.config["JOBS_QUEUE"]
    flag = f"{name}:grades-run-queued"
    if not redis.set(flag, "1", nx=True, ex=RQ_RUN_QUEUED_TTL):
        return  # a run is queued and has not started: it will see this score
    try:
        Queue(name, connection=redis).enqueue(
            "lti_app.learning.grade_delivery.deliver_on_rq", flag, job_timeout=600)
    except Exception:
        redis.delete(flag)
        raise


REDIS_STATE = "grade_redis"  # app.extensions key: one client (and pool) per process


def _redis(app: Flask, url: str):
    from redis import Redis

    clients = app.extensions.setdefault(REDIS_STATE, {})
    if url not in clients:  # redis-py's pool reconnects after a fork by itself
        clients[url] = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return clients[url]


def deliver_on_rq(flag: str | None = None) -> None:
    """The RQ job that schedule_delivery queues (jobs.rq_worker.AppWorker runs it)."""
    app = worker_app()
    with app.app_context():
        if flag:
            from rq import get_current_job

            _gather(app)
            get_current_job().connection.delete(flag)  # before reading what is due
        try:
            run_deliveries()
        finally:
            db.session.remove()


def _gather(app: Flask) -> None:
    """Let the scores of the next moments join this run: while it waits, its flag
    (or the pool's waiting run) is still set, so a class submitting together
    queues a handful of runs of many scores, not a run per score (each run
    costs a claim, a token check and, on RQ, the job's own bookkeeping)."""
    time.sleep(app.config["GRADES_GATHER_SECONDS"])


def run_deliveries() -> DeliveryReport:
    """One run (an RQ job or a pool thread): rounds of RUN_LIMIT while they fill;
    still full after RUN_ROUNDS, it asks for another run (others get a turn)."""
    delivered = failed = claimed = 0
    sender = ags.score_sender()  # this thread's: tokens and connections outlive the run
    for _round in range(RUN_ROUNDS):
        report = deliver_due(limit=RUN_LIMIT, sender=sender)
        delivered, failed = delivered + report.delivered, failed + report.failed
        claimed += report.claimed
        if report.claimed < RUN_LIMIT:
            break
    else:
        schedule_delivery()
    return DeliveryReport(delivered, failed, claimed)


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
            _gather(self.app)
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
