"""The demo LMS's pages and its LTI message endpoints (the services are in api.py)."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for

from ..errors import render_error
from ..extensions import csrf, db
from . import bp, demo_data, gradebook, launches, links, scores, service
from .deep_linking import DeepLinkingRefused, receive_response
from .launches import UnknownLaunch
from .platform import AuthorizationRefused


@bp.get("/")
def index():
    platform = service.demo_platform()
    service.ensure_registered(platform)
    links.seed_links()
    course_links = [(link, links.line_item_of_link(link)) for link in links.list_links()]
    db.session.commit()
    people = list(demo_data.PEOPLE.values())
    return render_template(
        "demo_lms/index.html", people=people, links=course_links,
        content_editors=[p for p in people if p.role_label != "learner"],
        course_title=demo_data.CONTEXT_TITLE, is_ags_down=scores.is_ags_down(),
    )


@bp.get("/start")
def start():
    """Step 1 in the iframe: post the third-party initiated login to the tool."""
    links.seed_links()
    fields = launches.login_fields(
        service.demo_platform(),
        person_key=request.args.get("person", ""),
        link_key=request.args.get("link"),
        message_type=request.args.get("type", launches.RESOURCE_LINK),
    )
    db.session.commit()  # a deep linking request's `data` is now in the store
    return render_template("demo_lms/autopost.html", action=service.tool_url("lti.login"), fields=fields)


@bp.get("/auth")
def authorize():
    """Step 2: the tool's OIDC authorization request; answer with an id_token."""
    platform = service.demo_platform()
    launch_url = service.tool_url("lti.launch")
    try:
        redirect_uri, fields = platform.authorize(
            request.args,
            allowed_redirect_uris=lambda uri: uri == launch_url,
            launch_for_hint=launches.launch_request,
        )
    except AuthorizationRefused as exc:
        db.session.rollback()
        return render_template("demo_lms/refused.html", reason=str(exc)), 400
    db.session.commit()  # a link that had no gradebook column has one now
    return render_template("demo_lms/autopost.html", action=redirect_uri, fields=fields)


@bp.get("/jwks")
def jwks():
    return jsonify(service.demo_platform().jwks())


@bp.post("/deep_link_return")
@csrf.exempt  # posted by the tool's page; the signed JWT, its nonce and `data` protect it
def deep_link_return():
    outcome = receive_response(service.demo_platform(), request.form.get("JWT"))
    db.session.commit()
    return render_template("demo_lms/deep_link_return.html", outcome=outcome)


@bp.get("/gradebook")
def show_gradebook():
    return render_template(
        "demo_lms/gradebook.html", columns=gradebook.columns(), log=gradebook.score_log(),
        column_title=gradebook.column_title, is_ags_down=scores.is_ags_down(),
        course_title=demo_data.CONTEXT_TITLE, outage_hours=scores.OUTAGE_LIFETIME // 3600,
    )


@bp.post("/gradebook/outage")
def toggle_outage():
    scores.set_ags_down(request.form.get("down") == "1")
    db.session.commit()
    return redirect(url_for("demo_lms.show_gradebook"), code=303)


@bp.errorhandler(UnknownLaunch)
def unknown_launch(exc: UnknownLaunch):
    db.session.rollback()
    return render_error(404)


@bp.errorhandler(DeepLinkingRefused)
def deep_linking_refused(exc: DeepLinkingRefused):
    db.session.rollback()
    return render_template(
        "demo_lms/refused.html", reason=f"Deep linking response refused: {exc}"
    ), 400
