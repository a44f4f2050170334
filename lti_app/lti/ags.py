"""LTI Assignment and Grade Services: one score to one line item, outside a launch.

Plain values in (`Score`) and out (`ScoreResult`); pylti1p3 builds the score,
fetches the platform's access token and sends it, with the timeouts of
services.py. The outbox that queues scores is learning/grades.py;
learning/grade_delivery.py sends and retries them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Literal

from flask import current_app

from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from ..platforms.models import Platform
from . import keys
from .services import grades_service, service_session
from .tool_config import ToolRegistration

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


TOKEN_REUSE = 300  # seconds one access token (and its HTTP session) serves; LMSs grant ~3600
SENDERS_KEY = "ags_senders"  # app.extensions: this app's senders, one per thread


class ScoreSender:
    """Sends scores; one access token and one HTTP session (kept-alive
    connections) per platform, for at most TOKEN_REUSE seconds. A score refused
    with 401 on a token fetched before is sent once more with a new token."""

    def __init__(self, reuse: float = TOKEN_REUSE) -> None:
        self.reuse = reuse
        self._connectors: dict[tuple, tuple[float, ServiceConnector]] = {}

    def to(self, platform: Platform) -> Callable[..., ScoreResult]:
        """`send` for this platform, ready while `platform` is loaded: after a
        commit expired it, reading it again would cost a SELECT per score."""
        key = (platform.id, platform.issuer, platform.client_id, platform.auth_token_url,
               platform.auth_audience)
        now = time.monotonic()
        made, connector = self._connectors.get(key, (0.0, None))
        if connector is None or now - made >= self.reuse:
            connector = ServiceConnector(_OneKeyRegistration(platform), service_session(platform))
            self._connectors[key] = (now, connector)

        def send(*, scopes: list[str], lineitem_url: str, score: Score) -> ScoreResult:
            return self._send(connector, scopes, lineitem_url, score)

        return send

    def send(
        self, *, platform: Platform, scopes: list[str], lineitem_url: str, score: Score
    ) -> ScoreResult:
        return self.to(platform)(scopes=scopes, lineitem_url=lineitem_url, score=score)

    @staticmethod
    def _send(connector: ServiceConnector, scopes: list[str], lineitem_url: str,
              score: Score) -> ScoreResult:
        reused_token = bool(connector._access_tokens)  # noqa: SLF001 - pylti1p3's token cache
        result = _put(connector, scopes, lineitem_url, score)
        if result.status == 401 and reused_token:
            # The LMS no longer takes the token (revoked, or a shorter lifetime
            # than TOKEN_REUSE): nothing was stored, so the same score again.
            connector._access_tokens.clear()  # noqa: SLF001
            result = _put(connector, scopes, lineitem_url, score)
        return result


def score_sender() -> ScoreSender:
    """This thread's sender in the current app: an RQ worker's one thread keeps
    its token and connections from job to job, each delivery thread its own
    (a requests session is not shared between threads)."""
    senders = current_app.extensions.setdefault(SENDERS_KEY, threading.local())
    sender = getattr(senders, "sender", None)
    if sender is None:
        sender = senders.sender = ScoreSender()
    return sender


class _OneKeyRegistration(ToolRegistration):
    """The signing key read once per registration (pylti1p3 asks for the key id
    and the key apart: two SELECTs per token otherwise), as plain values."""

    @cached_property
    def _signing(self) -> tuple[str, object]:
        key = keys.active_key()
        return key.kid, keys.private_key(key)

    def get_tool_private_key(self):
        return self._signing[1]

    def get_kid(self) -> str:
        return self._signing[0]


def _put(connector: ServiceConnector, scopes: list[str], lineitem_url: str,
         score: Score) -> ScoreResult:
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
