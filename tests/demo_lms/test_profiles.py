"""The demo LMS's profiles: Moodle 4.5 and hosted Canvas, as their code sends LTI 1.3."""

from __future__ import annotations

import html as html_lib
import json
import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from sqlalchemy import select

from lti_app.demo_lms.platform import CLIENT_ASSERTION_TYPE
from lti_app.extensions import db
from lti_app.platforms.models import Deployment, Platform
from tests.demo_lms.conftest import ALL_SCOPES, autopost_fields, csrf_token

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
CANVAS_ISSUER = "http://canvas.localhost"
SSO = "http://sso.localhost"
CANVAS_CLIENT_ID = "10000000000001"


def _path(url: str) -> str:
    """The path and query of a URL (a Location header, or an unescaped href)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _decode(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _form_of(html: str, form_id: str) -> tuple[str, dict[str, str]]:
    form = re.search(rf'<form id="{form_id}"[^>]*action="([^"]+)"(.*?)</form>', html, re.S)
    assert form, html
    return html_lib.unescape(form.group(1)), autopost_fields(form.group(2))


# -- Moodle ------------------------------------------------------------------------------
def _moodle_login(client, **query) -> dict[str, str]:
    start = client.get("/dev/start", query_string={"profile": "moodle", **query})
    assert start.status_code == 200, start.get_data(as_text=True)
    return autopost_fields(start.get_data(as_text=True))


def _moodle_auth_url(client, fields: dict[str, str]) -> str:
    login = client.post("/lti/login", data=fields)
    # No lti_storage_target: the tool redirects (GET) straight to auth.php.
    assert login.status_code == 302, login.get_data(as_text=True)
    return login.location


def test_moodle_login_initiation_is_what_lti_initiate_login_posts(client):
    client.get("/dev/?profile=moodle")
    fields = _moodle_login(client, person="anna", link="library-basics")
    assert list(fields) == ["iss", "target_link_uri", "login_hint", "lti_message_hint",
                            "client_id", "lti_deployment_id"]  # no lti_storage_target
    assert fields["iss"] == "http://localhost/dev"
    assert fields["login_hint"] == "3"  # $USER->id
    assert fields["lti_deployment_id"] == "4"  # the tool type's id
    hint = json.loads(fields["lti_message_hint"])
    assert set(hint) == {"cmid", "launchid"} and isinstance(hint["cmid"], int)
    assert re.fullmatch(rf"ltilaunch{hint['cmid']}_\d+", hint["launchid"])


def test_the_tool_sends_moodle_a_get_redirect_with_prompt_none_and_form_post(client):
    client.get("/dev/?profile=moodle")
    location = _moodle_auth_url(client, _moodle_login(client, person="anna",
                                                      link="library-basics"))
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert urlsplit(location).path == "/dev/auth"
    assert (query["prompt"], query["response_mode"], query["login_hint"]) == (
        "none", "form_post", "3")


def test_moodle_accepts_a_message_hint_once(app, client):
    client.get("/dev/?profile=moodle")
    location = _moodle_auth_url(client, _moodle_login(client, person="anna",
                                                      link="library-basics"))
    first = client.get(_path(location))
    assert first.status_code == 200
    form = autopost_fields(first.get_data(as_text=True))
    assert set(form) == {"id_token", "state"}
    again = client.get(_path(location))  # the tool's fallback re-opens the same login
    assert again.status_code == 404
    page = again.get_data(as_text=True)
    assert '<p class="errormessage">Invalid request</p>' in page and "id_token" not in page
    # The first one still launches, with Moodle's deployment id, which the demo
    # registered as Moodle's dynamic registration would.
    assert client.post("/lti/launch", data=form).status_code == 303
    assert _decode(form["id_token"])[LTI + "deployment_id"] == "4"
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        assert {d.deployment_id for d in platform.deployments} == {"demo-deployment-1", "4"}


def test_moodle_id_token_claims_are_moodles(app, client):
    from lti_app.demo_lms import links

    client.get("/dev/?profile=moodle")
    with app.app_context():
        links.add_link(title="Module", key="module-link",
                       custom={"course": "library-basics", "Module-Slug": "open-science"})
        db.session.commit()
    location = _moodle_auth_url(client, _moodle_login(client, person="dirk",
                                                      link="module-link"))
    form = autopost_fields(client.get(_path(location)).get_data(as_text=True))
    claims = _decode(form["id_token"])
    assert claims["aud"] == "kennisdeling-demo" and "azp" not in claims  # a string, no azp
    assert claims["exp"] - claims["iat"] == 60
    assert claims[LTI + "deployment_id"] == "4"
    assert claims[LTI + "custom"] == {
        "course": "library-basics", "module_slug": "open-science", "Module-Slug": "open-science"}
    assert claims[LTI + "context"]["type"] == ["CourseSection"]
    assert claims[LTI + "roles"] == sorted(claims[LTI + "roles"])
    assert MEMBERSHIP + "Instructor" in claims[LTI + "roles"]
    assert claims[LTI + "ext"] == {"user_username": "dirk", "lms": "moodle-2"}
    assert claims[LTI + "tool_platform"]["product_family_code"] == "moodle"
    assert claims[LTI + "launch_presentation"]["document_target"] == "iframe"
    # Not launched: a trainer's launch starts a roster fetch in the background,
    # which would outlive this test.


def test_moodle_auth_errors_after_the_session_are_posted_back(client):
    client.get("/dev/?profile=moodle")
    location = _moodle_auth_url(client, _moodle_login(client, person="anna",
                                                      link="library-basics"))
    forged = location.replace("login_hint=3", "login_hint=4")
    answer = client.get(_path(forged))
    assert answer.status_code == 200
    assert autopost_fields(answer.get_data(as_text=True))["error"] == "access_denied"
    # The launch was used up by that request, as in auth.php.
    assert client.get(_path(location)).status_code == 404


def test_moodle_deep_linking_has_no_data_and_returns_to_contentitem_return(app, client, tool):
    client.get("/dev/?profile=moodle")
    location = _moodle_auth_url(
        client, _moodle_login(client, person="carla", type="LtiDeepLinkingRequest"))
    form = autopost_fields(client.get(_path(location)).get_data(as_text=True))
    claims = _decode(form["id_token"])
    settings = claims[DL + "deep_linking_settings"]
    assert "data" not in settings
    assert settings["accept_presentation_document_targets"] == ["frame", "iframe", "window"]
    assert (settings["auto_create"], settings["accept_multiple"]) == (False, True)
    assert LTI + "resource_link" not in claims
    return_url = urlsplit(settings["deep_link_return_url"])
    assert return_url.path == "/dev/moodle/contentitem_return"
    assert set(parse_qs(return_url.query)) == {"course", "id", "sesskey"}
    now = int(time.time())
    response = tool.sign({
        "iss": "kennisdeling-demo", "aud": "http://localhost/dev", "iat": now, "exp": now + 300,
        "nonce": uuid.uuid4().hex, LTI + "deployment_id": "4",
        LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0",
        DL + "content_items": [{"type": "ltiResourceLink", "title": "From Moodle DL"}],
    })
    added = client.post(_path(settings["deep_link_return_url"]), data={"JWT": response})
    assert added.status_code == 200 and "From Moodle DL" in added.get_data(as_text=True)
    replay = client.post(_path(settings["deep_link_return_url"]), data={"JWT": response})
    assert replay.status_code == 400


# -- Canvas ------------------------------------------------------------------------------
def _canvas_deployment(client) -> str:
    page = client.get("/dev/canvas/").get_data(as_text=True)
    return re.search(r'id="deployment-id">([^<]+)<', page).group(1)


def _canvas_launch_page(client, **query):
    page = client.get("/dev/canvas/launch", query_string=query)
    assert page.status_code == 200, page.get_data(as_text=True)
    return page


def _canvas_id_token(client, **query) -> tuple[dict, dict[str, str]]:
    """Course page -> the tool's login -> sso authorize_redirect -> customer authorize."""
    html = _canvas_launch_page(client, **query).get_data(as_text=True)
    action, fields = _form_of(html, "tool_form")
    login = client.post(urlsplit(action).path, data=fields)
    assert login.status_code == 200  # the platform-storage page
    auth_url = re.search(r'id="continue" href="([^"]+)"', login.get_data(as_text=True)).group(1)
    assert html_lib.unescape(auth_url).startswith(f"{SSO}/dev/canvas/authorize_redirect?")
    redirected = client.get(_path(html_lib.unescape(auth_url)))
    assert redirected.status_code == 302
    assert redirected.location.startswith("http://localhost/dev/canvas/authorize?")
    answer = client.get(_path(redirected.location))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    form = autopost_fields(answer.get_data(as_text=True))
    return _decode(form["id_token"]), form


def test_the_canvas_page_posts_the_login_into_the_frame_with_canvas_fields(client):
    deployment = _canvas_deployment(client)
    page = _canvas_launch_page(client, person="anna", link="library-basics")
    html = page.get_data(as_text=True)
    assert re.search(r'<form id="tool_form" method="post" target="tool_content"', html)
    assert '<iframe name="tool_content" id="tool_content"' in html
    action, fields = _form_of(html, "tool_form")
    assert action == "http://localhost/lti/login"
    assert list(fields) == ["iss", "login_hint", "client_id", "lti_deployment_id",
                            "target_link_uri", "lti_message_hint", "canvas_environment",
                            "canvas_region", "lti_storage_target"]
    assert (fields["iss"], fields["client_id"], fields["lti_deployment_id"]) == (
        CANVAS_ISSUER, CANVAS_CLIENT_ID, deployment)
    assert fields["lti_storage_target"] == "post_message_forwarding"
    assert re.fullmatch(r"[0-9a-f]{40}", fields["login_hint"])
    frame = re.search(r'<iframe name="post_message_forwarding"[^>]*src="([^"]+)"', html, re.S)
    assert html_lib.unescape(frame.group(1)).startswith(
        f"{SSO}/dev/canvas/post_message_forwarding?token=")
    policy = page.headers["Content-Security-Policy"]
    assert re.search(r"frame-src [^;]*http://sso\.localhost", policy)


def test_canvas_id_token_and_what_authorize_posts_back(app, client):
    deployment = _canvas_deployment(client)
    claims, form = _canvas_id_token(client, person="anna", link="library-basics")
    assert set(form) == {"utf8", "authenticity_token", "id_token", "state",
                         "lti_storage_target"}
    assert form["lti_storage_target"] == "post_message_forwarding"
    assert claims["iss"] == CANVAS_ISSUER
    assert claims["aud"] == claims["azp"] == CANVAS_CLIENT_ID
    assert claims[LTI + "deployment_id"] == deployment
    assert claims[LTI + "launch_presentation"]["return_url"] == "http://localhost/dev/canvas/"
    assert claims[LTI + "tool_platform"]["product_family_code"] == "canvas"
    assert claims["https://www.instructure.com/placement"] is None
    jwks = client.get("/dev/canvas/jwks").get_json()
    jwt.decode(form["id_token"], jwt.PyJWK(jwks["keys"][0]).key, algorithms=["RS256"],
               audience=CANVAS_CLIENT_ID)
    launched = client.post("/lti/launch", data=form)
    assert launched.status_code == 303, launched.get_data(as_text=True)


def test_each_canvas_install_makes_a_deployment_id_the_tool_learns_at_launch(app, client):
    first = _canvas_deployment(client)
    assert re.fullmatch(r"\d+:[0-9a-f]{40}", first)
    assert _canvas_deployment(client) == first  # a visit installs nothing more
    page = client.get("/dev/canvas/").get_data(as_text=True)
    installed = client.post("/dev/canvas/install", data={"csrf_token": csrf_token(page)})
    assert installed.status_code == 303
    second = _canvas_deployment(client)
    assert second != first and second.split(":")[1] == first.split(":")[1]
    with app.app_context():
        platform = db.session.scalars(
            select(Platform).where(Platform.client_id == CANVAS_CLIENT_ID)).one()
        assert platform.accepts_new_deployments and not platform.deployments
    for _ in range(2):
        _claims, form = _canvas_id_token(client, person="bram", link="library-basics")
        assert client.post("/lti/launch", data=form).status_code == 303
    with app.app_context():
        assert set(db.session.scalars(select(Deployment.deployment_id).join(Platform).where(
            Platform.client_id == CANVAS_CLIENT_ID))) == {second}


def test_a_new_canvas_install_is_refused_where_the_registration_takes_no_new_ones(app, client):
    _canvas_deployment(client)
    with app.app_context():
        platform = db.session.scalars(
            select(Platform).where(Platform.client_id == CANVAS_CLIENT_ID)).one()
        platform.accepts_new_deployments = False
        db.session.commit()
    _claims, form = _canvas_id_token(client, person="anna", link="library-basics")
    refused = client.post("/lti/launch", data=form)
    assert refused.status_code == 403
    assert "add-deployment" in refused.get_data(as_text=True)


def test_canvas_authorize_posts_oidc_errors_back_and_refuses_a_foreign_redirect(client):
    _canvas_deployment(client)
    html = _canvas_launch_page(client, person="anna", link="library-basics").get_data(
        as_text=True)
    _action, fields = _form_of(html, "tool_form")
    query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
             "prompt": "none", "client_id": CANVAS_CLIENT_ID, "nonce": "n", "state": "s",
             "redirect_uri": "http://localhost/lti/launch",
             "login_hint": "0" * 40, "lti_message_hint": fields["lti_message_hint"]}
    answer = client.get("/dev/canvas/authorize", query_string=query)
    posted = autopost_fields(answer.get_data(as_text=True))
    assert (posted["error"], posted["state"]) == ("login_required", "s")
    assert "id_token" not in posted
    foreign = client.get("/dev/canvas/authorize",
                         query_string={**query, "redirect_uri": "https://evil.example/launch"})
    assert foreign.status_code == 400 and "Invalid redirect_uri" in foreign.get_data(as_text=True)


def test_the_forwarding_frame_is_framed_by_its_page_only(client):
    html = _canvas_launch_page(client, person="anna", link="library-basics").get_data(
        as_text=True)
    src = re.search(r'<iframe name="post_message_forwarding"[^>]*src="([^"]+)"', html, re.S)
    frame = client.get(_path(html_lib.unescape(src.group(1))))
    assert frame.status_code == 200
    policy = frame.headers["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors 'self' http://localhost")
    assert 'var PARENT_ORIGIN = "http://localhost";' in frame.get_data(as_text=True)
    assert client.get("/dev/canvas/post_message_forwarding?token=forged").status_code == 400


def test_the_canvas_token_endpoint_is_on_the_sso_domain(client, tool):
    _canvas_deployment(client)
    token_url = f"{SSO}/dev/canvas/token"
    now = int(time.time())
    assertion = tool.sign({"iss": CANVAS_CLIENT_ID, "sub": CANVAS_CLIENT_ID, "aud": token_url,
                           "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex})
    answer = client.post("/dev/canvas/token", data={
        "grant_type": "client_credentials", "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": assertion, "scope": ALL_SCOPES})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["token_type"] == "Bearer"


@pytest.mark.parametrize("profile", ["nope", "canvas"])
def test_start_serves_the_demo_and_moodle_profiles_only(client, profile):
    client.get("/dev/")
    answer = client.get("/dev/start", query_string={"profile": profile, "person": "anna",
                                                    "link": "library-basics"})
    assert answer.status_code == 404
