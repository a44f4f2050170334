"""Scores to a line item (AGS 2.0): Bearer token and scope, ordering by timestamp, the outage."""

from __future__ import annotations

import json

import pytest

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.demo_lms.models import DemoResult, DemoScore
from tests.demo_lms.conftest import CONTEXT, bearer, csrf_token

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def _score(**overrides) -> dict:
    body = {"userId": "demo-anna", "scoreGiven": 8, "scoreMaximum": 10,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
            "timestamp": "2026-11-24T10:00:00.250+01:00", "comment": "Well done <3",
            "submission": {"submittedAt": "2026-11-24T09:59:00+01:00"}}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def post(client, course):
    """POST a score to the Library Basics link's column."""

    def post(token: str | None, body: dict, content_type: str = SCORE_TYPE):
        headers = bearer(token) if token else {}
        return client.post(f"{course['library-basics']}/scores", headers=headers,
                           data=json.dumps(body), content_type=content_type)

    return post


def _rows(app, model):
    with app.app_context():
        return list(db.session.scalars(select(model).order_by(model.id)))


def test_no_token_is_401_with_a_bearer_challenge(client, course, post):
    response = post(None, _score())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert post("made-up", _score()).status_code == 401


def test_token_without_the_score_scope_is_403(client, course, tool, post):
    token = tool.access_token(client, scope=READONLY)
    response = post(token, _score())
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_good_score_is_200_and_shows_in_the_gradebook(app, client, course, tool, post):
    token = tool.access_token(client, scope=SCORE)
    response = post(token, _score())
    assert response.status_code == 200, response.get_data(as_text=True)
    [result] = _rows(app, DemoResult)
    assert (result.user_id, result.result_score) == ("demo-anna", 80.0)
    assert result.result_maximum == 100.0
    assert result.timestamp.isoformat() == "2026-11-24T09:00:00.250000+00:00"

    page = client.get("/dev/gradebook").get_data(as_text=True)
    assert "Anna de Vries" in page and "80.00 / 100" in page and "8 / 10" in page
    assert "Well done &lt;3" in page and "Well done <3" not in page  # escaped
    assert "Completed" in page and "FullyGraded" in page


def test_a_timestamp_not_later_in_whole_seconds_is_409_as_in_moodle(
        app, client, course, tool, post):
    token = tool.access_token(client, scope=SCORE)
    assert post(token, _score()).status_code == 200  # 09:00:00.250
    older = post(token, _score(scoreGiven=2, timestamp="2026-11-24T09:00:00.249Z"))
    assert older.status_code == 409
    [result] = _rows(app, DemoResult)
    assert result.result_score == 80.0
    # Later by a few milliseconds, but the same second: Moodle refuses it too.
    same_second = post(token, _score(scoreGiven=9, timestamp="2026-11-24T09:00:00.900Z"))
    assert same_second.status_code == 409
    assert _rows(app, DemoResult)[0].result_score == 80.0
    newer = post(token, _score(scoreGiven=10, timestamp="2026-11-24T09:00:01Z"))
    assert newer.status_code == 200
    assert _rows(app, DemoResult)[0].result_score == 100.0
    log = _rows(app, DemoScore)
    assert [s.is_accepted for s in log] == [True, False, False, True]
    page = client.get("/dev/gradebook").get_data(as_text=True)
    assert "refused (409" in page


def test_score_without_score_given_clears_the_grade(app, client, course, tool, post):
    token = tool.access_token(client, scope=SCORE)
    post(token, _score())
    cleared = _score(scoreGiven=None, scoreMaximum=None, activityProgress="Started",
                     gradingProgress="NotReady", timestamp="2026-11-24T11:00:00Z")
    assert post(token, cleared).status_code == 200
    [result] = _rows(app, DemoResult)
    assert result.result_score is None and result.activity_progress == "Started"


def test_malformed_scores_are_refused(app, client, course, tool, post):
    token = tool.access_token(client, scope=SCORE)
    assert post(token, _score(), content_type="application/json").status_code == 415
    for bad in (_score(userId=None), _score(activityProgress="Done"),
                _score(gradingProgress=None), _score(scoreMaximum=None),
                _score(scoreGiven=-1), _score(scoreGiven=True), _score(timestamp="yesterday"),
                _score(timestamp="2026-11-24T10:00:00")):  # no time zone
        assert post(token, bad).status_code == 400, bad
    assert post(token, _score(userId="not-in-course")).status_code == 422
    missing = client.post(f"/dev/ags/{CONTEXT}/lineitems/999999999/scores", headers=bearer(token),
                          data=json.dumps(_score()), content_type=SCORE_TYPE)
    assert missing.status_code == 404
    assert _rows(app, DemoScore) == []


def test_outage_switch_answers_503_until_switched_back(app, client, course, tool, post):
    token = tool.access_token(client, scope=SCORE)
    page = client.get("/dev/gradebook", base_url="https://localhost").get_data(as_text=True)
    toggle = client.post("/dev/gradebook/outage", base_url="https://localhost",
                         data={"down": "1", "csrf_token": csrf_token(page)})
    assert toggle.status_code == 303

    down = post(token, _score())
    assert down.status_code == 503 and down.headers["Retry-After"]
    assert _rows(app, DemoScore) == []  # an LMS that is down received nothing
    assert "Grade service: off" in client.get("/dev/gradebook").get_data(as_text=True)

    client.post("/dev/gradebook/outage", base_url="https://localhost",
                data={"down": "0", "csrf_token": csrf_token(page)})
    assert post(token, _score()).status_code == 200


def test_outage_switch_needs_the_csrf_token(client, course):
    assert client.post("/dev/gradebook/outage", data={"down": "1"}).status_code == 400
