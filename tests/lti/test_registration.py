"""LTI Dynamic Registration against fake Moodle and Canvas platforms (mocked HTTP).

The platforms' configurations and answers follow Moodle's
`mod/lti/openid-configuration.php` and `registration_helper::config_to_registration`
and Canvas's `doc/api/registration.md` and `Lti::IMS::DynamicRegistrationController`.
"""

from __future__ import annotations

import json
import re

import pytest
import requests
import responses
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.lti import registration
from lti_app.platforms.models import Deployment, Platform
from tests.db_snapshot import snapshot
from tests.fake_lms import FakeLms

PLATFORM = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CANVAS_EXT = "https://canvas.instructure.com/lti/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ALL_SCOPES = {AGS + "lineitem", AGS + "lineitem.readonly", AGS + "result.readonly",
              AGS + "score", NRPS}
TOKEN = "registration-token-123"
MOODLE = "https://moodle.example.edu"
MOODLE_CONFIG_URL = MOODLE + "/mod/lti/openid-configuration.php"
CANVAS = "https://canvas.instructure.com"
CANVAS_CONFIG_URL = (CANVAS + "/api/lti/security/openid-configuration"
                     "?registration_token=x")


def moodle_config(issuer: str = MOODLE, **changes) -> dict:
    config = {
        "issuer": issuer,
        "token_endpoint": issuer + "/mod/lti/token.php",
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "jwks_uri": issuer + "/mod/lti/certs.php",
        "authorization_endpoint": issuer + "/mod/lti/auth.php",
        "registration_endpoint": issuer + "/mod/lti/openid-registration.php",
        "scopes_supported": sorted(ALL_SCOPES) + ["openid"],
        "response_types_supported": ["id_token"],
        "claims_supported": ["sub", "iss", "name", "given_name", "family_name",
                             "email"],
        PLATFORM: {
            "product_family_code": "moodle",
            "version": "4.3.2 (Build: 20231222)",
            "messages_supported": [
                {"type": "LtiResourceLinkRequest"},
                {"type": "LtiDeepLinkingRequest", "placements": ["ContentArea"]},
            ],
        },
    }
    config.update(changes)
    return config


def canvas_config(**changes) -> dict:
    sso = "https://sso.canvaslms.com"
    config = {
        "issuer": CANVAS,
        "authorization_endpoint": sso + "/api/lti/authorize_redirect",
        "registration_endpoint": "https://school.instructure.com/api/lti/registrations",
        "jwks_uri": sso + "/api/lti/security/jwks",
        "token_endpoint": sso + "/login/oauth2/token",
        "scopes_supported": [*sorted(ALL_SCOPES),
                             CANVAS_EXT + "public_jwk/scope/update"],
        "authorization_server": "canvas.instructure.com",
        PLATFORM: {
            "product_family_code": "canvas",
            "version": "vCloud",
            "messages_supported": [
                {"type": "LtiResourceLinkRequest", "placements": ["course_navigation"]},
                {"type": "LtiDeepLinkingRequest",
                 "placements": ["assignment_selection", "link_selection"]},
            ],
            CANVAS_EXT + "account_name": "Test University",
        },
    }
    config.update(changes)
    return config


def moodle_answer(body: dict, client_id="moodle-dr-1", deployment_id="12") -> dict:
    tool = {"deployment_id": deployment_id,
            "target_link_uri": body[TOOL]["target_link_uri"],
            "domain": body[TOOL]["domain"], "claims": ["sub", "iss", "name", "email"]}
    return {"client_id": client_id, "response_types": ["id_token"],
            "jwks_uri": body["jwks_uri"],
            "initiate_login_uri": body["initiate_login_uri"],
            "application_type": ["web"],  # sic: Moodle answers with a list
            "token_endpoint_auth_method": "private_key_jwt",
            "client_name": body["client_name"], "scope": body["scope"], TOOL: tool}


def canvas_answer(body: dict, client_id: str = "10000000000077") -> dict:
    return {**body, "client_id": client_id}


@pytest.fixture(autouse=True)
def _english(client):
    """The pages follow the admin's browser language; these tests read English."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def http():
    with FakeLms.serving() as mock:
        yield mock


def serve(http, config_url: str, config: dict, answer=None, *, status: int = 200,
          **response) -> None:
    """The platform: its configuration, and its answer to the registration POST."""
    http.get(config_url, json=config)

    def answer_registration(request):
        body = answer(json.loads(request.body)) if callable(answer) else answer
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    if response:
        http.post(config["registration_endpoint"], status=status, **response)
    elif answer is not None:
        http.add_callback(responses.POST, config["registration_endpoint"],
                          callback=answer_registration)


def start(client, config_url: str, token: str | None = TOKEN):
    query = {"openid_configuration": config_url}
    if token:
        query["registration_token"] = token
    return client.get("/lti/register", query_string=query)


def state_of(page) -> str:
    return re.search(r'name="state" value="([^"]+)"', page.get_data(as_text=True))[1]


def register(app, client, config_url: str, token: str | None = TOKEN):
    """GET the confirmation page, then POST it from a browser that keeps no cookies."""
    page = start(client, config_url, token)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers
    cookieless = app.test_client(use_cookies=False)
    cookieless.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return cookieless.post("/lti/register", data={"state": state_of(page)})


def sent_registration(http) -> tuple[dict, requests.PreparedRequest]:
    [call] = [c for c in http.calls if c.request.method == "POST"]
    return json.loads(call.request.body), call.request


def platforms(app) -> list[Platform]:
    with app.app_context():
        rows = list(db.session.scalars(select(Platform)))
        for row in rows:
            row.deployment_ids = sorted(d.deployment_id for d in row.deployments)
        db.session.expunge_all()
        return rows


def test_moodle_registration_end_to_end(app, client, http):
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)

    page = start(client, MOODLE_CONFIG_URL)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "moodle.example.edu" in text and "http://localhost/lti/launch" in text
    assert "Send scores to the gradebook" in text
    assert "the operator of Kennisdeling must approve the registration" in text

    done = register(app, client, MOODLE_CONFIG_URL)
    text = done.get_data(as_text=True)
    assert done.status_code == 200, text
    assert "Registered, waiting for approval" in text and "moodle-dr-1" in text
    assert "the operator of Kennisdeling must first approve this registration" in text
    assert "(window.opener || window.parent).postMessage" in text
    assert '{subject: "org.imsglobal.lti.close"}, "*"' in text
    assert "data-auto-close=" not in text  # the admin should read that it waits

    config_get = http.calls[0].request
    assert config_get.headers["Authorization"] == f"Bearer {TOKEN}"
    body, post = sent_registration(http)
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.headers["Content-Type"] == "application/json"
    assert body["application_type"] == "web"
    assert body["response_types"] == ["id_token"]
    assert body["grant_types"] == ["implicit", "client_credentials"]
    assert body["initiate_login_uri"] == "http://localhost/lti/login"
    assert body["redirect_uris"] == ["http://localhost/lti/launch"]
    assert body["jwks_uri"] == "http://localhost/lti/jwks"
    assert body["client_name"] == body["client_name#nl"] == "Kennisdeling"
    assert body["token_endpoint_auth_method"] == "private_key_jwt"
    assert set(body["scope"].split()) == ALL_SCOPES
    tool = body[TOOL]
    assert tool["domain"] == "localhost"
    assert tool["target_link_uri"] == "http://localhost/lti/launch"
    assert tool["custom_parameters"] == {}
    assert tool["claims"] == ["iss", "sub", "name", "given_name", "family_name",
                              "email", "locale"]
    link, deep = tool["messages"]
    assert link == {"type": "LtiResourceLinkRequest",
                    "target_link_uri": "http://localhost/lti/launch",
                    "label": "Kennisdeling", "label#nl": "Kennisdeling"}
    assert deep["type"] == "LtiDeepLinkingRequest"
    assert deep["placements"] == ["ContentArea"]
    assert deep["target_link_uri"] == "http://localhost/lti/launch"
    assert "canvas.instructure.com" not in json.dumps(body)

    [platform] = platforms(app)
    assert (platform.issuer, platform.client_id) == (MOODLE, "moodle-dr-1")
    assert platform.auth_login_url == MOODLE + "/mod/lti/auth.php"
    assert platform.auth_token_url == MOODLE + "/mod/lti/token.php"
    assert platform.jwks_url == MOODLE + "/mod/lti/certs.php"
    assert platform.auth_audience is None
    assert (platform.name, platform.product_family) == ("moodle.example.edu", "moodle")
    assert platform.deployment_ids == ["12"]
    assert platform.accepts_new_deployments is False
    assert platform.status == "pending"
    assert (platform.institution, platform.suggested_institution) == (None, None)


def test_canvas_registration_carries_canvas_extensions(app, client, http):
    serve(http, CANVAS_CONFIG_URL, canvas_config(), canvas_answer)
    page = start(client, CANVAS_CONFIG_URL)
    assert "Test University" in page.get_data(as_text=True)

    done = register(app, client, CANVAS_CONFIG_URL)
    text = done.get_data(as_text=True)
    assert done.status_code == 200, text
    assert "no deployment id" in text
    assert "data-auto-close=" not in text  # the admin should read that first
    assert "org.imsglobal.lti.close" in text

    body, _post = sent_registration(http)
    tool = body[TOOL]
    assert tool[CANVAS_EXT + "privacy_level"] == "public"
    assert tool[CANVAS_EXT + "tool_id"] == "kennisdeling"
    assert tool[CANVAS_EXT + "vendor"] == "Kennisdeling"
    link, deep = tool["messages"]
    assert link["placements"] == ["course_navigation"]
    assert link[CANVAS_EXT + "course_navigation/default_enabled"] is True
    assert deep["placements"] == ["link_selection", "assignment_selection"]
    display = CANVAS_EXT + "display_type"
    assert link[display] == deep[display] == "default"

    [platform] = platforms(app)
    assert (platform.issuer, platform.client_id) == (CANVAS, "10000000000077")
    assert platform.name == "Test University" and platform.product_family == "canvas"
    assert platform.auth_audience == "canvas.instructure.com"
    assert platform.deployment_ids == []
    assert platform.accepts_new_deployments is True
    # Canvas's account name is a suggestion for the operator, not the institution.
    assert platform.status == "pending"
    assert (platform.institution, platform.suggested_institution) == (None, "Test University")


def test_asks_only_for_what_the_platform_offers(app, client, http):
    config = moodle_config(scopes_supported=[AGS + "score", "openid"])
    # Moodle has listed bare type names rather than {type, placements} objects.
    config[PLATFORM]["messages_supported"] = ["LtiResourceLinkRequest"]
    serve(http, MOODLE_CONFIG_URL, config, moodle_answer)
    assert register(app, client, MOODLE_CONFIG_URL).status_code == 200
    body, _post = sent_registration(http)
    assert body["scope"] == AGS + "score"
    assert [m["type"] for m in body[TOOL]["messages"]] == ["LtiResourceLinkRequest"]


def test_registration_without_token_is_refused(app, client, http):
    """Only an LMS admin's registration page has a token; a bare URL registers nothing."""
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    before = snapshot(app)
    page = start(client, MOODLE_CONFIG_URL, token=None)
    text = page.get_data(as_text=True)
    assert page.status_code == 400, text
    assert "The LMS sent no registration token" in text
    assert len(http.calls) == 0 and snapshot(app) == before


def test_confirmation_without_token_is_refused(app, client, http):
    """Even a state signed by the tool (it signs none without a token) is refused."""
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    with app.test_request_context():
        state = registration.sign_state(MOODLE_CONFIG_URL, None, MOODLE)
    before = snapshot(app)
    page = client.post("/lti/register", data={"state": state})
    assert page.status_code == 400
    assert "The LMS sent no registration token" in page.get_data(as_text=True)
    assert sent_posts(http) == 0 and snapshot(app) == before


def test_registering_an_existing_client_id_again_is_refused_and_changes_nothing(
        app, client, http):
    """The takeover: same issuer and client id, the attacker's key set and endpoints."""
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    assert register(app, client, MOODLE_CONFIG_URL).status_code == 200
    with app.app_context():
        from lti_app.platforms import approval

        approval.approve(db.session.scalar(select(Platform)), "Universiteit Leiden")
        db.session.commit()
    before = snapshot(app)

    evil = "https://evil.example.org"
    takeover = moodle_config(jwks_uri=evil + "/certs", token_endpoint=evil + "/token",
                             authorization_endpoint=evil + "/auth")
    http.replace(responses.GET, MOODLE_CONFIG_URL, json=takeover)
    page = register(app, client, MOODLE_CONFIG_URL)
    text = page.get_data(as_text=True)
    assert page.status_code == 409, text
    assert "already has a registration for https://moodle.example.edu" in text
    assert "It was not changed" in text and "moodle-dr-1" in text
    assert snapshot(app) == before  # key set, endpoints, status, institution: the same
    [platform] = platforms(app)
    assert platform.jwks_url == MOODLE + "/mod/lti/certs.php"
    assert platform.status == "approved" and platform.accepts_new_deployments is False


def test_two_registrations_of_one_client_id_at_once_refuse_the_second_and_keep_the_first(
        app, client, http, monkeypatch):
    """The second checked for the client id before the first committed: its
    INSERT conflicts, and it gets the "already registered" page, not a 500."""
    from lti_app.platforms import approval

    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    assert register(app, client, MOODLE_CONFIG_URL).status_code == 200
    before = snapshot(app)
    real_find, looked = approval.find_platform, []

    def find_before_the_first_commit(*args):  # only its first look-up misses the row
        looked.append(args)
        return None if len(looked) == 1 else real_find(*args)

    monkeypatch.setattr(approval, "find_platform", find_before_the_first_commit)
    page = register(app, client, MOODLE_CONFIG_URL)
    text = page.get_data(as_text=True)
    assert page.status_code == 409, text
    assert "already has a registration for https://moodle.example.edu" in text
    assert snapshot(app) == before
    assert [p.client_id for p in platforms(app)] == ["moodle-dr-1"]


def test_a_new_client_id_of_a_known_issuer_waits_for_approval(app, client, http):
    """Moodle gives a new client id for each registration: a second, pending row."""
    client_ids = iter(["moodle-dr-1", "moodle-dr-2"])
    serve(http, MOODLE_CONFIG_URL, moodle_config(),
          lambda body: moodle_answer(body, client_id=next(client_ids)))
    assert register(app, client, MOODLE_CONFIG_URL).status_code == 200
    assert register(app, client, MOODLE_CONFIG_URL).status_code == 200
    assert [(p.client_id, p.status) for p in platforms(app)] == [
        ("moodle-dr-1", "pending"), ("moodle-dr-2", "pending")]


@pytest.mark.parametrize("config_url, issuer", [
    # The prefix trick: another host whose name starts with the issuer's.
    ("https://moodle.example.edu.evil.example/mod/lti/openid-configuration.php", MOODLE),
    ("https://moodle.example.edu:8443/mod/lti/openid-configuration.php", MOODLE),
    (MOODLE_CONFIG_URL, "https://moodle.example.edu.evil.example"),
    (MOODLE_CONFIG_URL, "http://moodle.example.edu"),
    (MOODLE_CONFIG_URL, "https://moodle.example.edu\\@evil.example"),
    (MOODLE_CONFIG_URL, "https://x@moodle.example.edu"),
    (MOODLE_CONFIG_URL, "https://moodle.example.edu?evil"),
], ids=["config-on-longer-host", "config-on-other-port", "issuer-longer-host",
        "issuer-http", "issuer-backslash", "issuer-userinfo", "issuer-query"])
def test_issuer_must_be_exactly_the_configuration_host(app, client, http, config_url,
                                                        issuer):
    serve(http, config_url, moodle_config(issuer), moodle_answer)
    before = snapshot(app)
    page = start(client, config_url)
    text = page.get_data(as_text=True)
    assert page.status_code == 502, text
    assert "does not match the configuration address" in text
    assert sent_posts(http) == 0 and snapshot(app) == before


def test_a_moodle_in_a_subdirectory_registers(app, client, http):
    issuer = "https://www.example.edu/moodle"
    url = issuer + "/mod/lti/openid-configuration.php"
    serve(http, url, moodle_config(issuer), moodle_answer)
    assert register(app, client, url).status_code == 200
    assert [p.issuer for p in platforms(app)] == [issuer]


# -- refused registrations: a clear page, the platform's words, nothing stored --------
def _post_answer(status, **response):
    def setup(http):
        serve(http, MOODLE_CONFIG_URL, moodle_config(), status=status, **response)
    return setup


FAILURES = [
    ("issuer-other-host",
     lambda http: serve(http, MOODLE_CONFIG_URL, moodle_config("https://evil.example.org")),
     502, "does not match"),
    ("issuer-other-path",
     lambda http: serve(http, MOODLE_CONFIG_URL, moodle_config(MOODLE + "/other")),
     502, "does not match"),
    ("unreachable",
     lambda http: http.get(MOODLE_CONFIG_URL, body=requests.ConnectionError("refused")),
     502, "could not be reached"),
    ("timeout",
     lambda http: http.get(MOODLE_CONFIG_URL, body=requests.ReadTimeout("slow")),
     502, "within 5 seconds"),
    ("not-json", lambda http: http.get(MOODLE_CONFIG_URL, body="<html>Moodle</html>"),
     502, "not a JSON object"),
    ("config-404",
     lambda http: http.get(MOODLE_CONFIG_URL, status=404, body="Not found"),
     502, "answered HTTP 404"),
    ("missing-fields",
     lambda http: serve(http, MOODLE_CONFIG_URL,
                        {k: v for k, v in moodle_config().items()
                         if k not in ("registration_endpoint", PLATFORM)}),
     502, "registration_endpoint, " + PLATFORM),
    ("canvas-422", _post_answer(422, json={"errors": [
        {"field": "redirect_uris", "message": "is not a valid URI"},
        "scope is invalid"]}),
     502, "redirect_uris: is not a valid URI; scope is invalid"),
    ("oauth-400", _post_answer(400, json={
        "error": "invalid_client_metadata",
        "error_description": "jwks_uri must be https"}),
     502, "invalid_client_metadata: jwks_uri must be https"),
    ("moodle-401", _post_answer(401, body="token_already_used",
                                content_type="text/plain"),
     502, "token_already_used"),
    ("no-client-id", _post_answer(200, json={"client_name": "Kennisdeling"}),
     502, "sent no client id"),
    ("registration-timeout",
     lambda http: (serve(http, MOODLE_CONFIG_URL, moodle_config()),
                   http.post(MOODLE + "/mod/lti/openid-registration.php",
                             body=requests.ReadTimeout("slow"))),
     502, "within 15 seconds"),
]


@pytest.mark.parametrize("setup, status, phrase",
                         [case[1:] for case in FAILURES], ids=[c[0] for c in FAILURES])
def test_failures_show_a_clear_page_and_store_nothing(app, client, http, setup, status,
                                                      phrase):
    before = snapshot(app)
    setup(http)
    page = start(client, MOODLE_CONFIG_URL)
    if page.status_code == 200:  # the configuration was fine: confirm
        page = app.test_client().post("/lti/register", data={"state": state_of(page)},
                                      headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == status, text
    assert "The registration did not succeed" in text
    assert phrase in text.replace("&#39;", "'")
    assert "Traceback" not in text and "org.imsglobal.lti.close" in text
    assert snapshot(app) == before


def test_missing_configuration_url_explains_what_the_address_is_for(client):
    page = client.get("/lti/register")
    assert page.status_code == 400
    assert "registration URL" in page.get_data(as_text=True)


@pytest.mark.parametrize("url, phrase", [
    ("http://moodle.example.edu/mod/lti/openid-configuration.php", "https://"),
    ("http://localhost:8080/mod/lti/openid-configuration.php", "https://"),
    ("ftp://moodle.example.edu/config", "cannot use"),
    ("https://10.1.2.3/mod/lti/openid-configuration.php", "private network"),
])
def test_production_refuses_http_and_private_addresses(app, client, http, url, phrase):
    app.testing = False
    before = snapshot(app)
    page = start(client, url)
    assert page.status_code == 400
    assert phrase in page.get_data(as_text=True)
    assert len(http.calls) == 0 and snapshot(app) == before


def test_production_refuses_a_name_that_resolves_to_a_private_address(
        app, client, http, monkeypatch):
    app.testing = False
    monkeypatch.setattr(registration.guard, "resolve", lambda host, port: ["192.168.1.20"])
    page = start(client, MOODLE_CONFIG_URL)
    assert page.status_code == 400 and "private network" in page.get_data(as_text=True)
    assert len(http.calls) == 0


def test_production_registers_over_https_with_public_addresses(
        app, client, http, monkeypatch):
    app.testing = False
    monkeypatch.setattr(registration.guard, "resolve",
                        lambda host, port: ["145.100.190.243"])
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    assert register(app, client, MOODLE_CONFIG_URL).status_code == 200
    assert len(platforms(app)) == 1


@pytest.mark.parametrize("forge", [
    lambda state: "not-a-signed-state",
    lambda state: state[:-2] + ("AA" if not state.endswith("AA") else "BB"),
    lambda state: "",
], ids=["garbage", "tampered", "missing"])
def test_forged_state_is_refused(app, client, http, forge):
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    state = state_of(start(client, MOODLE_CONFIG_URL))
    page = client.post("/lti/register", data={"state": forge(state)})
    assert page.status_code == 400
    assert "expired or was changed" in page.get_data(as_text=True)
    assert platforms(app) == [] and sent_posts(http) == 0


def test_expired_state_is_refused(app, client, http, monkeypatch):
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    state = state_of(start(client, MOODLE_CONFIG_URL))
    monkeypatch.setattr(registration.state, "STATE_MAX_AGE", -1)
    page = client.post("/lti/register", data={"state": state})
    assert page.status_code == 400 and platforms(app) == [] and sent_posts(http) == 0


def test_state_is_bound_to_the_issuer_seen_on_the_confirmation_page(app, client, http):
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    state = state_of(start(client, MOODLE_CONFIG_URL))
    other = moodle_config(MOODLE + "/mod")  # still a prefix of the URL, but another
    http.replace(responses.GET, MOODLE_CONFIG_URL, json=other)
    page = client.post("/lti/register", data={"state": state})
    assert page.status_code == 400 and platforms(app) == [] and sent_posts(http) == 0


def sent_posts(http) -> int:
    return sum(1 for c in http.calls if c.request.method == "POST")


# -- after registration, launches wait for the operator's approval -----------------
def approve(runner, platform_id: int, *extra: str):
    result = runner.invoke(args=["platform", "approve", str(platform_id), "--yes", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_launch_from_a_pending_registration_is_refused_until_approved(
        app, client, http, runner):
    lms = FakeLms(app, http, register=False, issuer=MOODLE, client_id="moodle-dr-1",
                  deployment_id="12")
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    assert register(app, client, MOODLE_CONFIG_URL).status_code == 200
    before = snapshot(app)

    fields = lms.platform.login_initiation(target_link_uri="http://localhost/lti/launch",
                                           login_hint="hint", lti_message_hint="msg")
    refused = client.post("/lti/login", data=fields)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403, text
    assert "waiting for the approval of this tool&#39;s operator" in text
    assert "Nothing was saved" in text and "Location" not in refused.headers
    assert snapshot(app) == before

    [platform] = platforms(app)
    output = approve(runner, platform.id, "--institution", "Universiteit Leiden")
    assert "approved: Universiteit Leiden" in output
    response = lms.launch(client)
    assert response.status_code == 303, response.get_data(as_text=True)
    refused = FakeLms(app, http, register=False, issuer=MOODLE, client_id="moodle-dr-1",
                      deployment_id="99").launch(client)
    assert refused.status_code == 403  # a deployment id came back: others stay out


def test_a_launch_begun_before_the_registration_was_refused_is_refused(
        app, client, http, runner):
    """The launch itself checks the status, not only the login."""
    lms = FakeLms(app, http, register=False, issuer=MOODLE, client_id="moodle-dr-1",
                  deployment_id="12")
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    assert register(app, client, MOODLE_CONFIG_URL).status_code == 200
    [platform] = platforms(app)
    approve(runner, platform.id, "--institution", "Universiteit Leiden")
    auth = lms.login(client)
    result = runner.invoke(args=["platform", "refuse", str(platform.id)])
    assert result.exit_code == 0, result.output
    before = snapshot(app)
    token = lms.id_token(auth, lms.launch_request())
    page = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    text = page.get_data(as_text=True)
    assert page.status_code == 403, text
    assert "has refused this LMS&#39;s registration" in text
    assert snapshot(app) == before


def test_launch_after_canvas_registration_adds_the_new_deployment(app, client, http, runner):
    lms = FakeLms(app, http, register=False, product="canvas", issuer=CANVAS,
                  client_id="10000000000077", deployment_id="7:abc")
    config = canvas_config(authorization_endpoint=lms.platform.auth_login_url,
                           token_endpoint=lms.platform.token_url,
                           jwks_uri=lms.platform.jwks_url)
    serve(http, CANVAS_CONFIG_URL, config, canvas_answer)
    assert register(app, client, CANVAS_CONFIG_URL).status_code == 200
    [platform] = platforms(app)
    # The suggestion is shown, but the operator must name the institution.
    result = runner.invoke(args=["platform", "approve", str(platform.id), "--yes"])
    assert result.exit_code != 0 and "the LMS suggests: Test University" in result.output
    assert platforms(app)[0].status == "pending"
    approve(runner, platform.id, "--institution", "Test University")
    response = lms.launch(client, sub="canvas-user")
    assert response.status_code == 303, response.get_data(as_text=True)
    [platform] = platforms(app)
    assert platform.deployment_ids == ["7:abc"]
    assert (platform.status, platform.institution) == ("approved", "Test University")
    with app.app_context():
        assert db.session.scalar(select(Deployment.deployment_id)) == "7:abc"


def test_listed_hosts_are_approved_automatically(app, client, http):
    app.config["LTI_AUTO_APPROVE_HOSTS"] = "other.example.edu, Moodle.Example.edu"
    lms = FakeLms(app, http, register=False, issuer=MOODLE, client_id="moodle-dr-1",
                  deployment_id="12")
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    assert "must approve" not in start(client, MOODLE_CONFIG_URL).get_data(as_text=True)
    done = register(app, client, MOODLE_CONFIG_URL)
    text = done.get_data(as_text=True)
    assert "Registered</h1>" in text and "waiting for approval" not in text
    assert [p.status for p in platforms(app)] == ["approved"]
    assert lms.launch(client).status_code == 303


def test_a_host_not_listed_waits_even_if_its_name_contains_a_listed_one(app, client, http):
    app.config["LTI_AUTO_APPROVE_HOSTS"] = "example.edu,moodle.example"
    serve(http, MOODLE_CONFIG_URL, moodle_config(), moodle_answer)
    assert register(app, client, MOODLE_CONFIG_URL).status_code == 200
    assert [p.status for p in platforms(app)] == ["pending"]


HTTP_MOODLE = "http://moodle.campus.example"
HTTP_CONFIG_URL = HTTP_MOODLE + "/mod/lti/openid-configuration.php"


def test_an_http_lms_is_refused_without_the_switch(app, client, http, monkeypatch):
    app.testing = False
    monkeypatch.setattr(registration.guard, "resolve", lambda host, port: ["145.100.190.243"])
    serve(http, HTTP_CONFIG_URL, moodle_config(HTTP_MOODLE), moodle_answer)
    before = snapshot(app)
    page = start(client, HTTP_CONFIG_URL)
    assert page.status_code == 400
    assert "must start with https://" in page.get_data(as_text=True)
    assert len(http.calls) == 0 and snapshot(app) == before


def test_an_http_lms_registers_with_the_switch_and_without_debug(app, client, http,
                                                                  monkeypatch):
    app.testing = False
    assert not app.debug
    app.config["LTI_ALLOW_HTTP_PLATFORMS"] = True
    monkeypatch.setattr(registration.guard, "resolve", lambda host, port: ["145.100.190.243"])
    serve(http, HTTP_CONFIG_URL, moodle_config(HTTP_MOODLE), moodle_answer)
    assert register(app, client, HTTP_CONFIG_URL).status_code == 200
    [platform] = platforms(app)
    assert platform.jwks_url == HTTP_MOODLE + "/mod/lti/certs.php"
    assert platform.status == "pending"


def test_the_switch_does_not_open_private_addresses(app, client, http, monkeypatch):
    app.testing = False
    app.config["LTI_ALLOW_HTTP_PLATFORMS"] = True
    monkeypatch.setattr(registration.guard, "resolve", lambda host, port: ["10.0.0.5"])
    page = start(client, HTTP_CONFIG_URL)
    assert page.status_code == 400 and "private network" in page.get_data(as_text=True)
    assert len(http.calls) == 0


def test_a_key_set_on_a_private_address_is_refused(app, client, http, monkeypatch):
    app.testing = False
    private = "https://keys.internal.example"
    monkeypatch.setattr(registration.guard, "resolve", lambda host, port: (
        ["10.0.0.5"] if host == "keys.internal.example" else ["145.100.190.243"]))
    serve(http, MOODLE_CONFIG_URL, moodle_config(jwks_uri=private + "/certs"), moodle_answer)
    before = snapshot(app)
    page = start(client, MOODLE_CONFIG_URL)
    assert page.status_code == 400 and "private network" in page.get_data(as_text=True)
    assert sent_posts(http) == 0 and snapshot(app) == before
