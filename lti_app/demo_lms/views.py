"""The demo LMS's pages and its LTI platform endpoints."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, url_for

from ..extensions import csrf, db
from . import bp, demo_data, service
from .platform import AuthorizationRefused, LaunchRequest, LtiPlatform


@bp.get("/")
def index():
    platform = service.demo_platform()
    service.ensure_registered(platform)
    db.session.commit()
    return render_template(
        "demo_lms/index.html", people=demo_data.PEOPLE.values(), links=demo_data.LINKS.values(),
        course_title=demo_data.CONTEXT_TITLE,
    )


@bp.get("/start")
def start():
    """Step 1 in the iframe: post the third-party initiated login to the tool."""
    person = demo_data.PEOPLE.get(request.args.get("person", ""))
    link = demo_data.LINKS.get(request.args.get("link", ""))
    message_type = request.args.get("type", "LtiResourceLinkRequest")
    if person is None or link is None:
        abort(404)
    if message_type not in ("LtiResourceLinkRequest", "LtiDeepLinkingRequest"):
        abort(400)
    platform = service.demo_platform()
    hint = LtiPlatform.encode_hint({"link": link.key, "type": message_type})
    fields = platform.login_initiation(
        target_link_uri=url_for("lti.launch", _external=True),
        login_hint=person.key,
        lti_message_hint=hint,
    )
    return render_template(
        "demo_lms/autopost.html", action=url_for("lti.login"), fields=fields
    )


@bp.get("/auth")
def authorize():
    """Step 2: the tool's OIDC authorization request; answer with an id_token."""
    platform = service.demo_platform()
    launch_url = url_for("lti.launch", _external=True)
    try:
        redirect_uri, fields = platform.authorize(
            request.args,
            allowed_redirect_uris=lambda uri: uri == launch_url,
            launch_for_hint=_launch_request,
        )
    except AuthorizationRefused as exc:
        return render_template("demo_lms/refused.html", reason=str(exc)), 400
    return render_template("demo_lms/autopost.html", action=redirect_uri, fields=fields)


@bp.get("/jwks")
def jwks():
    return jsonify(service.demo_platform().jwks())


@bp.post("/token")
@csrf.exempt
def token():
    # The OAuth2 client-credentials endpoint for grades arrives with issue 4.
    return jsonify(error="unsupported_grant_type"), 400


def _launch_request(login_hint: str, message_hint: str) -> LaunchRequest:
    person = demo_data.PEOPLE.get(login_hint)
    data = LtiPlatform.decode_hint(message_hint)
    link = demo_data.LINKS.get(data.get("link", ""))
    if person is None or link is None:
        raise AuthorizationRefused("unknown login_hint or lti_message_hint")
    return LaunchRequest(
        sub=f"demo-{person.key}",
        roles=person.roles,
        context_id=demo_data.CONTEXT_ID,
        context_title=demo_data.CONTEXT_TITLE,
        resource_link_id=f"demo-link-{link.key}",
        resource_link_title=link.title,
        name=person.name,
        given_name=person.given_name,
        family_name=person.family_name,
        email=person.email,
        locale=person.locale,
        message_type=data.get("type", "LtiResourceLinkRequest"),
        custom=dict(link.custom),
        return_url=url_for("demo_lms.index", _external=True),
        target_link_uri=url_for("lti.launch", _external=True),
    )
