"""The Canvas profile: the demo LMS as hosted Canvas, on three origins.

From Canvas's source (instructure/canvas-lms, see CANVAS-NOTES.md):

- three origins: the issuer (`https://canvas.instructure.com`, never visited),
  the OIDC / "sso" domain (`https://sso.canvaslms.com`: authorize_redirect,
  key set, token, the post_message_forwarding frame) and the customer's own
  domain (the course page, /api/lti/authorize, the services, return URLs);
- the login initiation is a form on the course page POSTed into the tool's
  iframe (`target="tool_content"`), with `lti_storage_target=post_message_forwarding`;
- authorize_redirect on the sso domain sends the browser to /api/lti/authorize
  on the customer domain named in the (signed) lti_message_hint, which posts
  `id_token`, `state` and `lti_storage_target` back into the frame;
- platform storage: a hidden `post_message_forwarding` iframe on the sso
  domain forwards `lti.put_data` / `lti.get_data` to the course page, which
  keeps them per tool origin; the answer reaches the tool from the sso origin;
- a deployment id ("<n>:<opaque context id>") is made at each install of the
  app; the tool learns it at the first launch.

Origins (all on the demo's port, scheme and server; any `*.localhost` name is
the loopback address for browsers): DEMO_LMS_CANVAS_ISSUER (default
`canvas.localhost`), DEMO_LMS_CANVAS_SSO_URL (`sso.localhost`; `localhost`
when the demo runs on another host) and DEMO_LMS_CANVAS_URL, the customer
domain (default: the demo LMS's own origin).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from flask import current_app, url_for

from ..origins import origin_of
from ..platforms import service as platforms
from . import demo_data, installs, launches, links, service
from .launches import LaunchTarget
from .platform import (
    AGS_SCOPES, DL, INSTITUTION, LTI, MEMBERSHIP, SYSTEM, AuthorizationRefused, LtiPlatform,
)

PROFILE = "canvas"
FORWARDING_TARGET = "post_message_forwarding"
KID = "2026-01-05T09:00:00Z"  # Canvas names its keys by an ISO timestamp
HINT_LIFETIME = 300  # Canvas's lti_message_hint: 5 minutes
FORWARDING_TOKEN_LIFETIME = 3600
PROGRESS_SCOPE = "https://canvas.instructure.com/lti-ags/progress/scope/show"
PLACEMENT_CLAIM = "https://www.instructure.com/placement"
REQUIRED_AUTH_PARAMS = ("client_id", "login_hint", "lti_message_hint", "nonce", "prompt",
                        "redirect_uri", "response_mode", "response_type", "scope")


class CanvasOidcError(Exception):
    """An OIDC error Canvas posts back to the tool's redirect_uri."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description = error, description


# -- the three origins -----------------------------------------------------------------
def _derived(name: str) -> str:
    """`<scheme>://<name>.localhost[:port]` on the demo LMS's scheme and port."""
    parts = urlsplit(service.issuer())
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{name}.localhost{port}"


def issuer() -> str:
    return (current_app.config.get("DEMO_LMS_CANVAS_ISSUER") or _derived("canvas")).rstrip("/")


def sso_origin() -> str:
    """The sso domain; by default `sso.localhost`, or `localhost` when the demo LMS
    runs on another host (`make run`: 127.0.0.1), as the tool's server calls the
    token endpoint there and not every resolver knows `*.localhost`."""
    configured = current_app.config.get("DEMO_LMS_CANVAS_SSO_URL")
    if configured:
        return origin_of(configured)
    parts = urlsplit(service.issuer())
    if parts.hostname != "localhost":
        return f"{parts.scheme}://localhost" + (f":{parts.port}" if parts.port else "")
    return _derived("sso")


def customer_origin() -> str:
    return origin_of(current_app.config.get("DEMO_LMS_CANVAS_URL") or service.issuer())


def sso_url(endpoint: str, **values) -> str:
    return sso_origin() + url_for(endpoint, **values)


def customer_url(endpoint: str, **values) -> str:
    return customer_origin() + url_for(endpoint, **values)


# -- the platform and its registration in the tool ------------------------------------
def canvas_platform(deployment_id: str | None = None) -> LtiPlatform:
    """Hosted Canvas; its deployment is the newest install in the demo course."""
    base = service.demo_platform()
    return LtiPlatform(
        issuer=issuer(), client_id=demo_data.CANVAS_CLIENT_ID,
        deployment_id=deployment_id or installs.current_deployment_id(
            PROFILE, demo_data.CONTEXT_ID),
        private_key_pem=base.private_key_pem, kid=KID,
        auth_login_url=sso_url("demo_lms.canvas_authorize_redirect"),
        token_url=sso_url("demo_lms.canvas_token"), jwks_url=sso_url("demo_lms.canvas_jwks"),
        product="canvas", storage_target=FORWARDING_TARGET,
    )


def ensure_registered(platform: LtiPlatform) -> None:
    """Register the developer key in the tool, as its dynamic registration with Canvas does.

    Canvas sends no deployment id at registration (it makes one per install),
    so the registration accepts new deployment ids of its client id; an
    operator may switch that off, and then adds each with
    `flask platform add-deployment`.
    """
    if platforms.find_platform(platform.issuer, platform.client_id):
        return
    platforms.add_platform(
        issuer=platform.issuer, client_id=platform.client_id,
        auth_login_url=platform.auth_login_url, auth_token_url=platform.token_url,
        static_jwks=platform.jwks(), deployment_ids=[], name="Demo Canvas",
        product_family="canvas", accepts_new_deployments=True,
    )


# -- 1. the login initiation, posted from the course page into the frame --------------
def login_hint(person: demo_data.DemoPerson) -> str:
    return installs.opaque_id("user", person.key)


def login_fields(platform: LtiPlatform, target: LaunchTarget) -> dict[str, str]:
    """`lti_advantage_adapter.rb#login_request`, as a captured Canvas login posts it."""
    person = target.person
    hint = {
        "verifier": secrets.token_hex(64), "canvas_domain": customer_origin(),
        "context_type": "Course", "context_id": demo_data.CONTEXT_ID,
        "canvas_locale": person.locale, "include_storage_target": True,
        "exp": int(time.time()) + HINT_LIFETIME,
        # What the demo needs to know again at /api/lti/authorize.
        "demo_person": person.key, "demo_type": target.message_type,
        "demo_link": target.link.key if target.link is not None else None,
    }
    return {
        "iss": platform.issuer,
        "login_hint": login_hint(person),
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
        "target_link_uri": _tool_url(target),
        "lti_message_hint": jwt.encode(hint, _hint_secret(), algorithm="HS512"),
        "canvas_environment": "prod",
        "canvas_region": "not_configured",
        "lti_storage_target": FORWARDING_TARGET,
    }


def read_hint(value: str) -> dict[str, Any]:
    try:
        return jwt.decode(value, _hint_secret(), algorithms=["HS512"],
                          options={"require": ["exp"]})
    except jwt.PyJWTError as exc:
        raise AuthorizationRefused(f"invalid lti_message_hint: {exc}") from exc


# -- 2. authorize_redirect (sso) -> authorize (customer domain) -> the frame ------------
def authorize_redirect_url(params: Mapping[str, str]) -> str:
    """The customer domain's /api/lti/authorize, from the hint's canvas_domain."""
    hint = read_hint(params.get("lti_message_hint", ""))
    domain = origin_of(hint.get("canvas_domain"))
    if domain is None:
        raise AuthorizationRefused("the lti_message_hint names no Canvas domain")
    return domain + url_for("demo_lms.canvas_authorize") + "?" + urlencode(dict(params))


def authorize(platform: LtiPlatform, params: Mapping[str, str], *,
              allowed_redirect_uris: Callable[[str], bool]) -> tuple[str, dict[str, str]]:
    """authentication_controller.rb#authorize: (redirect_uri, the fields posted back).

    A bad or unregistered redirect_uri is refused on a page (AuthorizationRefused);
    every other error is posted back to the tool as error, error_description, state.
    """
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri or not allowed_redirect_uris(redirect_uri.split("?", 1)[0]):
        raise AuthorizationRefused("Invalid redirect_uri")
    fields: dict[str, str] = {"utf8": "\u2713", "authenticity_token": secrets.token_urlsafe(32)}
    try:
        hint, target = _check_auth_request(platform, params)
        claims = launch_claims(platform, target, nonce=params["nonce"])
        fields["id_token"] = platform.sign(claims)
    except CanvasOidcError as exc:
        hint = None
        fields.update(error=exc.error, error_description=exc.description)
    if "state" in params:
        fields["state"] = params["state"]
    if hint and hint.get("include_storage_target"):
        fields["lti_storage_target"] = FORWARDING_TARGET
    return redirect_uri, fields


def _check_auth_request(platform: LtiPlatform, params: Mapping[str, str]):
    missing = [name for name in REQUIRED_AUTH_PARAMS if not params.get(name)]
    if missing:
        raise CanvasOidcError("invalid_request_object",
                              f"The following parameters are missing: {', '.join(missing)}")
    if params["scope"] != "openid":
        raise CanvasOidcError("invalid_request_object", "The 'scope' must be 'openid'")
    if params["client_id"] != platform.client_id:
        raise CanvasOidcError("unauthorized_client", "Client not authorized in requested context")
    try:
        hint = read_hint(params["lti_message_hint"])
    except AuthorizationRefused as exc:
        raise CanvasOidcError("invalid_request_object", "Invalid lti_message_hint") from exc
    person = demo_data.PEOPLE.get(str(hint.get("demo_person")))
    if person is None or params["login_hint"] != login_hint(person):
        raise CanvasOidcError("login_required", "Must have an active user session")
    if params["response_type"] != "id_token" or params["response_mode"] != "form_post":
        raise CanvasOidcError("invalid_request_object", "Unsupported response type or mode")
    try:
        target = launches.target_for_hint(person.key, str(hint.get("demo_type")),
                                          hint.get("demo_link"))
    except AuthorizationRefused as exc:
        raise CanvasOidcError("invalid_request_object", str(exc)) from exc
    return hint, target


def roles(person: demo_data.DemoPerson) -> list[str]:
    """As Canvas words them (captured student, teacher and admin launches)."""
    if person.role_label == "learner":
        return [INSTITUTION + "Student", MEMBERSHIP + "Learner", SYSTEM + "User"]
    if person.role_label == "administrator":
        return [INSTITUTION + "Administrator", MEMBERSHIP + "Instructor",
                SYSTEM + "SysAdmin", SYSTEM + "User"]
    return [INSTITUTION + "Instructor", MEMBERSHIP + "Instructor", SYSTEM + "User"]


def launch_claims(platform: LtiPlatform, target: LaunchTarget, *, nonce: str,
                  now: float | None = None) -> dict[str, Any]:
    """The id_token of `lib/lti/messages/jwt_message.rb`, with Canvas's quirks.

    Canvas's claim objects carry `validation_context: null` and an empty
    `errors` object, and unexpanded variables where a value is unknown.
    """
    now = int(time.time() if now is None else now)
    person, context = target.person, demo_data.CONTEXT_ID
    quirks = {"validation_context": None, "errors": {"errors": {}}}
    legacy_id = installs.opaque_id("lti11", person.key)
    claims: dict[str, Any] = {
        LTI + "message_type": target.message_type,
        LTI + "version": "1.3.0",
        "aud": platform.client_id, "azp": platform.client_id,
        LTI + "deployment_id": platform.deployment_id,
        "exp": now + 3600, "iat": now, "iss": platform.issuer, "nonce": nonce,
        "sub": demo_data.user_id(person),
        LTI + "target_link_uri": _tool_url(target),
        "picture": customer_origin() + "/images/messages/avatar-50.png",
        "email": person.email, "name": person.name,
        "given_name": person.given_name, "family_name": person.family_name,
        LTI + "lis": {"person_sourcedid": None,
                      "course_offering_sourcedid": "$CourseSection.sourcedId", **quirks},
        LTI + "context": {
            # Canvas's is a 40-hex opaque id; the demo's services know one course id.
            "id": context,
            "label": demo_data.CONTEXT_TITLE[:20], "title": demo_data.CONTEXT_TITLE,
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            **quirks,
        },
        LTI + "tool_platform": {
            "guid": installs.opaque_id("platform") + ":canvas-lms", "name": "Demo Canvas",
            "version": "cloud", "product_family_code": "canvas", **quirks,
        },
        LTI + "launch_presentation": {
            "document_target": "iframe", "return_url": customer_url("demo_lms.canvas_course"),
            "locale": person.locale, "height": 600, "width": 1000, **quirks,
        },
        "locale": person.locale,
        LTI + "roles": roles(person),
        LTI + "lti11_legacy_user_id": legacy_id,
        LTI + "lti1p1": {"user_id": legacy_id, **quirks},
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
            "context_memberships_url": customer_url("demo_lms.memberships", context=context),
            "service_versions": ["2.0"], **quirks,
        },
    }
    ags = {"scope": [*AGS_SCOPES, PROGRESS_SCOPE],
           "lineitems": customer_url("demo_lms.lineitems", context=context), **quirks}
    if target.link is not None:
        link = target.link
        claims[LTI + "resource_link"] = {
            "id": link.resource_link_id, "description": None, "title": link.title, **quirks}
        claims[LTI + "custom"] = links.custom_params(link)
        claims[PLACEMENT_CLAIM] = None  # an assignment (module item) launch
        ags["lineitem"] = customer_url(
            "demo_lms.lineitem", context=context, item_id=links.line_item_of_link(link).id)
    else:
        claims[DL + "deep_linking_settings"] = {
            "deep_link_return_url": customer_url("demo_lms.canvas_deep_linking_response"),
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_media_types": "application/vnd.ims.lti.v1.ltilink",
            "auto_create": True, "accept_multiple": True, "accept_lineitem": True,
            "data": launches.start_deep_linking(person.key), **quirks,
        }
        claims[PLACEMENT_CLAIM] = "link_selection"
    claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = ags
    return claims


# -- the post_message_forwarding frame's token --------------------------------------------
def forwarding_token(parent_origin: str) -> str:
    """The frame's `token`: which page (origin) it forwards to, signed (Canvas: HS512)."""
    return jwt.encode({"parent_domain": parent_origin,
                       "exp": int(time.time()) + FORWARDING_TOKEN_LIFETIME},
                      _hint_secret(), algorithm="HS512")


def read_forwarding_token(token: str) -> str | None:
    try:
        claims = jwt.decode(token, _hint_secret(), algorithms=["HS512"],
                            options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    return origin_of(claims.get("parent_domain"))


def _tool_url(target: LaunchTarget) -> str:
    if target.link is not None and target.link.url:
        return target.link.url
    return service.tool_url("lti.launch")


def _hint_secret() -> bytes:
    """Canvas signs its hints with a secret of its own: one derived from SECRET_KEY."""
    return hashlib.sha512(b"demo-canvas:" + str(current_app.config["SECRET_KEY"]).encode()).digest()
