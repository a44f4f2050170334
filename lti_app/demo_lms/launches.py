"""Who launches what: the login initiation and the id_token's content for a demo launch."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ..lti.store import get_store
from . import demo_data, links, service
from .demo_data import DemoPerson
from .models import DemoLink
from .platform import AGS_SCOPES, AuthorizationRefused, LaunchRequest, LtiPlatform

RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
# A deep linking session: how long a trainer may take to choose content.
DEEP_LINKING_LIFETIME = 3600


class UnknownLaunch(Exception):
    """No such person or link in the demo course."""


@dataclass(frozen=True)
class LaunchTarget:
    """Who launches what, before any profile (demo, Moodle, Canvas) words it."""

    person: DemoPerson
    message_type: str
    link: DemoLink | None = None  # a resource link launch's link


def launch_target(person_key: str, message_type: str, link_key: str | None) -> LaunchTarget:
    """The launch a course page offers; UnknownLaunch for anything it does not offer."""
    person = demo_data.PEOPLE.get(person_key)
    if person is None:
        raise UnknownLaunch(person_key)
    if message_type == RESOURCE_LINK:
        link = links.find_link(link_key or "")
        if link is None:
            raise UnknownLaunch(link_key)
        return LaunchTarget(person, message_type, link)
    if message_type == DEEP_LINKING:
        if person.role_label == "learner":
            raise UnknownLaunch("learners cannot add content")
        return LaunchTarget(person, message_type)
    raise UnknownLaunch(message_type)


def target_for_hint(person_key: str, message_type: str, link_key: str | None) -> LaunchTarget:
    """launch_target at the authorization step: a refusal there is an OIDC one."""
    try:
        return launch_target(person_key, message_type, link_key)
    except UnknownLaunch as exc:
        raise AuthorizationRefused("unknown login_hint or lti_message_hint") from exc


def login_fields(platform: LtiPlatform, *, person_key: str, link_key: str | None,
                 message_type: str) -> dict[str, str]:
    """The third-party initiated login the demo LMS posts to the tool's /lti/login."""
    person = demo_data.PEOPLE.get(person_key)
    hint: dict[str, str] = {"type": message_type}
    target = service.tool_url("lti.launch")
    if person is None:
        raise UnknownLaunch(person_key)
    if message_type == RESOURCE_LINK:
        link = links.find_link(link_key or "")
        if link is None:
            raise UnknownLaunch(link_key)
        hint["link"] = link.key
        target = link.url or target
    elif message_type == DEEP_LINKING:
        if person.role_label == "learner":
            raise UnknownLaunch("learners cannot add content")
        hint["data"] = start_deep_linking(person_key)
    else:
        raise UnknownLaunch(message_type)
    return platform.login_initiation(
        target_link_uri=target, login_hint=person.key,
        lti_message_hint=LtiPlatform.encode_hint(hint),
    )


def start_deep_linking(person_key: str) -> str:
    """The `data` value the tool must echo; it names one deep linking session."""
    data = secrets.token_urlsafe(24)
    get_store().put(_data_key(data), {"person": person_key}, DEEP_LINKING_LIFETIME)
    return data


def finish_deep_linking(data: object) -> bool:
    """Use up a deep linking session; False when unknown, expired or used."""
    if not isinstance(data, str) or not data:
        return False
    return get_store().pop(_data_key(data)) is not None


def launch_request(login_hint: str, message_hint: str) -> LaunchRequest:
    """The launch the tool's authorization request asks for (platform.authorize)."""
    person = demo_data.PEOPLE.get(login_hint)
    hint = LtiPlatform.decode_hint(message_hint)
    message_type = hint.get("type", RESOURCE_LINK)
    if person is None or message_type not in (RESOURCE_LINK, DEEP_LINKING):
        raise AuthorizationRefused("unknown login_hint or lti_message_hint")
    context = demo_data.CONTEXT_ID
    ags = {"scope": list(AGS_SCOPES), "lineitems": lineitems_url(context)}
    fields: dict = {}
    if message_type == RESOURCE_LINK:
        link = links.find_link(str(hint.get("link", "")))
        if link is None:
            raise AuthorizationRefused("unknown lti_message_hint")
        ags["lineitem"] = lineitem_url(context, links.line_item_of_link(link).id)
        fields = dict(
            resource_link_id=link.resource_link_id, resource_link_title=link.title,
            custom=links.custom_params(link),
            target_link_uri=link.url or service.tool_url("lti.launch"),
        )
    else:
        fields = dict(
            resource_link_id=None,
            deep_link_return_url=service.lms_url("demo_lms.deep_link_return"),
            deep_link_data=str(hint.get("data", "")),
            target_link_uri=service.tool_url("lti.launch"),
        )
    return LaunchRequest(
        sub=demo_data.user_id(person), roles=person.roles, context_id=context,
        context_title=demo_data.CONTEXT_TITLE, name=person.name,
        given_name=person.given_name, family_name=person.family_name, email=person.email,
        locale=person.locale, message_type=message_type,
        return_url=service.lms_url("demo_lms.index"), ags=ags,
        nrps_url=service.lms_url("demo_lms.memberships", context=context),
        **fields,
    )


def lineitems_url(context_id: str) -> str:
    return service.lms_url("demo_lms.lineitems", context=context_id)


def lineitem_url(context_id: str, item_id: int) -> str:
    return service.lms_url("demo_lms.lineitem", context=context_id, item_id=item_id)


def _data_key(data: str) -> str:
    return f"demo-dl-data:{data}"
