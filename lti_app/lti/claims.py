"""The LTI claim and scope URIs, and a launch's claims read into plain values.

Every `purl.imsglobal.org` name the tool uses is written here once. The id_token
body is parsed here, with type checks, into a `LaunchClaims` that the features
store (people.service) without knowing the claim names. Values are stripped
and empty ones become None; the columns' lengths are the storing side's rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..origins import origin_of

# -- the claims of a launch (LTI 1.3 core, AGS, NRPS, Deep Linking) -----------------
LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI_CLAIM + "message_type"
DEPLOYMENT_ID = LTI_CLAIM + "deployment_id"
CONTEXT = LTI_CLAIM + "context"
RESOURCE_LINK = LTI_CLAIM + "resource_link"
ROLES = LTI_CLAIM + "roles"
CUSTOM = LTI_CLAIM + "custom"
LAUNCH_PRESENTATION = LTI_CLAIM + "launch_presentation"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_SERVICE = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DL_SETTINGS = DL_CLAIM + "deep_linking_settings"
DL_DATA = DL_CLAIM + "data"

# -- OAuth2 scopes of the LTI Advantage services ------------------------------------
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LINEITEM_SCOPE = AGS_SCOPE + "lineitem"
LINEITEM_READONLY_SCOPE = AGS_SCOPE + "lineitem.readonly"
RESULT_READONLY_SCOPE = AGS_SCOPE + "result.readonly"
SCORE_SCOPE = AGS_SCOPE + "score"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

# -- LTI Dynamic Registration -------------------------------------------------------
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"


@dataclass(frozen=True)
class PersonClaims:
    sub: str
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class LaunchClaims:
    person: PersonClaims
    message_type: str
    deployment_id: str
    context_id: str | None = None  # None: a launch from outside a course
    context_title: str | None = None
    context_label: str | None = None
    resource_link_id: str | None = None
    resource_link_title: str | None = None
    roles: tuple[str, ...] = ()
    custom: Mapping[str, str] = field(default_factory=dict)
    lineitems_url: str | None = None  # AGS: the context's line items
    lineitem_url: str | None = None  # AGS: the link's own column
    ags_scopes: tuple[str, ...] = ()
    memberships_url: str | None = None  # NRPS
    return_url: str | None = None  # only http(s), never javascript: or data:

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == DEEP_LINKING_REQUEST


# -- type and length checks, before anything is looked up or stored ----------------
ID_LIMIT = 255  # sub, deployment, context and link ids (the columns' length)
NAME_LIMIT = 200  # a person's name parts, cut to this
ROLE_LIMIT = 1000  # one role URI
URL_LIMIT = 1000  # service URLs (the columns' length)


class BadClaim(Exception):
    """A claim of the wrong type or size; lti.launch refuses the launch with its name."""

    def __init__(self, claim: str) -> None:
        super().__init__(claim)
        self.claim = claim


def check_claims(body: Mapping[str, Any]) -> None:
    """Refuse (BadClaim) claims the tool uses that have the wrong type, and ids
    and URLs that are too long or hold a NUL character. Display text (names,
    titles) is not refused for its length or a NUL: parse_launch_claims drops
    the NUL and cuts it (names to NAME_LIMIT)."""
    _check_id("sub", body.get("sub"), required=True, number_ok=False)
    _check_id("deployment_id", body.get(DEPLOYMENT_ID), number_ok=False)
    for name in ("name", "given_name", "family_name", "email"):
        _check_text(name, body.get(name))
    for claim, short in ((MESSAGE_TYPE, "message_type"), (LTI_CLAIM + "version", "version")):
        _check_text(short, body.get(claim), 100)
    roles = body.get(ROLES)
    if roles is not None and not (
        isinstance(roles, list)
        and all(isinstance(r, str) and len(r) <= ROLE_LIMIT and "\x00" not in r for r in roles)
    ):
        raise BadClaim("roles")
    context = _checked_object("context", body, CONTEXT)
    if context is not None:
        _check_id("context.id", context.get("id"), required=True)
        _check_text("context.title", context.get("title"))
        _check_text("context.label", context.get("label"))
    link = _checked_object("resource_link", body, RESOURCE_LINK)
    if link is not None:
        _check_id("resource_link.id", link.get("id"), required=True)
        _check_text("resource_link.title", link.get("title"))
    _checked_object("custom", body, CUSTOM)
    presentation = _checked_object("launch_presentation", body, LAUNCH_PRESENTATION)
    if presentation is not None:
        _check_text("launch_presentation.locale", presentation.get("locale"))
        _check_url("launch_presentation.return_url", presentation.get("return_url"), 2000)
    ags = _checked_object("endpoint", body, AGS_ENDPOINT)
    if ags is not None:
        _check_url("endpoint.lineitems", ags.get("lineitems"), URL_LIMIT)
        _check_url("endpoint.lineitem", ags.get("lineitem"), URL_LIMIT)
        scopes = ags.get("scope")
        if scopes is not None and not (
            isinstance(scopes, list)
            and all(isinstance(x, str) and "\x00" not in x for x in scopes)
        ):
            raise BadClaim("endpoint.scope")
    nrps = _checked_object("namesroleservice", body, NRPS_SERVICE)
    if nrps is not None:
        _check_url("namesroleservice.context_memberships_url",
                   nrps.get("context_memberships_url"), URL_LIMIT)
    if body.get(MESSAGE_TYPE) == DEEP_LINKING_REQUEST:
        settings = body.get(DL_SETTINGS)
        if not isinstance(settings, Mapping):
            raise BadClaim("deep_linking_settings")
        return_url = settings.get("deep_link_return_url")
        if not is_http_url(return_url) or len(return_url) > 2000:
            raise BadClaim("deep_link_return_url")


def is_http_url(value: Any) -> bool:
    """An absolute http(s) URL (never javascript:, data: or a relative one)."""
    return isinstance(value, str) and "\x00" not in value and origin_of(value) is not None


def _checked_object(short: str, body: Mapping[str, Any], claim: str) -> Mapping | None:
    value = body.get(claim)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise BadClaim(short)
    return value


def _check_id(short: str, value: Any, *, required: bool = False,
              number_ok: bool = True) -> None:
    if value is None:
        if required:
            raise BadClaim(short)
        return
    if number_ok and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value or len(value) > ID_LIMIT or "\x00" in value:
        raise BadClaim(short)


def _check_text(short: str, value: Any, limit: int | None = None) -> None:
    """Display text: a string; with `limit`, a value compared as it is (no NUL, not longer)."""
    if value is None:
        return
    if not isinstance(value, str):
        raise BadClaim(short)
    if limit is not None and (len(value) > limit or "\x00" in value):
        raise BadClaim(short)


def _check_url(short: str, value: Any, limit: int) -> None:
    if value is None:
        return
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise BadClaim(short)


def parse_launch_claims(body: Mapping[str, Any]) -> LaunchClaims:
    """The claims of a validated id_token; odd types count as absent."""
    context = _object(body.get(CONTEXT))
    link = _object(body.get(RESOURCE_LINK))
    presentation = _object(body.get(LAUNCH_PRESENTATION))
    ags = _object(body.get(AGS_ENDPOINT))
    nrps = _object(body.get(NRPS_SERVICE))
    return LaunchClaims(
        person=PersonClaims(
            sub=str(body["sub"]),
            name=_text(body.get("name"), NAME_LIMIT),
            given_name=_text(body.get("given_name"), NAME_LIMIT),
            family_name=_text(body.get("family_name"), NAME_LIMIT),
            email=_text(body.get("email")),
            locale=_text(presentation.get("locale")),
        ),
        message_type=str(body.get(MESSAGE_TYPE) or ""),
        deployment_id=str(body.get(DEPLOYMENT_ID) or ""),
        context_id=_identifier(context.get("id")),
        context_title=_text(context.get("title")),
        context_label=_text(context.get("label")),
        resource_link_id=_identifier(link.get("id")),
        resource_link_title=_text(link.get("title")),
        roles=_strings(body.get(ROLES)),
        custom={k: v.replace("\x00", "") for k, v in _object(body.get(CUSTOM)).items()
                if isinstance(k, str) and isinstance(v, str) and "\x00" not in k},
        lineitems_url=_url(ags.get("lineitems")),
        lineitem_url=_url(ags.get("lineitem")),
        ags_scopes=_strings(ags.get("scope")),
        memberships_url=_url(nrps.get("context_memberships_url")),
        return_url=_safe_url(presentation.get("return_url")),
    )


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any, limit: int | None = None) -> str | None:
    if not isinstance(value, str):
        return None
    # A NUL in a name or title is dropped (it cannot be stored, nor is it meant).
    return value.replace("\x00", "").strip()[:limit].strip() or None


def _identifier(value: Any) -> str | None:
    # Ids are strings in the spec; some platforms send numbers.
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None
    return str(value) if value else None


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _safe_url(value: Any) -> str | None:
    """Only http(s) links back to the LMS (never javascript: or data:)."""
    if is_http_url(value):
        return value[:2000]
    return None
