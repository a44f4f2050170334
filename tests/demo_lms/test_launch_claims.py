"""Every demo launch carries the AGS and NRPS claims; links come from the demo_links table."""

from __future__ import annotations

import jwt

from lti_app.demo_lms.models import DemoLink
from lti_app.demo_lms.platform import AGS_SCOPES
from lti_app.extensions import db
from tests.demo_lms.conftest import CONTEXT, launch_id_token

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def test_resource_link_launch_has_ags_and_nrps_claims_and_the_tool_accepts_it(client, course):
    claims, form = launch_id_token(client, {"person": "anna", "link": "library-basics"})
    assert claims[AGS_CLAIM] == {
        "scope": list(AGS_SCOPES),
        "lineitems": f"http://localhost/dev/ags/{CONTEXT}/lineitems",
        "lineitem": "http://localhost" + course["library-basics"],
    }
    assert AGS_SCOPES[0] == "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    assert claims[NRPS_CLAIM]["context_memberships_url"] == (
        f"http://localhost/dev/nrps/{CONTEXT}/memberships")
    assert claims[NRPS_CLAIM]["service_versions"] == ["2.0"]
    assert claims[LTI + "resource_link"]["id"] == "demo-link-library-basics"
    assert claims[LTI + "custom"] == {"course": "library-basics"}
    assert claims["sub"] == "demo-anna"

    jwks = client.get("/dev/jwks").get_json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    jwt.decode(form["id_token"], key, algorithms=["RS256"], audience="kennisdeling-demo")
    assert client.post("/lti/launch", data=form).status_code == 303


def test_seeding_is_idempotent(app, client):
    for _ in range(3):
        assert client.get("/dev/").status_code == 200
    with app.app_context():
        assert sorted(db.session.scalars(db.select(DemoLink.key))) == [
            "library-basics", "licence-negotiation"]


def test_a_link_without_a_column_gets_one_at_launch(app, client, course):
    from lti_app.demo_lms import links

    with app.app_context():
        links.add_link(title="Ungraded", custom={"course": "licence-negotiation"}, key="plain")
        db.session.commit()
    claims, _form = launch_id_token(client, {"person": "bram", "link": "plain"})
    lineitem = claims[AGS_CLAIM]["lineitem"]
    assert lineitem.startswith(f"http://localhost/dev/ags/{CONTEXT}/lineitems/")
    assert lineitem not in ["http://localhost" + path for path in course.values()]


def test_index_lists_links_and_deep_linking_only_for_trainer_and_admin(client):
    page = client.get("/dev/").get_data(as_text=True)
    assert page.count("Launch as Anna de Vries") == 2
    assert "Add content as Carla Visser" in page and "Add content as Dirk Bakker" in page
    assert "Add content as Anna de Vries" not in page
    assert 'href="/dev/gradebook"' in page
    learner = client.get("/dev/start", query_string={"person": "anna",
                                                     "type": "LtiDeepLinkingRequest"})
    assert learner.status_code == 404
    unknown = client.get("/dev/start", query_string={"person": "anna", "link": "nope"})
    assert unknown.status_code == 404
