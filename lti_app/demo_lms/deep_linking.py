"""The tool's deep linking response: verify it, then add its links to the demo course."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from ..lti import keys
from . import launches, links
from .models import DemoLink
from .platform import DL, LtiPlatform, ToolJwtRefused
from .tokens import claim_once

NONCE_LIFETIME = 3600  # longer than any response the tool signs may live


class DeepLinkingRefused(Exception):
    """The response is not valid; nothing is added."""


@dataclass(frozen=True)
class DeepLinkingOutcome:
    added: list[DemoLink]
    skipped: int  # content items of a type the demo LMS did not ask for
    message: str | None
    error_message: str | None


def receive_response(platform: LtiPlatform, token: str | None, *,
                     session: str | None = None) -> DeepLinkingOutcome:
    """Verify and apply a response; `session` names the request where the
    platform sent no `data` (Moodle: its return URL carries the session key)."""
    if not token:
        raise DeepLinkingRefused("the form field JWT is missing")
    try:
        # The tool's key set is read in-process; a real LMS fetches /lti/jwks,
        # which in a single-worker dev server would wait for itself forever.
        claims = platform.verify_deep_linking_response(
            token, tool_jwks=keys.public_jwks(), leeway=current_app.config["LTI_CLOCK_LEEWAY"]
        )
    except ToolJwtRefused as exc:
        raise DeepLinkingRefused(str(exc)) from exc
    if not claim_once(f"demo-dl-nonce:{claims['nonce']}", NONCE_LIFETIME):
        raise DeepLinkingRefused("this response was received before (nonce)")
    if session is not None:
        if not launches.finish_deep_linking(session):
            raise DeepLinkingRefused("the return URL names no open deep linking request")
    elif not launches.finish_deep_linking(claims.get(DL + "data")):
        raise DeepLinkingRefused("data does not echo an open deep linking request")
    items = claims.get(DL + "content_items", [])
    specs = [_parse_item(item) for item in items if item.get("type") == "ltiResourceLink"]
    added = [links.add_link(**spec) for spec in specs]
    return DeepLinkingOutcome(
        added=added, skipped=len(items) - len(specs),
        message=_text(claims.get(DL + "msg")), error_message=_text(claims.get(DL + "errormsg")),
    )


def _parse_item(item: dict[str, Any]) -> dict[str, Any]:
    title = item.get("title")
    url = item.get("url")
    custom = item.get("custom") or {}
    if title is not None and not isinstance(title, str):
        raise DeepLinkingRefused("a content item's title must be a string")
    is_web_url = isinstance(url, str) and url.startswith(("https://", "http://"))
    if url is not None and not is_web_url:
        raise DeepLinkingRefused("a content item's url must be an http(s) URL")
    if not isinstance(custom, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in custom.items()
    ):
        raise DeepLinkingRefused("custom must map names to string values")
    return {
        "title": (title or "").strip()[:500] or "Untitled link",
        "url": url,
        "custom": custom,
        "line_item": _line_item(item.get("lineItem"), title),
    }


def _line_item(value: Any, title: str | None) -> links.LineItemSpec | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise DeepLinkingRefused("lineItem must be an object")
    maximum = value.get("scoreMaximum")
    if isinstance(maximum, bool) or not isinstance(maximum, (int, float)) or maximum <= 0:
        raise DeepLinkingRefused("lineItem.scoreMaximum must be a number above 0")
    fields = {name: value.get(name) for name in ("label", "resourceId", "tag")}
    if any(v is not None and not isinstance(v, str) for v in fields.values()):
        raise DeepLinkingRefused("lineItem label, resourceId and tag must be strings")
    return links.LineItemSpec(
        score_maximum=float(maximum), label=fields["label"] or title,
        resource_id=fields["resourceId"], tag=fields["tag"],
    )


def _text(value: Any) -> str | None:
    return value[:1000] if isinstance(value, str) and value else None
