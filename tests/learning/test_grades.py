"""Scores reach the LMS gradebook (AGS): token, score, LMS down then back, exactly once."""

from __future__ import annotations

import threading
import time

import json
from datetime import timedelta

import jwt
import responses
from sqlalchemy import select

from course_content.loader import load_catalog
from lti_app.extensions import db
from lti_app.learning import grade_delivery
from lti_app.learning.models import GradeDelivery
from lti_app.timeutil import utc_now
from tests.learning import helpers
from tests.learning.helpers import first_module, launch_ltik, right_answers, wrong_answers

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
LINEITEM = "https://moodle.example.edu/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3"
SCORES = "https://moodle.example.edu/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"


def submit_quiz(client, ltik, module, answers):
    """Submit, then wait for the delivery thread the submission woke (scores are
    sent off the request, never by the worker that answers it)."""
    result = helpers.submit_quiz(client, ltik, module, answers)
    assert grade_delivery.wait_for_deliveries(client.application, 15), "delivery still running"
    return result


def _ags(lms):
    return {"scope": SCOPES, "lineitem": LINEITEM,
            "lineitems": "https://moodle.example.edu/mod/lti/services.php/2/lineitems"}


def _serve_token(lms, status=200):
    return lms.mock.post(lms.platform.token_url, status=status,
                         json={"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600})


def _scores(lms):
    return [json.loads(c.request.body) for c in lms.mock.calls if c.request.url == SCORES]


def _module_link_launch(client, lms, **kwargs):
    module = first_module()
    ltik = launch_ltik(client, lms, ags=_ags(lms), custom={"course": "library-basics",
                                                            "module": module.slug}, **kwargs)
    return ltik, module


def test_passing_a_module_posts_its_score_once(app, client, lms):
    token_route = _serve_token(lms)
    lms.mock.post(SCORES, status=200, json={})
    ltik, module = _module_link_launch(client, lms, sub="learner-7")
    submit_quiz(client, ltik, module, right_answers(module))

    [score] = _scores(lms)
    assert score["userId"] == "learner-7"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (100.0, 100.0)
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert score["submission"]["submittedAt"] and score["timestamp"]

    token_request = token_route.calls[0].request.body
    assertion = dict(p.split("=") for p in token_request.split("&"))["client_assertion"]
    claims = jwt.decode(assertion, options={"verify_signature": False})
    assert claims["iss"] == claims["sub"] == lms.platform.client_id
    assert claims["aud"] == lms.platform.token_url

    # The same pass again (a retry with the same score) sends nothing new.
    submit_quiz(client, ltik, module, right_answers(module))
    submit_quiz(client, ltik, module, wrong_answers(module))
    assert len(_scores(lms)) == 1


def test_failed_quiz_sends_no_module_score(app, client, lms):
    _serve_token(lms)
    lms.mock.post(SCORES, status=200, json={})
    ltik, module = _module_link_launch(client, lms)
    submit_quiz(client, ltik, module, wrong_answers(module))
    assert _scores(lms) == []


def test_lms_down_keeps_the_score_and_delivers_it_later_exactly_once(app, client, lms):
    _serve_token(lms)
    lms.mock.post(SCORES, status=503)
    ltik, module = _module_link_launch(client, lms)
    response, _ = submit_quiz(client, ltik, module, right_answers(module))
    assert response.status_code == 302  # the learner is not bothered

    with app.app_context():
        delivery = db.session.scalars(select(GradeDelivery)).one()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.last_error == "HTTP 503"
        assert delivery.next_attempt_at > utc_now()
        # Not due yet: a run now sends nothing.
        assert grade_delivery.deliver_due().delivered == 0

    lms.mock.replace(responses.POST, SCORES, status=200, json={})
    later = utc_now() + timedelta(minutes=5)
    with app.app_context():
        assert grade_delivery.deliver_due(now=later).delivered == 1
        assert grade_delivery.deliver_due(now=later + timedelta(hours=1)).delivered == 0
        delivery = db.session.scalars(select(GradeDelivery)).one()
        assert delivery.status == "delivered" and delivery.delivered_score == 100.0
    posted_ok = [c for c in lms.mock.calls if c.request.url == SCORES and c.response.status_code == 200]
    assert len(posted_ok) == 1


def test_backoff_doubles(app, client, lms):
    _serve_token(lms)
    lms.mock.post(SCORES, status=500)
    ltik, module = _module_link_launch(client, lms)
    submit_quiz(client, ltik, module, right_answers(module))
    with app.app_context():
        first = db.session.scalars(select(GradeDelivery)).one().next_attempt_at
        grade_delivery.deliver_due(now=first + timedelta(seconds=1))
        delivery = db.session.scalars(select(GradeDelivery)).one()
        assert delivery.attempts == 2
        gap = delivery.next_attempt_at - utc_now()
        assert timedelta(seconds=50) < gap <= timedelta(seconds=60)


def test_token_refused_is_retried_too(app, client, lms):
    _serve_token(lms, status=401)
    ltik, module = _module_link_launch(client, lms)
    submit_quiz(client, ltik, module, right_answers(module))
    with app.app_context():
        delivery = db.session.scalars(select(GradeDelivery)).one()
        assert delivery.status == "pending" and delivery.last_error == "HTTP 401"


def test_course_link_posts_modules_passed_out_of_total(app, client, lms):
    _serve_token(lms)
    lms.mock.post(SCORES, status=200, json={})
    ltik = launch_ltik(client, lms, ags=_ags(lms))
    module = first_module()
    submit_quiz(client, ltik, module, right_answers(module))
    [score] = _scores(lms)
    total = len(helpers.load_catalog().courses["library-basics"].published_modules)
    assert (score["scoreGiven"], score["scoreMaximum"]) == (1.0, float(total))
    assert score["activityProgress"] == "InProgress"


def test_no_ags_claim_means_no_delivery(app, client, lms):
    ltik = launch_ltik(client, lms)
    module = first_module()
    submit_quiz(client, ltik, module, right_answers(module))
    with app.app_context():
        assert db.session.scalars(select(GradeDelivery)).all() == []


def test_cli_delivers_due_scores(app, client, lms, runner):
    _serve_token(lms)
    lms.mock.post(SCORES, status=503)
    ltik, module = _module_link_launch(client, lms)
    submit_quiz(client, ltik, module, right_answers(module))
    lms.mock.replace(responses.POST, SCORES, status=200, json={})
    with app.app_context():
        delivery = db.session.scalars(select(GradeDelivery)).one()
        delivery.next_attempt_at = utc_now() - timedelta(seconds=1)
        db.session.commit()
    result = runner.invoke(args=["grades", "deliver"])
    assert "delivered 1, failed 0" in result.output


def test_a_claimed_score_is_not_sent_by_a_second_runner(app, client, lms):
    _serve_token(lms)
    lms.mock.post(SCORES, status=503)
    ltik, module = _module_link_launch(client, lms)
    submit_quiz(client, ltik, module, right_answers(module))
    later = utc_now() + timedelta(minutes=5)
    runner_b = {}

    def while_runner_a_sends(request):
        # Runner B (another worker, its own session) starts while A is mid-send.
        def run_b():
            with app.app_context():
                runner_b["delivered"] = grade_delivery.deliver_due(now=later).delivered

        thread = threading.Thread(target=run_b)
        thread.start()
        thread.join(10)
        return 200, {}, "{}"

    lms.mock.remove(responses.POST, SCORES)
    lms.mock.add_callback(responses.POST, SCORES, callback=while_runner_a_sends)
    with app.app_context():
        assert grade_delivery.deliver_due(now=later).delivered == 1  # runner A
    assert runner_b == {"delivered": 0}  # B found it claimed and skipped it
    assert len([c for c in lms.mock.calls if c.request.url == SCORES]) == 2  # failed + A


def test_the_learner_never_waits_for_the_lms(app, client, lms):
    """A slow gradebook holds a delivery thread, not the worker that answers the
    learner: the page comes back while the LMS is still 'thinking'."""
    _serve_token(lms)
    release, arrived = threading.Event(), threading.Event()

    def slow_lms(request):
        arrived.set()
        release.wait(10)
        return 200, {}, "{}"

    lms.mock.add_callback(responses.POST, SCORES, callback=slow_lms)
    ltik, module = _module_link_launch(client, lms)
    started = time.monotonic()
    response, _ = helpers.submit_quiz(client, ltik, module, right_answers(module))
    assert response.status_code == 302 and time.monotonic() - started < 5
    assert arrived.wait(10)  # the delivery thread is at the LMS meanwhile
    with app.app_context():
        assert db.session.scalars(select(GradeDelivery.status)).one() == "pending"
    release.set()
    assert grade_delivery.wait_for_deliveries(app, 15)
    with app.app_context():
        assert db.session.scalars(select(GradeDelivery.status)).one() == "delivered"
    assert len(_scores(lms)) == 1


def test_with_redis_scores_go_to_the_rq_queue(app, client, lms, monkeypatch):
    from tests.lti.test_redis_store import REDIS_URL, _redis_up

    if not _redis_up():
        import pytest

        pytest.skip("no Redis on 127.0.0.1:6379")
    import uuid

    from redis import Redis
    from rq import Queue

    import lti_app
    from lti_app.jobs import worker
    from lti_app.jobs.rq_worker import AppWorker

    queue_name = f"kd-test-{uuid.uuid4().hex}"
    app.config.update(JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE=queue_name)
    _serve_token(lms)
    lms.mock.post(SCORES, status=200, json={})
    ltik, module = _module_link_launch(client, lms)
    helpers.submit_quiz(client, ltik, module, right_answers(module))
    assert _scores(lms) == []  # queued for an RQ worker, not sent by the web worker
    redis = Redis.from_url(REDIS_URL)
    queue = Queue(queue_name, connection=redis)
    monkeypatch.setattr(lti_app, "create_app", lambda: app)  # as from the environment
    try:
        rq_worker = AppWorker([queue], connection=redis)
        assert worker._app is app  # built when the worker starts, before any job
        rq_worker.work(burst=True)
    finally:
        worker._app = None
        queue.delete(delete_jobs=True)
    assert len(_scores(lms)) == 1
    with app.app_context():
        assert db.session.scalars(select(GradeDelivery.status)).one() == "delivered"


def test_a_runner_whose_lease_ran_out_never_sends_a_row_another_took_over(app, client, lms):
    """A batch claim can outlive its lease (a slow LMS before this row's turn):
    once another runner took the row over, the first one skips it."""
    _serve_token(lms)
    lms.mock.post(SCORES, status=503)
    ltik, module = _module_link_launch(client, lms)
    submit_quiz(client, ltik, module, right_answers(module))  # fails: pending, retried later
    lms.mock.replace(responses.POST, SCORES, status=200, json={})
    due = utc_now() + timedelta(minutes=5)
    with app.app_context():
        [claim_a] = grade_delivery._claim_due(due, 10)  # runner A claims it ...
        # ... and is still busy when its lease has run out: runner B takes the row.
        after_lease = due + timedelta(seconds=grade_delivery.CLAIM_LEASE + 1)
        [claim_b] = grade_delivery._claim_due(after_lease, 10)
        assert grade_delivery._send(claim_a, grade_delivery.ags.ScoreSender()) is None  # A: not mine now
        assert _accepted(lms) == 0
        assert grade_delivery._send(claim_b, grade_delivery.ags.ScoreSender()) is True  # B sends it
        delivery = db.session.scalars(select(GradeDelivery)).one()
        assert delivery.status == "delivered" and delivery.claimed_until is None
    assert _accepted(lms) == 1


def _accepted(lms) -> int:
    return sum(c.request.url == SCORES and c.response.status_code == 200
               for c in lms.mock.calls)


def test_runners_at_once_take_different_rows_and_send_each_once(app, client, lms):
    _serve_token(lms)
    lms.mock.post(SCORES, status=503)
    module = first_module()
    for sub in ("ann", "bob", "cas"):
        ltik = launch_ltik(client, lms, sub=sub, ags=_ags(lms),
                           custom={"course": "library-basics", "module": module.slug})
        submit_quiz(client, ltik, module, right_answers(module))
    lms.mock.replace(responses.POST, SCORES, status=200, json={})
    due = utc_now() + timedelta(minutes=5)
    with app.app_context():
        first = grade_delivery._claim_due(due, 2)
        second = grade_delivery._claim_due(due, 2)  # another runner meanwhile: the rest only
        assert len(first) == 2 and len(second) == 1
        assert not {c.delivery_id for c in first} & {c.delivery_id for c in second}
        assert grade_delivery._claim_due(due, 2) == []  # all claimed
    users = sorted(json.loads(c.request.body)["userId"] for c in lms.mock.calls
                   if c.request.url == SCORES and c.response.status_code == 200)
    assert users == []  # claiming sends nothing by itself


def test_scores_submitted_together_go_out_in_one_run(app, client, lms, monkeypatch):
    """A run waits GRADES_GATHER_SECONDS before it reads what is due, and a
    request meanwhile adds no run: a class submitting at once makes a few runs
    of many scores, not a run (a claim, a job) per score."""
    _serve_token(lms)
    lms.mock.post(SCORES, status=200, json={})
    module = first_module()
    ltiks = [launch_ltik(client, lms, sub=sub, ags=_ags(lms),
                         custom={"course": "library-basics", "module": module.slug})
             for sub in ("ann", "bob")]
    assert grade_delivery.wait_for_deliveries(app, 15)  # the launches' sweep is over
    runs = []
    real_run = grade_delivery.run_deliveries
    monkeypatch.setattr(grade_delivery, "run_deliveries", lambda: runs.append(real_run()) or runs[-1])
    app.config["GRADES_GATHER_SECONDS"] = 1.5
    for ltik in ltiks:
        helpers.submit_quiz(client, ltik, module, right_answers(module))
    assert _scores(lms) == []  # both wait for the run that gathers them
    assert grade_delivery.wait_for_deliveries(app, 15)
    assert sorted(s["userId"] for s in _scores(lms)) == ["ann", "bob"]
    assert [(run.claimed, run.delivered) for run in runs] == [(2, 2)]


def _enrollment_of(sub):
    from lti_app.people.models import Enrollment, Person

    return db.session.scalars(select(Enrollment).join(Person, Person.id == Enrollment.person_id)
                              .where(Person.sub == sub)).one()


def test_an_attempt_that_moves_no_column_queues_nothing_and_reads_no_column(app, client, lms):
    """A failed attempt at a module not passed changes no gradebook column, so
    its transaction does not even read them; a better score on a module passed
    before (e.g. under an older, lower pass mark) does queue the new best."""
    from lti_app.learning import service
    from lti_app.learning.models import ModuleProgress
    from tests.test_page_work import statements

    ltik, module = _module_link_launch(client, lms, sub="fay")
    course = load_catalog().courses["library-basics"]
    with app.app_context():
        enrollment = _enrollment_of("fay")
        with statements(app) as sent:
            service.record_result(enrollment_id=enrollment.id, course=course, module=module,
                                  percent=40, passed=False)
        db.session.commit()
        assert not [s for s in sent if "grade_deliveries" in s or "resource_links" in s]
        assert db.session.scalars(select(GradeDelivery)).all() == []

        progress = db.session.scalars(select(ModuleProgress)).one()
        progress.passed_at, progress.best_percent = utc_now(), 50  # passed at 50% once
        db.session.commit()
        service.record_result(enrollment_id=enrollment.id, course=course, module=module,
                              percent=70, passed=False)  # below today's mark, above her best
        db.session.commit()
        assert db.session.scalars(select(GradeDelivery.score_given)).all() == [70.0]
