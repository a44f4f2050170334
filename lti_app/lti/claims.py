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
            name=_text(body.get("name")),
            given_name=_text(body.get("given_name")),
            family_name=_text(body.get("family_name")),
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
        custom={k: v for k, v in _object(body.get(CUSTOM)).items()
                if isinstance(k, str) and isinstance(v, str)},
        lineitems_url=_url(ags.get("lineitems")),
        lineitem_url=_url(ags.get("lineitem")),
        ags_scopes=_strings(ags.get("scope")),
        memberships_url=_url(nrps.get("context_memberships_url")),
        return_url=_safe_url(presentation.get("return_url")),
    )


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


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
    if isinstance(value, str) and origin_of(value):
        return value[:2000]
    return None
