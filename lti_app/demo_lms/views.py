"""The demo LMS's pages and its LTI message endpoints (the services are in api.py)."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for

from ..errors import render_error
from ..extensions import csrf, db
from . import bp, canvas, demo_data, gradebook, launches, links, moodle, scores, service
from .deep_linking import DeepLinkingRefused, receive_response
from .launches import UnknownLaunch
from .moodle import InvalidRequest
from .platform import AuthorizationRefused

# How the demo LMS behaves: "demo" (the default: Moodle-like, with platform
# storage in the page), "moodle" (as Moodle 4.5) or "canvas" (as hosted Canvas).
PROFILES = ("demo", "moodle", "canvas")


def _profile() -> str:
    profile = request.args.get("profile") or "demo"
    if profile not in PROFILES:
        abort(404)
    return profile


@bp.get("/")
def index():
    profile = _profile()
    if profile == "canvas":  # hosted Canvas shows its course on the customer's domain
        return redirect(canvas.customer_url("demo_lms.canvas_course"))
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
        profile=profile, start_profile=None if profile == "demo" else profile,
        canvas_url=canvas.customer_url("demo_lms.canvas_course"),
    )


@bp.get("/start")
def start():
    """Step 1 in the iframe: post the third-party initiated login to the tool.

    The Moodle profile posts what Moodle's launch.php posts (`lti_initiate_login`).
    """
    profile = _profile()
    links.seed_links()
    message_type = request.args.get("type", launches.RESOURCE_LINK)
    if profile == "moodle":
        target = launches.launch_target(
            request.args.get("person", ""), message_type, request.args.get("link"))
        fields = moodle.login_fields(moodle.moodle_platform(), target)
    elif profile == "demo":
        fields = launches.login_fields(
            service.demo_platform(),
            person_key=request.args.get("person", ""),
            link_key=request.args.get("link"),
            message_type=message_type,
        )
    else:
        abort(404)  # Canvas posts its login from the course page (/dev/canvas/launch)
    db.session.commit()  # a deep linking request's `data` is now in the store
    return render_template("demo_lms/autopost.html", action=service.tool_url("lti.login"), fields=fields)


@bp.get("/auth")
def authorize():
    """Step 2: the tool's OIDC authorization request; answer with an id_token.

    A Moodle profile's hint (plain JSON) is answered as Moodle's auth.php does.
    """
    launch_url = service.tool_url("lti.launch")
    if moodle.is_moodle_hint(request.args.get("lti_message_hint", "")):
        try:
            redirect_uri, fields = moodle.authorize(
                moodle.moodle_platform(), request.args,
                allowed_redirect_uris=lambda uri: uri == launch_url,
            )
        except InvalidRequest:
            db.session.rollback()
            return render_template("demo_lms/moodle_error.html"), 404
        db.session.commit()  # the launch is used up; a column may have been made
        return render_template("demo_lms/autopost.html", action=redirect_uri, fields=fields)
    platform = service.demo_platform()
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


@bp.post("/moodle/contentitem_return")
@csrf.exempt  # posted by the tool's page; the signed JWT, its nonce and the session key protect it
def moodle_contentitem_return():
    """Moodle's mod/lti/contentitem_return.php?course=…&id=<tool type>&sesskey=…"""
    outcome = receive_response(moodle.moodle_platform(), request.form.get("JWT"),
                               session=request.args.get("sesskey", ""))
    db.session.commit()
    return render_template("demo_lms/deep_link_return.html", outcome=outcome,
                           back_url=url_for("demo_lms.index", profile="moodle"))


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
