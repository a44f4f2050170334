"""What the tool tells an LMS about itself, and Canvas's forms of it.

Two documents carry the same facts: the client registration of LTI Dynamic
Registration (spec section 3.6; with Canvas's extensions when the platform is
Canvas) and Canvas's developer key JSON for admins who register by hand
("Paste JSON" or "Enter URL"). Keeping both here keeps their scopes, claims
and placements the same. Field names follow Canvas's `doc/api/registration.md`,
`doc/api/lti_dev_key_config.md` and `lib/schemas/lti/tool_configuration.rb`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .claims import (
    DEEP_LINKING_REQUEST, LINEITEM_READONLY_SCOPE, LINEITEM_SCOPE, NRPS_SCOPE,
    RESOURCE_LINK_REQUEST, RESULT_READONLY_SCOPE, SCORE_SCOPE, TOOL_CONFIGURATION,
)

CANVAS = "https://canvas.instructure.com/lti/"
SCOPES = (
    LINEITEM_SCOPE,
    LINEITEM_READONLY_SCOPE,
    RESULT_READONLY_SCOPE,
    SCORE_SCOPE,
    NRPS_SCOPE,
)
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email", "locale")
RESOURCE_LINK, DEEP_LINKING = RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST
TOOL_NAME, TOOL_ID = "Kennisdeling", "kennisdeling"
# Sent in both languages (language-tagged fields, spec section 3.6) whatever
# language the admin's browser reads: the LMS shows them to everyone.
DESCRIPTION = (
    "Training for library staff: modules, self-checks, shadowing days and certificates."
)
DESCRIPTION_NL = (
    "Opleiding voor bibliotheekmedewerkers: modules, zelftoetsen, meeloopdagen en "
    "certificaten."
)
DEEP_LINK_LABEL = "Kennisdeling: add a course or module"
DEEP_LINK_LABEL_NL = "Kennisdeling: cursus of module toevoegen"


@dataclass(frozen=True)
class ToolUrls:
    login: str
    launch: str
    jwks: str

    @property
    def domain(self) -> str:
        """host[:port] without a scheme, as both Canvas and the spec want `domain`."""
        return urlsplit(self.launch).netloc


def registration_body(
    urls: ToolUrls,
    *,
    product_family: str,
    scopes_supported: frozenset[str] | None,
    message_types: frozenset[str] | None,
) -> dict:
    """The client registration we POST to the platform's registration endpoint."""
    is_canvas = product_family == "canvas"
    tool: dict[str, object] = {
        "domain": urls.domain,
        "target_link_uri": urls.launch,
        "custom_parameters": {},
        "description": DESCRIPTION,
        "description#nl": DESCRIPTION_NL,
        "claims": list(CLAIMS),
        "messages": _messages(urls, is_canvas=is_canvas, message_types=message_types),
    }
    if is_canvas:
        tool[CANVAS + "privacy_level"] = "public"  # names for certificates
        tool[CANVAS + "tool_id"] = TOOL_ID
        tool[CANVAS + "vendor"] = TOOL_NAME
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login,
        "redirect_uris": [urls.launch],  # deep-linking launches land there too
        "client_name": TOOL_NAME,
        "client_name#nl": TOOL_NAME,
        "jwks_uri": urls.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        # Asking for a scope the platform does not offer can fail the whole
        # registration; without a list we ask for all.
        "scope": " ".join(
            s for s in SCOPES if scopes_supported is None or s in scopes_supported
        ),
        TOOL_CONFIGURATION: tool,
    }


def _messages(
    urls: ToolUrls, *, is_canvas: bool, message_types: frozenset[str] | None
) -> list[dict]:
    link: dict[str, object] = {
        "type": RESOURCE_LINK,
        "target_link_uri": urls.launch,
        "label": TOOL_NAME,
        "label#nl": TOOL_NAME,
    }
    deep: dict[str, object] = {
        "type": DEEP_LINKING,
        "target_link_uri": urls.launch,
        "label": DEEP_LINK_LABEL,
        "label#nl": DEEP_LINK_LABEL_NL,
        "placements": ["ContentArea"],  # the spec's name; Moodle's activity chooser
    }
    if is_canvas:
        # Canvas offers a resource link only where a placement puts it: the
        # course menu entry opens the tool's start page for the course.
        link["placements"] = ["course_navigation"]
        link[CANVAS + "course_navigation/default_enabled"] = True
        deep["placements"] = ["link_selection", "assignment_selection"]
        for message in (link, deep):
            message[CANVAS + "display_type"] = "default"
    if message_types is not None and DEEP_LINKING not in message_types:
        # Never drop the resource link: every LTI 1.3 platform launches those,
        # and old Moodles misspelled its type in this list.
        return [link]
    return [link, deep]


def developer_key(urls: ToolUrls) -> dict:
    """Canvas's LTI 1.3 developer key JSON (Admin > Developer Keys > LTI key)."""

    def placement(name: str, message_type: str, **extra: str) -> dict:
        return {
            "placement": name,
            "message_type": message_type,
            "target_link_uri": urls.launch,
            "text": TOOL_NAME,
            **extra,
        }

    return {
        "title": TOOL_NAME,
        "description": DESCRIPTION,
        "oidc_initiation_url": urls.login,
        "target_link_uri": urls.launch,
        "public_jwk_url": urls.jwks,  # a URL, so key rotation needs no admin
        "scopes": list(SCOPES),
        "custom_fields": {},
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": urls.domain,
                "tool_id": TOOL_ID,
                "privacy_level": "public",
                "settings": {
                    "text": TOOL_NAME,
                    "placements": [
                        placement(
                            "course_navigation", RESOURCE_LINK, default="enabled"
                        ),
                        placement("link_selection", DEEP_LINKING),
                        placement("assignment_selection", DEEP_LINKING),
                    ],
                },
            }
        ],
    }
