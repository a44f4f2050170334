"""The Moodle profile: the demo LMS speaking LTI 1.3 as Moodle 4.5's mod/lti does.

From Moodle's own code (mod/lti/locallib.php, mod/lti/auth.php, 4.5.5+):

- the login initiation is a form POSTed from the frame (`lti_initiate_login`):
  `iss, target_link_uri, login_hint ($USER->id), lti_message_hint
  ({"cmid":…,"launchid":…}), client_id, lti_deployment_id (the tool type's
  id)`; no `lti_storage_target`: Moodle offers no platform storage;
- the launch is kept in the user's session under its launchid, and auth.php
  removes it when it is used: a hint is accepted **once**; a second use ends
  on Moodle's "Invalid request" error page;
- the id_token (`lti_sign_jwt`): `aud` the client id (a string, no `azp`),
  `exp` 60 s after `iat`, the deployment id the tool type's id as a string,
  custom parameters with lowercased names (and the name as typed when that
  differs), context type "CourseSection", sorted roles, `ext` and `lis`;
- deep linking (`lti_build_content_item_selection_request`): its settings
  carry no `data`; the return URL (contentitem_return.php) names the course,
  the tool type and the session key.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..lti.store import get_store
from . import demo_data, launches, links, service
from .launches import DEEP_LINKING, RESOURCE_LINK, LaunchTarget
from .platform import AGS_SCOPES, DL, INSTITUTION, LTI, MEMBERSHIP, SYSTEM, LtiPlatform

PROFILE = "moodle"
VERSION = "2024100705.01"  # $CFG->version of 4.5.5+
SITE_SHORTNAME = "Demo Moodle"
SITE_FULLNAME = "Demo Moodle (Kennisdeling)"
TOOL_NAME = "Kennisdeling"
# How long a launch waits in "the user's session" for its auth request.
SESSION_LIFETIME = 2 * 3600
MESSAGE_TYPES = {RESOURCE_LINK: "basic-lti-launch-request", DEEP_LINKING: "ContentItemSelectionRequest"}


class InvalidRequest(Exception):
    """Moodle's `moodle_exception('invalidrequest', 'error')`: its error page, 404."""


def moodle_platform() -> LtiPlatform:
    """The demo site as Moodle: the demo's issuer, key and client id, Moodle's deployment."""
    base = service.demo_platform()
    return LtiPlatform(
        issuer=base.issuer, client_id=base.client_id,
        deployment_id=demo_data.MOODLE_TOOL_TYPE_ID, private_key_pem=base.private_key_pem,
        kid=base.kid, auth_login_url=base.auth_login_url, token_url=base.token_url,
        jwks_url=base.jwks_url, product="moodle", storage_target=None,
    )


def login_fields(platform: LtiPlatform, target: LaunchTarget) -> dict[str, str]:
    """What `lti_initiate_login` posts to the tool's login URL, in its order."""
    hint: dict[str, Any] = {}
    if target.link is not None:
        launch_id = f"ltilaunch{target.link.id}_{secrets.randbelow(2**31)}"
        hint["cmid"] = target.link.id
    else:
        launch_id = f"ltilaunch_{MESSAGE_TYPES[DEEP_LINKING]}{secrets.randbelow(2**31)}"
    hint["launchid"] = launch_id
    get_store().put(_session_key(launch_id), {
        "person": target.person.key, "type": target.message_type,
        "link": target.link.key if target.link is not None else None,
    }, SESSION_LIFETIME)
    return {
        "iss": platform.issuer,
        "target_link_uri": _tool_url(target),
        "login_hint": demo_data.moodle_user_id(target.person),
        "lti_message_hint": json.dumps(hint, separators=(",", ":")),
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
    }


def is_moodle_hint(message_hint: str) -> bool:
    """Moodle's hint is plain JSON; the demo profile's is base64."""
    return message_hint.lstrip().startswith("{")


def authorize(platform: LtiPlatform, params: Mapping[str, str], *,
              allowed_redirect_uris: Callable[[str], bool]) -> tuple[str, dict[str, str]]:
    """auth.php: (redirect_uri, form fields), or InvalidRequest (Moodle's error page).

    As in auth.php, a request that fails before the launch is found in the
    session, or names a redirect URI the tool did not register, gets the error
    page; later failures are posted back to the tool as `error`.
    """
    get = lambda name: params.get(name, "")  # noqa: E731 - optional_param(…, '')
    names = ("scope", "response_type", "client_id", "redirect_uri", "login_hint", "nonce")
    ok = all(get(name) for name in names)
    try:
        hint = json.loads(get("lti_message_hint"))
    except ValueError:
        hint = None
    launch_id = hint.get("launchid") if isinstance(hint, dict) else None
    ok = ok and isinstance(launch_id, str) and bool(launch_id)
    ok = ok and get("scope") == "openid" and get("response_type") == "id_token"
    if not ok:
        raise InvalidRequest("no configuration: the redirect URI cannot be trusted")
    session = get_store().pop(_session_key(launch_id))  # unset($SESSION->$launchid)
    if session is None or not allowed_redirect_uris(get("redirect_uri")):
        raise InvalidRequest("unknown launch or redirect URI")
    person = demo_data.PEOPLE.get(session["person"])
    error = description = None
    if get("client_id") != platform.client_id:
        error = "unauthorized_client"
    elif person is None or get("login_hint") != demo_data.moodle_user_id(person):
        error = "access_denied"
    elif get("response_mode") != "form_post":
        error, description = "invalid_request", "Invalid response_mode"
    elif get("prompt") and get("prompt") != "none":
        error, description = "invalid_request", "Invalid prompt"
    if error:
        fields = {"error": error, **({"error_description": description} if description else {})}
    else:
        target = launches.target_for_hint(person.key, session["type"], session["link"])
        fields = {"id_token": platform.sign(launch_claims(platform, target, nonce=get("nonce")))}
    fields["state"] = get("state")
    return get("redirect_uri"), fields


def launch_claims(platform: LtiPlatform, target: LaunchTarget, *, nonce: str,
                  now: float | None = None) -> dict[str, Any]:
    """The id_token `lti_sign_jwt` makes of `lti_get_launch_data`'s parameters."""
    now = int(time.time() if now is None else now)
    person, context = target.person, demo_data.CONTEXT_ID
    claims: dict[str, Any] = {
        "nonce": nonce, "iat": now, "exp": now + 60, "iss": platform.issuer,
        "aud": platform.client_id,
        LTI + "deployment_id": str(platform.deployment_id),
        LTI + "target_link_uri": _tool_url(target),
        "sub": demo_data.user_id(person),
        LTI + "lis": {"person_sourcedid": "", "course_section_sourcedid": ""},
        LTI + "roles": roles(person),
        LTI + "context": {"id": context, "label": demo_data.CONTEXT_TITLE[:20],
                          "title": demo_data.CONTEXT_TITLE, "type": ["CourseSection"]},
        LTI + "message_type": target.message_type,
        "given_name": person.given_name, "family_name": person.family_name,
        "name": person.name, "email": person.email,
        LTI + "ext": {"user_username": person.key, "lms": "moodle-2"},
        LTI + "launch_presentation": {"locale": person.locale},
        LTI + "tool_platform": {
            "product_family_code": "moodle", "version": VERSION,
            "guid": _host(platform.issuer), "name": SITE_SHORTNAME,
            "description": SITE_FULLNAME,
        },
        LTI + "version": "1.3.0",
    }
    ags = {"scope": sorted(AGS_SCOPES), "lineitems": launches.lineitems_url(context)}
    if target.link is not None:
        link = target.link
        # Moodle's id is the activity's number; the demo keeps one id per link
        # for all profiles, as its line items service knows links by it.
        claims[LTI + "resource_link"] = {
            "title": link.title, "description": "", "id": link.resource_link_id}
        claims[LTI + "launch_presentation"].update(
            document_target="iframe",
            return_url=service.lms_url("demo_lms.index", profile=PROFILE),
        )
        ags["lineitem"] = launches.lineitem_url(context, links.line_item_of_link(link).id)
        custom = custom_parameters(links.custom_params(link))
    else:
        claims[DL + "deep_linking_settings"] = {
            "accept_copy_advice": False, "accept_multiple": True,
            "accept_presentation_document_targets": ["frame", "iframe", "window"],
            "accept_types": ["ltiResourceLink"], "accept_unsigned": False,
            "auto_create": False, "can_confirm": False,
            "deep_link_return_url": service.lms_url(
                "demo_lms.moodle_contentitem_return", course=context,
                id=demo_data.MOODLE_TOOL_TYPE_ID,
                sesskey=launches.start_deep_linking(person.key)),
            "title": TOOL_NAME, "text": "",
        }
        custom = {}
    if custom:
        claims[LTI + "custom"] = custom
    claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = ags
    claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
        "context_memberships_url": service.lms_url("demo_lms.memberships", context=context),
        "service_versions": ["1.0", "2.0"],
    }
    return claims


def custom_parameters(custom: Mapping[str, str]) -> dict[str, str]:
    """`lti_split_custom_parameters` for LTI 1.3: lowercased names, both when they differ."""
    result: dict[str, str] = {}
    for name, value in custom.items():
        mapped = re.sub(r"[^a-z0-9]", "_", name.strip().lower())
        result[mapped] = value
        if mapped != name:
            result[name] = value
    return result


def roles(person: demo_data.DemoPerson) -> list[str]:
    """`lti_get_ims_role`, as `lti_sign_jwt` converts and sorts it."""
    if person.role_label == "learner":
        return [MEMBERSHIP + "Learner"]
    found = [MEMBERSHIP + "Instructor"]
    if person.role_label == "administrator":  # a site admin: sysrole and instrole too
        found += [SYSTEM + "Administrator", INSTITUTION + "Administrator"]
    return sorted(found)


def _tool_url(target: LaunchTarget) -> str:
    if target.link is not None and target.link.url:
        return target.link.url
    return service.tool_url("lti.launch")


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def _session_key(launch_id: str) -> str:
    return f"demo-moodle-session:{launch_id}"
