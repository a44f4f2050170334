"""The tool's LtiDeepLinkingResponse: signed content items for the LMS.

Features hand over plain `ContentItem`s; pylti1p3 builds and signs the JWT
(Security Framework: iss = our client id, aud = the platform, nonce, short exp,
signed with a key in our JWKS).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import url_for
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from .claims import DEPLOYMENT_ID, DL_DATA, DL_SETTINGS, is_http_url
from .exceptions import LaunchRefused
from .launch import ToolMessageLaunch
from .launch_store import SharedLaunchDataStorage
from .tool_config import DatabaseToolConf

RESPONSE_LIFETIME = 300  # seconds


@dataclass(frozen=True)
class ContentItem:
    title: str
    custom: dict[str, str] = field(default_factory=dict)
    score_maximum: float | None = None  # with it, the LMS makes a gradebook column
    resource_id: str | None = None
    tag: str | None = None


class ShortLivedDeepLink(DeepLink):
    def get_message_jwt(self, resources):
        message = super().get_message_jwt(resources)
        message["exp"] = int(time.time()) + RESPONSE_LIFETIME
        if message.get(DL_DATA) is None:
            # Only echo `data` when the platform sent it.
            del message[DL_DATA]
        return message


def deep_link_response(launch_id: str, items: list[ContentItem]) -> tuple[str, str]:
    """(deep_link_return_url, signed JWT) answering the launch's deep linking request."""
    launch = ToolMessageLaunch.from_cache(
        launch_id, FlaskRequest(), DatabaseToolConf(), launch_data_storage=SharedLaunchDataStorage()
    )
    claims = launch.get_launch_data()
    settings = claims[DL_SETTINGS]
    if not is_http_url(settings.get("deep_link_return_url")):
        # The launch checked it; launch data saved before that check had not.
        raise LaunchRefused("bad_return_url")
    deep_link = ShortLivedDeepLink(
        launch._registration,
        claims[DEPLOYMENT_ID],
        settings,
    )
    resources = [_resource(item) for item in items]
    return settings["deep_link_return_url"], deep_link.get_response_jwt(resources)


def _resource(item: ContentItem) -> DeepLinkResource:
    resource = (
        DeepLinkResource()
        .set_url(url_for("lti.launch", _external=True))
        .set_title(item.title)
        .set_custom_params(item.custom)
    )
    if item.score_maximum is not None:
        line_item = LineItem().set_label(item.title).set_score_maximum(item.score_maximum)
        if item.resource_id:
            line_item.set_resource_id(item.resource_id)
        if item.tag:
            line_item.set_tag(item.tag)
        resource.set_lineitem(line_item)
    return resource
