"""LTI Advantage service calls (AGS, NRPS) for a platform, outside any launch.

pylti1p3's ServiceConnector sends requests without a timeout: a hanging LMS
would hang our worker. Its session here is lti/http.py's BoundedSession: every
call (the access token, a score) has one deadline for the whole call
(FLASK_OUTBOUND_TIMEOUT) and a byte cap (16 KB for the token's answer).
"""

from __future__ import annotations

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.service_connector import ServiceConnector

from ..platforms.models import Platform
from .http import BoundedSession
from .tool_config import ToolRegistration


def service_session(platform: Platform, purpose: str = "service") -> BoundedSession:
    return BoundedSession(purpose, purposes={platform.auth_token_url: "token"})


def service_connector(platform: Platform) -> ServiceConnector:
    """A connector that fetches (and, per instance, reuses) OAuth2 access tokens."""
    return ServiceConnector(ToolRegistration(platform), service_session(platform))


def grades_service(
    connector: ServiceConnector, *, scopes: list[str], lineitem_url: str
) -> AssignmentsGradesService:
    return AssignmentsGradesService(connector, {"scope": scopes, "lineitem": lineitem_url})
