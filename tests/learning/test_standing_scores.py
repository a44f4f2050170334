"""Every change to a learner's standing updates every gradebook column she has.

The LMS here behaves as Moodle 4.5 does (mod/lti/service/gradebookservices/
classes/local/resources/scores.php): it keeps one timestamp per user and
column, in whole seconds, and refuses with 409 a score whose timestamp is not
later. Scores leave the tool off the request; the tests wait for the delivery
threads (grade_delivery.wait_for_deliveries).
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta, timezone

import responses
from sqlalchemy import select

from lti_app import standing as standing_module
from lti_app.extensions import db
from lti_app.issuing import service as issuing
from lti_app.learning import grade_delivery, grades
from lti_app.learning import service as learning
from lti_app.learning.models import GradeDelivery
from lti_app.people.models import Person, ResourceLink
from lti_app.shadowing import service as shadowing
from lti_app.timeutil import utc_now
from tests.learning.helpers import launch_ltik, load_catalog, right_answers, submit_quiz

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
BASE = "https://moodle.example.edu/mod/lti/services.php/2/lineitems"
COURSE_ITEM, MODULE_ITEM, NEW_ITEM = 7, 8, 9


def lineitem(number: int) -> str:
    return f"{BASE}/{number}/lineitem?type_id=3"


def scores_url(number: int) -> str:
    return f"{BASE}/{number}/lineitem/scores?type_id=3"


def course():
    return load_catalog().courses["library-basics"]


class MoodleGradebook:
    """Scores as Moodle keeps them: per column and user, refused unless later."""

    def __init__(self, lms, items=(COURSE_ITEM, MODULE_ITEM, NEW_ITEM)):
        self.lock = threading.Lock()
        self.kept: dict[tuple[int, str], dict] = {}  # (item, user) -> score
        self.received: list[tuple[int, dict, int]] = []  # (item, score, status)
        self.before_answer = None  # a hook: runs while a score is "on the wire"
        lms.mock.post(lms.platform.token_url, status=200, json={
            "access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600})
        for item in items:
            lms.mock.add_callback(responses.POST, scores_url(item),
                                  callback=self._callback(item))

    @staticmethod
    def seconds(score: dict) -> int:
        return int(datetime.fromisoformat(score["timestamp"]).timestamp())

    def _callback(self, item):
        def answer(request):
            score = json.loads(request.body)
            if self.before_answer is not None:
                hook, self.before_answer = self.before_answer, None
                hook()
            with self.lock:
                kept = self.kept.get((item, score["userId"]))
                status = 409 if kept and self.seconds(kept) >= self.seconds(score) else 200
                if status == 200:
                    self.kept[(item, score["userId"])] = score
                self.received.append((item, score, status))
            return status, {}, "{}"
        return answer

    def column(self, item: int, user: str = "sara") -> dict | None:
        return self.kept.get((item, user))

    def sent_to(self, item: int) -> list[dict]:
        return [score for number, score, _status in self.received if number == item]


def ags(item: int) -> dict:
    return {"scope": SCOPES, "lineitem": lineitem(item), "lineitems": BASE}


def launch(client, lms, *, sub="sara", link="course-link", item=COURSE_ITEM, module=None,
           **kwargs):
    custom = {"course": "library-basics", **({"module": module} if module else {})}
    return launch_ltik(client, lms, sub=sub, resource_link_id=link, ags=ags(item),
                       custom=custom, **kwargs)


def settle(app):
    assert grade_delivery.wait_for_deliveries(app, 15), "delivery still running"


def person_id(sub="sara") -> int:
    return db.session.scalar(select(Person.id).where(Person.sub == sub))


def enrollment_of(sub="sara"):
    person = db.session.scalar(select(Person).where(Person.sub == sub))
    return issuing.enrollment_of(person.id, db.session.scalars(
        select(ResourceLink.context_id)).first())


def pass_modules(app, modules, sub="sara"):
    """Pass modules as the quiz would (record_result), one commit each."""
    with app.app_context():
        enrollment = enrollment_of(sub)
        for module in modules:
            learning.record_result(enrollment_id=enrollment.id, course=course(),
                                   module=module, percent=100, passed=True)
            db.session.commit()
    settle(app)


def add_day(app, on: date, sub="sara"):
    with app.app_context():
        day = shadowing.create_day(
            person_id=person_id(sub), context_id=enrollment_of(sub).context_id,
            values=shadowing.DayInput(day=on, host_library=None,
                                      host_library_other="Bibliotheek Noordhaven"),
            actor_name="Sara")
        db.session.commit()
        return day.id


def decide(app, day_id, *, confirm=True):
    with app.app_context():
        day = db.session.get(shadowing.ShadowDay, day_id)
        shadowing.decide(day=day, is_confirmed=confirm, by="trainer", by_name="Carla",
                         by_person_id=None, comment=None if confirm else "Not that day",
                         today=date.today())
        db.session.commit()
    settle(app)


def test_completed_reaches_the_lms_with_the_second_confirmed_day_only(app, client, lms):
    lms_book = MoodleGradebook(lms)
    published = course().published_modules
    total = float(len(published))
    launch(client, lms)  # the course link
    launch(client, lms, link="module-link", item=MODULE_ITEM, module=published[0].slug)
    pass_modules(app, published)

    assert lms_book.column(MODULE_ITEM)["scoreGiven"] == 100.0
    kept = lms_book.column(COURSE_ITEM)
    assert (kept["scoreGiven"], kept["scoreMaximum"]) == (total, total)
    assert kept["activityProgress"] == "InProgress"  # the two days are missing
    sent_before_days = len(lms_book.received)

    first, second = add_day(app, date(2026, 3, 2)), add_day(app, date(2026, 3, 9))
    decide(app, first)
    assert len(lms_book.received) == sent_before_days  # unchanged standing: nothing sent
    assert lms_book.column(COURSE_ITEM)["activityProgress"] == "InProgress"

    decide(app, second)  # the last rule met
    kept = lms_book.column(COURSE_ITEM)
    assert kept["activityProgress"] == "Completed" and kept["gradingProgress"] == "FullyGraded"
    assert (kept["scoreGiven"], kept["scoreMaximum"]) == (total, total)
    assert kept["submission"]["submittedAt"]
    sent = lms_book.sent_to(COURSE_ITEM)  # passes close together coalesce: the newest goes
    assert [s["scoreGiven"] for s in sent] == sorted(s["scoreGiven"] for s in sent)
    assert [s["activityProgress"] for s in sent].count("Completed") == 1
    assert len({MoodleGradebook.seconds(s) for s in sent}) == len(sent)  # each stamp later
    assert len(lms_book.sent_to(MODULE_ITEM)) == 1  # the module column: its pass, once
    assert all(status == 200 for _item, _score, status in lms_book.received)


def test_a_declined_day_and_a_reopened_one_take_completed_back_only_if_it_was_earned(
        app, client, lms):
    lms_book = MoodleGradebook(lms)
    published = course().published_modules
    launch(client, lms)
    pass_modules(app, published)
    first, second = add_day(app, date(2026, 3, 2)), add_day(app, date(2026, 3, 9))
    decide(app, first)
    decide(app, second, confirm=False)  # declined: still InProgress, nothing new
    assert lms_book.column(COURSE_ITEM)["activityProgress"] == "InProgress"
    sent = len(lms_book.received)
    with app.app_context():  # the learner edits the declined day: reopened
        day = db.session.get(shadowing.ShadowDay, second)
        shadowing.update_day(day=day, values=shadowing.DayInput(
            day=date(2026, 3, 10), host_library=None, host_library_other="Bibliotheek Oost"),
            actor_name="Sara")
        db.session.commit()
    settle(app)
    assert len(lms_book.received) == sent
    decide(app, second)
    assert lms_book.column(COURSE_ITEM)["activityProgress"] == "Completed"


def test_issuing_revoking_and_reissuing_keep_completed_and_send_nothing_new(app, client, lms):
    """Completion is the course's rules (modules and confirmed days, README): a
    certificate is issued because of it and does not change it, so a revoked
    certificate leaves the gradebook at Completed. Each of the three restates
    the columns, so a Completed that never reached the LMS goes out then."""
    lms_book = MoodleGradebook(lms)
    launch(client, lms)
    pass_modules(app, course().published_modules)
    decide(app, add_day(app, date(2026, 3, 2)))
    decide(app, add_day(app, date(2026, 3, 9)))
    assert lms_book.column(COURSE_ITEM)["activityProgress"] == "Completed"
    sent = len(lms_book.received)

    with app.app_context():
        status = standing_module.status_for(enrollment_id=enrollment_of().id,
                                            person_id=person_id(), course=course())
        certificate = issuing.issue_certificate(
            person_id=person_id(), context_id=enrollment_of().context_id, course=course(),
            status=status, learner_name="Sara Jansen", language="nl", trainer_name="Carla",
            issued_by_person_id=None)
        db.session.commit()
        certificate = issuing.reissue(certificate=certificate, learner_name="Sara M. Jansen",
                                      issued_by_person_id=None)
        db.session.commit()
        issuing.revoke(certificate=certificate, reason="Issued by mistake")
        db.session.commit()
    settle(app)
    assert len(lms_book.received) == sent
    assert lms_book.column(COURSE_ITEM)["activityProgress"] == "Completed"

    with app.app_context():  # a Completed that never went out (as before this fix)
        db.session.execute(GradeDelivery.__table__.update().values(activity_progress="InProgress"))
        db.session.commit()
        issuing.issue_certificate(
            person_id=person_id(), context_id=enrollment_of().context_id, course=course(),
            status=standing_module.status_for(enrollment_id=enrollment_of().id,
                                              person_id=person_id(), course=course()),
            learner_name="Sara Jansen", language="nl", trainer_name="Carla",
            issued_by_person_id=None, after_revocation=True)
        db.session.commit()
    settle(app)
    assert len(lms_book.received) == sent + 1 and lms_book.received[-1][2] == 200
    assert lms_book.column(COURSE_ITEM)["activityProgress"] == "Completed"


def test_a_link_made_after_the_pass_gets_the_score_on_her_first_launch(app, client, lms):
    lms_book = MoodleGradebook(lms)
    module = course().published_modules[0]
    ltik = launch(client, lms)  # the course link
    submit_quiz(client, ltik, module, right_answers(module))
    settle(app)
    assert lms_book.sent_to(NEW_ITEM) == []

    # The teacher deep-links the module now; Sara opens the new activity.
    launch(client, lms, link="deep-linked", item=NEW_ITEM, module=module.slug)
    settle(app)
    [score] = lms_book.sent_to(NEW_ITEM)
    assert (score["scoreGiven"], score["activityProgress"]) == (100.0, "Completed")
    launch(client, lms, link="deep-linked", item=NEW_ITEM, module=module.slug)
    settle(app)
    assert len(lms_book.sent_to(NEW_ITEM)) == 1  # a second launch sends nothing again


def test_a_link_the_trainer_binds_gets_every_learners_score(app, client, lms):
    lms_book = MoodleGradebook(lms)
    module = course().published_modules[0]
    launch(client, lms, sub="sara")
    pass_modules(app, [module], sub="sara")
    launch(client, lms, sub="bram", name="Bram Jansen")  # nothing passed
    # A link without custom parameters; the trainer's launch gives it its column.
    launch_ltik(client, lms, sub="carla", roles=(
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",),
        resource_link_id="unbound", ags=ags(NEW_ITEM), custom={})
    settle(app)
    assert lms_book.sent_to(NEW_ITEM) == []
    with app.app_context():
        link = db.session.scalar(select(ResourceLink).where(
            ResourceLink.lms_resource_link_id == "unbound"))
        learning.bind_link(link=link, course=course(), module_slug=module.slug)
        db.session.commit()
    settle(app)
    [score] = lms_book.sent_to(NEW_ITEM)
    assert score["userId"] == "sara" and score["scoreGiven"] == 100.0  # Bram: nothing yet


def test_a_first_launch_without_progress_queues_nothing(app, client, lms):
    MoodleGradebook(lms)
    launch(client, lms)
    with app.app_context():
        assert db.session.scalars(select(GradeDelivery)).all() == []


def _frozen(monkeypatch, moment: datetime):
    monkeypatch.setattr(grades, "utc_now", lambda: moment)
    monkeypatch.setattr(grade_delivery, "utc_now", lambda: moment)


def test_two_passes_in_the_same_second_both_land(app, client, lms, monkeypatch):
    lms_book = MoodleGradebook(lms)
    launch(client, lms)
    _frozen(monkeypatch, datetime(2026, 5, 4, 10, 0, 0, 300000, tzinfo=timezone.utc))
    first, second = course().published_modules[:2]
    pass_modules(app, [first])
    pass_modules(app, [second])  # the same (frozen) second
    one, two = lms_book.sent_to(COURSE_ITEM)
    assert MoodleGradebook.seconds(two) == MoodleGradebook.seconds(one) + 1
    assert [status for _i, _s, status in lms_book.received] == [200, 200]
    assert lms_book.column(COURSE_ITEM)["scoreGiven"] == 2.0
    assert two["timestamp"] == "2026-05-04T10:00:01+00:00"  # whole seconds


def test_a_409_is_resent_once_a_second_later_never_with_the_same_stamp(
        app, client, lms, monkeypatch):
    lms_book = MoodleGradebook(lms)
    launch(client, lms)
    now = datetime(2026, 5, 4, 10, 0, 0, tzinfo=timezone.utc)
    _frozen(monkeypatch, now)
    # A teacher's edit in Moodle at this very second: our first stamp is refused.
    lms_book.kept[(COURSE_ITEM, "sara")] = {"timestamp": now.isoformat()}
    pass_modules(app, course().published_modules[:1])
    refused, resent = lms_book.sent_to(COURSE_ITEM)
    assert [s for _i, _s, s in lms_book.received] == [409, 200]
    assert MoodleGradebook.seconds(resent) == MoodleGradebook.seconds(refused) + 1
    with app.app_context():
        delivery = db.session.scalars(select(GradeDelivery)).one()
        assert delivery.status == "delivered" and "HTTP 409" in delivery.last_error
        assert delivery.last_timestamp == now + timedelta(seconds=1)


def test_a_409_twice_waits_and_the_next_try_is_later_still(app, client, lms, monkeypatch):
    lms_book = MoodleGradebook(lms)
    launch(client, lms)
    now = datetime(2026, 5, 4, 10, 0, 0, tzinfo=timezone.utc)
    _frozen(monkeypatch, now)
    lms_book.kept[(COURSE_ITEM, "sara")] = {"timestamp": (now + timedelta(seconds=5)).isoformat()}
    pass_modules(app, course().published_modules[:1])
    assert [s for _i, _s, s in lms_book.received] == [409, 409]  # once resent, no more
    with app.app_context():
        delivery = db.session.scalars(select(GradeDelivery)).one()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.next_attempt_at > now
        later = now + timedelta(minutes=5)
        _frozen(monkeypatch, later)
        assert grade_delivery.deliver_due(now=later).delivered == 1
    stamps = [MoodleGradebook.seconds(s) for s in lms_book.sent_to(COURSE_ITEM)]
    assert stamps == sorted(set(stamps))  # every stamp later than the one before


def test_a_newer_standing_queued_mid_send_is_sent_next_by_the_same_runner_only(
        app, client, lms):
    """Exactly once under two runners, and never an older score after a newer one."""
    lms_book = MoodleGradebook(lms)
    launch(client, lms)
    first, second = course().published_modules[:2]
    with app.app_context():
        enrollment_id = enrollment_of().id
        learning.record_result(enrollment_id=enrollment_id, course=course(), module=first,
                               percent=100, passed=True)
        db.session.info.pop(grades.QUEUED_KEY, None)  # this test runs the runners itself
        db.session.commit()
    runner_b = {}

    def while_runner_a_sends():
        # The learner passes another module, and runner B starts, mid-send.
        def other_worker():
            with app.app_context():
                learning.record_result(enrollment_id=enrollment_id, course=course(),
                                       module=second, percent=100, passed=True)
                db.session.info.pop(grades.QUEUED_KEY, None)
                db.session.commit()
                runner_b["delivered"] = grade_delivery.deliver_due(
                    now=utc_now() + timedelta(seconds=1)).delivered
                db.session.remove()

        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join(10)

    lms_book.before_answer = while_runner_a_sends
    with app.app_context():
        assert grade_delivery.deliver_due(now=utc_now() + timedelta(seconds=1)).delivered == 1
        delivery = db.session.scalars(select(GradeDelivery)).one()
        assert delivery.status == "delivered" and delivery.delivered_score == 2.0
    assert runner_b == {"delivered": 0}  # B found the column claimed
    one, two = lms_book.sent_to(COURSE_ITEM)
    assert (one["scoreGiven"], two["scoreGiven"]) == (1.0, 2.0)
    assert MoodleGradebook.seconds(two) > MoodleGradebook.seconds(one)
    assert lms_book.column(COURSE_ITEM)["scoreGiven"] == 2.0
