"""AGS 2.0 scores and results, platform side, plus the simulated outage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..lti.store import get_store
from ..timeutil import utc_now
from . import demo_data, launches
from .ags import AgsError, InvalidBody, UnprocessableScore, parse_datetime
from .models import DemoLineItem, DemoResult, DemoScore

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULTS_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
OUTAGE_KEY = "demo-ags-down"
# A forgotten outage switch heals itself: a newcomer should not find grades
# refused a week later without knowing why.
OUTAGE_LIFETIME = 24 * 3600
RETRY_AFTER = 30  # seconds, sent with the outage's 503


class ServiceDown(AgsError):
    status = 503


def record_score(item: DemoLineItem, body: Any) -> DemoScore:
    """Log a score and apply it if its timestamp is later, in whole seconds, than
    the one kept for that user and line item.

    Returns the log entry; `is_accepted` False means the caller answers 409, as
    Moodle does (mod/lti/service/gradebookservices/.../scores.php refuses a
    timestamp that is not later than the grade's timemodified, in seconds).
    """
    if is_ags_down():
        raise ServiceDown("the demo LMS's grade service is switched off (see /dev/gradebook)")
    score = _parse_score(item, body)
    result = db.session.scalar(
        select(DemoResult)
        .where(DemoResult.line_item_id == item.id, DemoResult.user_id == score.user_id)
        .with_for_update()
    )
    score.is_accepted = result is None or _whole_seconds(score.timestamp) > _whole_seconds(
        result.timestamp)
    db.session.add(score)
    if score.is_accepted:
        if result is None:
            result = DemoResult(line_item=item, user_id=score.user_id)
            db.session.add(result)
        _apply(result, score, item)
    db.session.flush()
    return score


def list_results(item: DemoLineItem, *, user_id: str | None = None) -> list[DemoResult]:
    query = select(DemoResult).where(DemoResult.line_item_id == item.id)
    if user_id is not None:
        query = query.where(DemoResult.user_id == user_id)
    return list(db.session.scalars(query.order_by(DemoResult.id)))


def result_json(result: DemoResult, item: DemoLineItem) -> dict[str, Any]:
    lineitem = launches.lineitem_url(item.context_id, item.id)
    body: dict[str, Any] = {
        "id": f"{lineitem}/results/{result.user_id}",
        "scoreOf": lineitem,
        "userId": result.user_id,
        "resultMaximum": result.result_maximum,
    }
    if result.result_score is not None:
        body["resultScore"] = result.result_score
    if result.comment is not None:
        body["comment"] = result.comment
    return body


def is_ags_down() -> bool:
    return bool(get_store().get(OUTAGE_KEY))


def set_ags_down(is_down: bool) -> None:
    if is_down:
        get_store().put(OUTAGE_KEY, True, OUTAGE_LIFETIME)
    else:
        get_store().delete(OUTAGE_KEY)


def _whole_seconds(moment) -> int:
    return int(moment.timestamp())  # Moodle keeps the Unix time, in seconds


def _apply(result: DemoResult, score: DemoScore, item: DemoLineItem) -> None:
    # A score without scoreGiven clears the grade (AGS: the result has no score).
    # The gradebook shows it on the column's own scale, as Moodle and Canvas do.
    if score.score_given is None or not score.score_maximum:
        result.result_score = None
    else:
        result.result_score = score.score_given / score.score_maximum * item.score_maximum
    result.result_maximum = item.score_maximum
    result.activity_progress = score.activity_progress
    result.grading_progress = score.grading_progress
    result.comment = score.comment
    result.timestamp = score.timestamp
    result.updated_at = utc_now()


def _parse_score(item: DemoLineItem, body: Any) -> DemoScore:
    if not isinstance(body, dict):
        raise InvalidBody("the body must be a JSON object")
    user_id = body.get("userId")
    if not isinstance(user_id, str) or not user_id:
        raise InvalidBody("userId is required")
    if demo_data.member_by_user_id(user_id) is None:
        raise UnprocessableScore("userId is not a member of this course")
    activity = body.get("activityProgress")
    grading = body.get("gradingProgress")
    if activity not in ACTIVITY_PROGRESS:
        raise InvalidBody("activityProgress must be one of " + ", ".join(ACTIVITY_PROGRESS))
    if grading not in GRADING_PROGRESS:
        raise InvalidBody("gradingProgress must be one of " + ", ".join(GRADING_PROGRESS))
    given = _score_number(body.get("scoreGiven"), "scoreGiven", minimum=0)
    maximum = _score_number(body.get("scoreMaximum"), "scoreMaximum", minimum=None)
    if given is not None and maximum is None:
        raise InvalidBody("scoreMaximum is required with scoreGiven")
    submission = body.get("submission")
    if submission is not None and not isinstance(submission, dict):
        raise InvalidBody("submission must be an object")
    submitted = (submission or {}).get("submittedAt")
    return DemoScore(
        line_item=item, user_id=user_id, score_given=given, score_maximum=maximum,
        activity_progress=activity, grading_progress=grading,
        comment=_comment(body), timestamp=parse_datetime(body.get("timestamp"), "timestamp"),
        submitted_at=None if submitted is None else parse_datetime(submitted, "submittedAt"),
        received_at=utc_now(),
    )


def _score_number(value: Any, name: str, *, minimum: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidBody(f"{name} must be a number")
    if (minimum is not None and value < minimum) or (minimum is None and value <= 0):
        bound = "at least 0" if minimum is not None else "above 0"
        raise InvalidBody(f"{name} must be {bound}")
    return float(value)


def _comment(body: dict) -> str | None:
    value = body.get("comment")
    if value is not None and not isinstance(value, str):
        raise InvalidBody("comment must be a string")
    return value or None
