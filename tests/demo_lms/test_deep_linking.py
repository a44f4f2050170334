"""/dev/deep_link_return: the tool's LtiDeepLinkingResponse adds links (and their columns)."""

from __future__ import annotations

import base64
import json
import time
import uuid

from sqlalchemy import select

from lti_app.demo_lms.models import DemoLineItem, DemoLink
from lti_app.extensions import db
from tests.demo_lms.conftest import CLIENT_ID, ISSUER, launch_id_token
from tests.fake_lms import platform_key

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
ITEM = {
    "type": "ltiResourceLink", "title": "Open science <quiz>",
    "url": "http://localhost/lti/launch",
    "custom": {"course": "library-basics", "module": "open-science"},
    "lineItem": {"scoreMaximum": 6, "label": "Open science quiz", "resourceId": "open-science",
                 "tag": "quiz"},
}


def _request(client, person: str = "carla") -> dict:
    claims, _form = launch_id_token(client, {"person": person, "type": "LtiDeepLinkingRequest"})
    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    return claims[DL + "deep_linking_settings"]


def _response_claims(settings: dict, items: list[dict], **overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID, "aud": [ISSUER], "iat": now, "exp": now + 300,
        "nonce": uuid.uuid4().hex, LTI + "deployment_id": "demo-deployment-1",
        LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0",
        DL + "content_items": items, DL + "data": settings["data"],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _links(app) -> list[DemoLink]:
    with app.app_context():
        return list(db.session.scalars(select(DemoLink).order_by(DemoLink.id)))


def test_request_settings(client, course):
    settings = _request(client)
    assert settings["deep_link_return_url"] == "http://localhost/dev/deep_link_return"
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert settings["accept_lineitem"] is True and len(settings["data"]) >= 20


def test_valid_response_adds_links_with_their_columns(app, client, course, tool):
    settings = _request(client)
    plain = {"type": "ltiResourceLink", "title": "Licence clauses"}
    token = tool.sign(_response_claims(settings, [ITEM, plain, {"type": "link", "url": "x"}]))
    response = client.post("/dev/deep_link_return", data={"JWT": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Added: Open science &lt;quiz&gt;, Licence clauses" in page
    assert 'target="_top"' in page and "1 item(s) of a type other" in page

    new, second = _links(app)[2:]
    assert json.loads(new.custom_json) == ITEM["custom"] and new.url == ITEM["url"]
    with app.app_context():
        [column] = db.session.scalars(select(DemoLineItem).where(DemoLineItem.link_id == new.id))
        assert (column.label, column.score_maximum, column.resource_id, column.tag) == (
            "Open science quiz", 6.0, "open-science", "quiz")
        assert db.session.scalars(
            select(DemoLineItem).where(DemoLineItem.link_id == second.id)).all() == []

    assert "Open science &lt;quiz&gt;" in client.get("/dev/").get_data(as_text=True)
    claims, _form = launch_id_token(client, {"person": "anna", "link": new.key})
    assert claims[LTI + "custom"] == ITEM["custom"]
    assert claims[LTI + "target_link_uri"] == ITEM["url"]
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitem"].endswith(f"/lineitems/{column.id}")


def test_tampered_response_is_refused_and_adds_nothing(app, client, course, tool):
    settings = _request(client)
    header, payload, signature = tool.sign(_response_claims(settings, [ITEM])).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims[DL + "content_items"][0]["title"] = "Something else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    response = client.post("/dev/deep_link_return", data={"JWT": f"{header}.{forged}.{signature}"})
    assert response.status_code == 400 and "refused" in response.get_data(as_text=True)
    assert len(_links(app)) == 2


def test_refusals(app, client, course, tool):
    settings = _request(client)
    other_pem, _ = platform_key(3)
    bad = [
        tool.sign(_response_claims(settings, [ITEM]), key_pem=other_pem),
        tool.sign(_response_claims(settings, [ITEM], aud=["https://moodle.example.edu"])),
        tool.sign(_response_claims(settings, [ITEM], iss="someone-else")),
        tool.sign(_response_claims(settings, [ITEM], nonce=None)),
        tool.sign(_response_claims(settings, [ITEM], exp=int(time.time()) - 300)),
        tool.sign(_response_claims(settings, [ITEM], **{LTI + "deployment_id": "other"})),
        tool.sign(_response_claims(settings, [ITEM], **{LTI + "version": "1.1"})),
        tool.sign(_response_claims(settings, [ITEM], **{
            LTI + "message_type": "LtiResourceLinkRequest"})),
        tool.sign(_response_claims(settings, [ITEM], **{DL + "data": "made-up"})),
        tool.sign(_response_claims(settings, [ITEM], **{DL + "data": None})),
        tool.sign(_response_claims(settings, [{**ITEM, "custom": {"n": 1}}])),
        tool.sign(_response_claims(settings, [{**ITEM, "lineItem": {"label": "no maximum"}}])),
        "not-a-jwt",
        "",
    ]
    for token in bad:
        response = client.post("/dev/deep_link_return", data={"JWT": token})
        assert response.status_code == 400, token
    assert len(_links(app)) == 2


def test_a_response_is_accepted_once(app, client, course, tool):
    settings = _request(client)
    token = tool.sign(_response_claims(settings, [ITEM]))
    assert client.post("/dev/deep_link_return", data={"JWT": token}).status_code == 200
    assert client.post("/dev/deep_link_return", data={"JWT": token}).status_code == 400
    again = tool.sign(_response_claims(settings, [ITEM]))  # new nonce, used-up data
    assert client.post("/dev/deep_link_return", data={"JWT": again}).status_code == 400
    assert len(_links(app)) == 3


def test_empty_response_adds_nothing_and_shows_the_tools_message(app, client, course, tool):
    settings = _request(client, person="dirk")
    token = tool.sign(_response_claims(settings, [], **{DL + "msg": "Nothing chosen"}))
    page = client.post("/dev/deep_link_return", data={"JWT": token}).get_data(as_text=True)
    assert "Nothing was added" in page and "Nothing chosen" in page
    assert len(_links(app)) == 2
