"""GET /lti/config/canvas.json: Canvas's LTI 1.3 developer key JSON.

SCHEMA is Canvas's own `Schemas::Lti::ToolConfiguration`
(lib/schemas/lti/tool_configuration.rb) narrowed to what we send, plus the
required fields of doc/api/lti_dev_key_config.md ("Anatomy of a JSON
configuration"). jsonschema is not a dependency, so `_validate` checks the
keywords this schema uses.
"""

from __future__ import annotations

import re

import pytest

from lti_app.lti import canvas_config, registration
from tests.conftest import make_app

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPES = [AGS + "lineitem", AGS + "lineitem.readonly", AGS + "result.readonly",
          AGS + "score",
          "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"]
STRING = {"type": "string", "minLength": 1}
URL = {"type": "string", "pattern": "^https?://[^/]+/"}
PLACEMENT = {
    "type": "object",
    "required": ["placement", "message_type", "target_link_uri", "text"],
    "properties": {
        "placement": {"type": "string", "enum": [
            "account_navigation", "assignment_selection", "course_navigation",
            "editor_button", "link_selection", "module_menu", "resource_selection",
            "user_navigation"]},
        "message_type": {"type": "string",
                         "enum": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]},
        "target_link_uri": URL,
        "text": STRING,
        "default": {"type": "string", "enum": ["enabled", "disabled"]},
    },
}
SCHEMA = {
    "type": "object",
    "required": ["title", "description", "oidc_initiation_url", "target_link_uri",
                 "public_jwk_url", "scopes", "extensions"],
    "properties": {
        "title": STRING,
        "description": STRING,
        "oidc_initiation_url": URL,
        "target_link_uri": URL,
        "public_jwk_url": URL,
        "scopes": {"type": "array", "items": {"type": "string", "enum": SCOPES}},
        "custom_fields": {"type": "object"},
        "extensions": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["platform", "settings", "privacy_level"],
            "properties": {
                "platform": {"type": "string", "enum": ["canvas.instructure.com"]},
                "domain": {"type": "string", "pattern": "^[a-z0-9.-]+(:[0-9]+)?$"},
                "tool_id": STRING,
                "privacy_level": {"type": "string", "enum": [
                    "public", "email_only", "name_only", "anonymous"]},
                "settings": {
                    "type": "object",
                    "required": ["placements"],
                    "properties": {"text": STRING, "placements": {
                        "type": "array", "minItems": 1, "items": PLACEMENT}},
                },
            },
        }},
    },
}
TYPES = {"object": dict, "array": list, "string": str}


def _validate(value, schema: dict, path: str = "$") -> list[str]:
    """The schema's errors for value, as 'path: problem' lines."""
    kind = schema.get("type")
    if kind and not isinstance(value, TYPES[kind]):
        return [f"{path}: not {kind}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in enum")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    minimum = schema.get("minLength", schema.get("minItems"))
    if minimum is not None and len(value) < minimum:
        errors.append(f"{path}: too short")
    errors += [f"{path}: {key} missing" for key in schema.get("required", ())
               if key not in value]
    for key, sub in schema.get("properties", {}).items():
        if isinstance(value, dict) and key in value:
            errors += _validate(value[key], sub, f"{path}.{key}")
    for i, item in enumerate(value if "items" in schema else ()):
        errors += _validate(item, schema["items"], f"{path}[{i}]")
    return errors


def test_the_schema_check_catches_mistakes():
    assert _validate({"title": "x"}, SCHEMA)
    bad = {**_developer_key(), "scopes": ["https://example.org/scope"]}
    assert _validate(bad, SCHEMA) == [
        "$.scopes[0]: 'https://example.org/scope' not in enum"]


def _developer_key() -> dict:
    urls = canvas_config.ToolUrls("https://t.example.nl/lti/login",
                                  "https://t.example.nl/lti/launch",
                                  "https://t.example.nl/lti/jwks")
    return canvas_config.developer_key(urls)


def test_developer_key_json_matches_canvas_schema(client):
    response = client.get("/lti/config/canvas.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    key = response.get_json()
    assert _validate(key, SCHEMA) == []
    assert key["title"] == "Kennisdeling"
    assert key["oidc_initiation_url"] == "http://localhost/lti/login"
    assert key["target_link_uri"] == "http://localhost/lti/launch"
    assert key["public_jwk_url"] == "http://localhost/lti/jwks"
    assert key["custom_fields"] == {}
    assert key["scopes"] == SCOPES


def test_placements(client):
    [extension] = client.get("/lti/config/canvas.json").get_json()["extensions"]
    assert extension["platform"] == "canvas.instructure.com"
    assert (extension["domain"], extension["tool_id"]) == ("localhost", "kennisdeling")
    assert extension["privacy_level"] == "public"
    placements = {p["placement"]: p for p in extension["settings"]["placements"]}
    assert set(placements) == {"course_navigation", "link_selection",
                               "assignment_selection"}
    assert placements["course_navigation"]["message_type"] == "LtiResourceLinkRequest"
    assert placements["course_navigation"]["default"] == "enabled"
    for name in ("link_selection", "assignment_selection"):
        assert placements[name]["message_type"] == "LtiDeepLinkingRequest"
    assert {p["target_link_uri"] for p in placements.values()} == {
        "http://localhost/lti/launch"}


def test_urls_are_https_when_the_request_is(client):
    key = client.get("/lti/config/canvas.json",
                     base_url="https://kennisdeling.example.nl").get_json()
    assert key["oidc_initiation_url"] == "https://kennisdeling.example.nl/lti/login"
    assert key["extensions"][0]["domain"] == "kennisdeling.example.nl"


@pytest.fixture
def proxied_app(app, database_uri, tmp_path):
    # The `app` fixture made the tables; this one trusts one proxy's X-Forwarded-*.
    from lti_app.extensions import db

    proxied = make_app(database_uri, tmp_path / "proxied", PROXY_FIX_X_PROTO=1,
                       PROXY_FIX_X_HOST=1)
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def test_urls_are_https_behind_a_tls_proxy(proxied_app):
    response = proxied_app.test_client().get("/lti/config/canvas.json", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "kennisdeling.example.nl"})
    key = response.get_json()
    assert _validate(key, SCHEMA) == []
    for field in ("oidc_initiation_url", "target_link_uri", "public_jwk_url"):
        assert key[field].startswith("https://kennisdeling.example.nl/lti/")
    [extension] = key["extensions"]
    assert extension["domain"] == "kennisdeling.example.nl"
    assert all(p["target_link_uri"] == "https://kennisdeling.example.nl/lti/launch"
               for p in extension["settings"]["placements"])


def test_manual_and_dynamic_registration_ask_the_same(client):
    key = client.get("/lti/config/canvas.json").get_json()
    urls = canvas_config.ToolUrls("http://localhost/lti/login",
                                  "http://localhost/lti/launch",
                                  "http://localhost/lti/jwks")
    body = canvas_config.registration_body(
        urls, product_family="canvas", scopes_supported=None, message_types=None)
    assert key["scopes"] == body["scope"].split()
    tool = body[registration.TOOL_CONFIGURATION]
    assert key["extensions"][0]["domain"] == tool["domain"]
    assert key["extensions"][0]["tool_id"] == tool[canvas_config.CANVAS + "tool_id"]
    placements = {p for m in tool["messages"] for p in m["placements"]}
    assert placements == {p["placement"] for p in key["extensions"][0]["settings"][
        "placements"]}
