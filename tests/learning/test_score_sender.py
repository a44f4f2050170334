"""One access token serves many delivery runs; a token the LMS stops taking is
replaced at once and the score still arrives, once."""

from __future__ import annotations

import json

import responses
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.learning import grade_delivery
from lti_app.learning.models import GradeDelivery
from tests.learning import helpers
from tests.learning.helpers import first_module, launch_ltik, right_answers

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
LINEITEM = "https://moodle.example.edu/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3"
SCORES = "https://moodle.example.edu/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"


class Gradebook:
    """Tokens tok-1, tok-2, ... on request; scores taken only with a valid token."""

    def __init__(self, lms, *, tokens_work: bool = True) -> None:
        self.tokens_work = tokens_work  # False: every token is refused by the scores
        self.issued: list[str] = []
        self.valid: set[str] = set()
        self.accepted: list[str] = []  # the userId of each accepted score
        self.refused = 0
        lms.mock.add_callback(responses.POST, lms.platform.token_url, callback=self.token)
        lms.mock.add_callback(responses.POST, SCORES, callback=self.score)

    def token(self, _request):
        token = f"tok-{len(self.issued) + 1}"
        self.issued.append(token)
        if self.tokens_work:
            self.valid.add(token)
        return 200, {}, json.dumps({"access_token": token, "token_type": "Bearer",
                                    "expires_in": 3600})

    def score(self, request):
        if request.headers["Authorization"].removeprefix("Bearer ") not in self.valid:
            self.refused += 1
            return 401, {}, "{}"
        self.accepted.append(json.loads(request.body)["userId"])
        return 200, {}, "{}"


def _passes(client, lms, sub: str) -> None:
    module = first_module()
    ltik = launch_ltik(client, lms, sub=sub,
                       ags={"scope": SCOPES, "lineitem": LINEITEM},
                       custom={"course": "library-basics", "module": module.slug})
    response, _ = helpers.submit_quiz(client, ltik, module, right_answers(module))
    assert response.status_code == 302


def test_runs_share_a_token_and_a_refused_one_is_replaced_once(app, client, lms, monkeypatch):
    # The runs are made here, one after another, as one RQ worker makes them.
    monkeypatch.setattr(grade_delivery, "schedule_delivery", lambda app=None: None)
    book = Gradebook(lms)

    def run() -> grade_delivery.DeliveryReport:  # this thread's sender, as in an RQ worker
        with app.app_context():
            return grade_delivery.deliver_due()

    _passes(client, lms, "ann")
    assert run().delivered == 1
    _passes(client, lms, "bob")
    assert run().delivered == 1
    assert book.issued == ["tok-1"]  # the second run asked for no new token

    book.valid.clear()  # the LMS no longer takes tok-1 (revoked, or expired early)
    _passes(client, lms, "cas")
    report = run()
    assert (report.delivered, report.failed) == (1, 0)  # not left to a retry later
    assert book.issued == ["tok-1", "tok-2"] and book.refused == 1
    assert book.accepted == ["ann", "bob", "cas"]  # each score once
    with app.app_context():
        statuses = db.session.scalars(select(GradeDelivery.status)).all()
    assert statuses == ["delivered"] * 3


def test_a_token_refused_right_after_it_was_issued_is_not_asked_for_again(
        app, client, lms, monkeypatch):
    monkeypatch.setattr(grade_delivery, "schedule_delivery", lambda app=None: None)
    book = Gradebook(lms, tokens_work=False)
    _passes(client, lms, "ann")
    with app.app_context():
        report = grade_delivery.deliver_due(sender=grade_delivery.ags.ScoreSender())
        delivery = db.session.scalars(select(GradeDelivery)).one()
    assert (report.delivered, report.failed) == (0, 1)
    assert book.refused == 1 and book.issued == ["tok-1"]  # a fresh token: no second try
    assert delivery.status == "pending" and delivery.last_error == "HTTP 401"
