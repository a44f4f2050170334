"""The course roster (NRPS 2.0): members, roles, paging with Link rel="next"."""

from __future__ import annotations

from tests.demo_lms.conftest import CONTEXT, bearer

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
URL = f"/dev/nrps/{CONTEXT}/memberships"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def _next(response) -> str | None:
    link = response.headers.get("Link")
    return link.split(">")[0].lstrip("<").removeprefix("http://localhost") if link else None


def test_roster_is_paged_by_ten_and_the_tool_can_follow_next(client, tool):
    token = tool.access_token(client, scope=NRPS)
    url, members = URL, []
    while url:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200
        assert response.mimetype == "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        body = response.get_json()
        assert body["context"]["id"] == CONTEXT
        members += body["members"]
        url = _next(response)
    assert len(members) == 24 and len({m["user_id"] for m in members}) == 24
    anna = members[0]
    assert anna == {"status": "Active", "user_id": "demo-anna", "name": "Anna de Vries",
                    "given_name": "Anna", "family_name": "de Vries",
                    "email": "anna.devries@example.org", "roles": [MEMBERSHIP + "Learner"]}


def test_limit_and_role_filter(client, tool):
    token = tool.access_token(client, scope=NRPS)
    everyone = client.get(URL, query_string={"limit": 50}, headers=bearer(token))
    assert len(everyone.get_json()["members"]) == 24 and "Link" not in everyone.headers
    page = client.get(URL, query_string={"limit": 5}, headers=bearer(token))
    assert len(page.get_json()["members"]) == 5 and "limit=5" in page.headers["Link"]
    for role in ("Instructor", MEMBERSHIP + "Instructor"):
        trainers = client.get(URL, query_string={"role": role}, headers=bearer(token)).get_json()
        assert [m["user_id"] for m in trainers["members"]] == ["demo-carla", "demo-dirk"]


def test_roster_needs_the_membership_scope(client, tool):
    assert client.get(URL).status_code == 401
    token = tool.access_token(client, scope="https://purl.imsglobal.org/spec/lti-ags/scope/score")
    assert client.get(URL, headers=bearer(token)).status_code == 403
    token = tool.access_token(client, scope=NRPS)
    assert client.get("/dev/nrps/other/memberships", headers=bearer(token)).status_code == 404
