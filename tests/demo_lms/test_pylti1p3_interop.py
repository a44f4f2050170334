"""A stock pylti1p3 tool (not our tool code) gets grades, rosters and deep links through.

pylti1p3's HTTP calls are routed into the Flask test client, so the demo LMS
answers them exactly as it answers a tool over the network.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import responses
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector

from lti_app.extensions import db
from tests.demo_lms.conftest import CLIENT_ID, ISSUER, TOKEN_URL, launch_id_token

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


class ToolRegistration(Registration):
    """pylti1p3 derives the kid from a public key PEM; ours is the stored thumbprint."""

    def __init__(self, kid: str) -> None:
        super().__init__()
        self._kid = kid

    def get_kid(self) -> str:
        return self._kid


@pytest.fixture
def registration(app):
    from lti_app.lti import keys

    with app.app_context():
        key = keys.active_key()
        pem, kid = keys.private_key_pem(key), key.kid
        db.session.commit()
    return (ToolRegistration(kid).set_issuer(ISSUER).set_client_id(CLIENT_ID)
            .set_auth_token_url(TOKEN_URL).set_tool_private_key(pem))


@pytest.fixture
def network(client):
    """requests to http://localhost/dev/... answered by the app."""

    def forward(request):
        url = urlsplit(request.url)
        response = client.open(url.path, method=request.method, query_string=url.query,
                               data=request.body, headers=dict(request.headers))
        return response.status_code, dict(response.headers), response.get_data()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in (responses.GET, responses.POST, responses.PUT, responses.DELETE):
            mock.add_callback(method, re.compile(r"http://localhost/dev/.*"), callback=forward)
        yield mock


def test_grade_and_roster_through_pylti1p3(client, course, registration, network):
    claims, _form = launch_id_token(client, {"person": "bram", "link": "licence-negotiation"})
    connector = ServiceConnector(registration)
    ags = AssignmentsGradesService(connector, claims[AGS_CLAIM])
    grade = (Grade().set_score_given(7).set_score_maximum(10).set_user_id(claims["sub"])
             .set_timestamp("2026-11-24T10:00:00.000Z").set_activity_progress("Completed")
             .set_grading_progress("FullyGraded"))
    assert ags.put_grade(grade)["body"]["resultUrl"].endswith("/results/demo-bram")
    [result] = ags.get_grades()
    assert (result["userId"], result["resultScore"]) == ("demo-bram", 70.0)

    created = ags.find_or_create_lineitem(
        LineItem().set_label("Extra credit").set_score_maximum(5).set_tag("extra")
        .set_resource_id("extra-1")
    )
    assert created.get_id().startswith("http://localhost/dev/ags/")
    assert ags.find_lineitem_by_tag("extra").get_id() == created.get_id()

    members = NamesRolesProvisioningService(connector, claims[NRPS_CLAIM]).get_members()
    assert len(members) == 24  # three pages of ten, followed through Link rel="next"

    page = client.get("/dev/gradebook").get_data(as_text=True)
    assert "Bram Jansen" in page and "70.00 / 100" in page


def test_deep_linking_response_from_pylti1p3(app, client, course, registration):
    claims, _form = launch_id_token(client, {"person": "carla", "type": "LtiDeepLinkingRequest"})
    deep_link = DeepLink(registration, "demo-deployment-1", claims[DL_SETTINGS])
    resource = (DeepLinkResource().set_url("http://localhost/lti/launch").set_title("Clauses")
                .set_custom_params({"course": "licence-negotiation"})
                .set_lineitem(LineItem().set_score_maximum(7).set_label("Clauses quiz")))
    token = deep_link.get_response_jwt([resource])
    response = client.post(claims[DL_SETTINGS]["deep_link_return_url"], data={"JWT": token})
    assert response.status_code == 200 and "Added: Clauses" in response.get_data(as_text=True)
