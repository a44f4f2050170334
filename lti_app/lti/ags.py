"""LTI Assignment and Grade Services: one score to one line item, outside a launch.

Plain values in (`Score`) and out (`ScoreResult`); pylti1p3 builds the score,
fetches the platform's access token and sends it, with the timeouts of
services.py. The outbox that queues and retries scores is learning/grades.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from ..platforms.models import Platform
from .services import grades_service, service_connector

CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"


@dataclass(frozen=True)
class Score:
    user_id: str  # the person's `sub`
    score_given: float
    score_maximum: float
    activity_progress: str  # "Completed", "InProgress", ...
    grading_progress: str  # "FullyGraded", ...
    timestamp: datetime  # AGS needs it to rise with every new score
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class ScoreResult:
    outcome: Literal["accepted", "refused", "failed"]
    status: int | None = None  # refused: the LMS's HTTP status
    reason: str | None = None  # failed: what went wrong, without secrets

    @property
    def is_accepted(self) -> bool:
        return self.outcome == "accepted"

    def describe(self) -> str:
        if self.outcome == "refused":
            return f"HTTP {self.status}"
        return self.reason or self.outcome


class ScoreSender:
    """Sends scores; reuses one access token per platform for its lifetime."""

    def __init__(self) -> None:
        self._connectors: dict[int, ServiceConnector] = {}

    def send(
        self, *, platform: Platform, scopes: list[str], lineitem_url: str, score: Score
    ) -> ScoreResult:
        connector = self._connectors.setdefault(platform.id, service_connector(platform))
        try:
            grades_service(connector, scopes=scopes, lineitem_url=lineitem_url).put_grade(
                _grade(score)
            )
        except (LtiServiceException, LtiException, RequestException) as exc:
            response = getattr(exc, "response", None)
            if response is not None:
                return ScoreResult("refused", status=response.status_code)
            return ScoreResult("failed", reason=type(exc).__name__)
        return ScoreResult("accepted")


def _grade(score: Score) -> Grade:
    grade = (
        Grade()
        .set_score_given(score.score_given)
        .set_score_maximum(score.score_maximum)
        .set_activity_progress(score.activity_progress)
        .set_grading_progress(score.grading_progress)
        .set_timestamp(score.timestamp.isoformat())
        .set_user_id(score.user_id)
    )
    if score.submitted_at:
        submitted = score.submitted_at.isoformat()
        # Without the completion time, Canvas marks work after a due date late
        # (canvas-lms#1799).
        grade.set_extra_claims({
            "submission": {"submittedAt": submitted},
            CANVAS_SUBMISSION: {"submitted_at": submitted},
        })
    return grade
