"""LTI Advantage service calls (AGS, NRPS) for a platform, outside any launch.

pylti1p3's ServiceConnector sends requests without a timeout: a hanging LMS
would hang our worker. The session here gives every call one.
"""

from __future__ import annotations

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.service_connector import REQUESTS_USER_AGENT, ServiceConnector

from ..platforms.models import Platform
from .tool_config import ToolRegistration

SERVICE_TIMEOUT = (3.05, 10)  # connect, read (seconds)


class TimeoutSession(requests.Session):
    def __init__(self, timeout=SERVICE_TIMEOUT) -> None:
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = REQUESTS_USER_AGENT

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def service_connector(platform: Platform) -> ServiceConnector:
    """A connector that fetches (and, per instance, reuses) OAuth2 access tokens."""
    return ServiceConnector(ToolRegistration(platform), TimeoutSession())


def grades_service(
    connector: ServiceConnector, *, scopes: list[str], lineitem_url: str
) -> AssignmentsGradesService:
    return AssignmentsGradesService(connector, {"scope": scopes, "lineitem": lineitem_url})
