"""The Canvas profile's pages: the course (customer domain), the sso domain's endpoints.

URLs are built from configuration (canvas.py), never from the request's Host:
the same server answers on every origin, each page links to the origin Canvas
would use for it.
"""

from __future__ import annotations

import re

from flask import g, jsonify, redirect, render_template, request

from ..extensions import csrf, db
from ..security_headers import allow_framing_by
from . import bp, canvas, demo_data, launches, links, service, tokens
from .deep_linking import receive_response
from .installs import install_tool
from .platform import AuthorizationRefused

_FRAME_SRC = re.compile(r"(^|;\s*)frame-src ([^;]*)")


def _platform():
    platform = canvas.canvas_platform()
    canvas.ensure_registered(platform)
    return platform


@bp.get("/canvas/")
def canvas_course():
    """The course page on the customer's domain: its links launch the tool."""
    platform = _platform()
    links.seed_links()
    course_links = [(link, links.line_item_of_link(link)) for link in links.list_links()]
    db.session.commit()  # the first visit installs the app (a deployment id)
    people = list(demo_data.PEOPLE.values())
    return render_template(
        "demo_lms/canvas_course.html", people=people, links=course_links,
        content_editors=[p for p in people if p.role_label != "learner"],
        course_title=demo_data.CONTEXT_TITLE, deployment_id=platform.deployment_id,
        platform=platform, sso_origin=canvas.sso_origin(),
        demo_url=service.lms_url("demo_lms.index"),
    )


@bp.post("/canvas/install")
def canvas_install():
    """An admin installs the app (again) in the course: a new deployment id."""
    install_tool(canvas.PROFILE, demo_data.CONTEXT_ID)
    db.session.commit()
    return redirect(canvas.customer_url("demo_lms.canvas_course"), code=303)


@bp.get("/canvas/launch")
def canvas_launch():
    """Canvas's external tool page: the tool's iframe, the forwarding frame and the
    login form, POSTed into the iframe (`target="tool_content"`)."""
    platform = _platform()
    links.seed_links()
    target = launches.launch_target(
        request.args.get("person", ""), request.args.get("type", launches.RESOURCE_LINK),
        request.args.get("link"))
    fields = canvas.login_fields(platform, target)
    db.session.commit()
    page_origin = canvas.customer_origin()
    g.demo_frame_src = canvas.sso_origin()  # the forwarding frame (see _frame_src)
    return render_template(
        "demo_lms/canvas_launch.html", fields=fields, action=service.tool_url("lti.login"),
        person=target.person, link=target.link, course_title=demo_data.CONTEXT_TITLE,
        sso_origin=canvas.sso_origin(),
        forwarding_url=canvas.sso_url("demo_lms.canvas_forwarding",
                                      token=canvas.forwarding_token(page_origin)),
        course_url=canvas.customer_url("demo_lms.canvas_course"),
    )


@bp.get("/canvas/post_message_forwarding")
def canvas_forwarding():
    """The sso domain's forwarding frame; its token names the page it serves."""
    parent_origin = canvas.read_forwarding_token(request.args.get("token", ""))
    if parent_origin is None:
        return render_template("demo_lms/refused.html", reason="Invalid token"), 400
    allow_framing_by(parent_origin)  # Canvas adds the parent to frame-ancestors
    return render_template("demo_lms/canvas_forwarding.html", parent_origin=parent_origin)


@bp.route("/canvas/authorize_redirect", methods=["GET", "POST"])
@csrf.exempt  # the tool's auth request; nothing is changed here
def canvas_authorize_redirect():
    """sso.canvaslms.com/api/lti/authorize_redirect: on to the customer's domain."""
    try:
        return redirect(canvas.authorize_redirect_url(request.values.to_dict()))
    except AuthorizationRefused as exc:
        return render_template("demo_lms/refused.html", reason=str(exc)), 400


@bp.route("/canvas/authorize", methods=["GET", "POST"])
@csrf.exempt  # the tool's auth request, answered with a signed id_token
def canvas_authorize():
    """The customer domain's /api/lti/authorize: the id_token posted into the frame."""
    launch_url = service.tool_url("lti.launch")
    try:
        redirect_uri, fields = canvas.authorize(
            _platform(), request.values.to_dict(),
            allowed_redirect_uris=lambda uri: uri == launch_url)
    except AuthorizationRefused as exc:
        db.session.rollback()
        return render_template("demo_lms/refused.html", reason=str(exc)), 400
    db.session.commit()
    return render_template("demo_lms/autopost.html", action=redirect_uri, fields=fields,
                           form_id="authorization_redirect_form")


@bp.get("/canvas/jwks")
def canvas_jwks():
    response = jsonify(canvas.canvas_platform().jwks())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    db.session.commit()
    return response


@bp.post("/canvas/token")
@csrf.exempt
def canvas_token():
    issued = tokens.issue_token(canvas.canvas_platform(), request.form)
    db.session.commit()
    body = {"access_token": issued.value, "token_type": "Bearer",
            "expires_in": issued.expires_in, "scope": " ".join(issued.scopes)}
    response = jsonify(body)
    response.headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
    return response


@bp.post("/canvas/deep_linking_response")
@csrf.exempt  # posted by the tool's page; the signed JWT, its nonce and `data` protect it
def canvas_deep_linking_response():
    outcome = receive_response(canvas.canvas_platform(), request.form.get("JWT"))
    db.session.commit()
    return render_template("demo_lms/deep_link_return.html", outcome=outcome,
                           back_url=canvas.customer_url("demo_lms.canvas_course"))


@bp.after_app_request
def _frame_src(response):
    """Let a Canvas page frame the sso domain's forwarding frame.

    The app's security headers are registered after the blueprints, so they
    run before this (Flask runs after-request functions last-registered
    first); this only widens `frame-src` of a page that asked for it.
    """
    extra = g.get("demo_frame_src")
    policy = response.headers.get("Content-Security-Policy")
    if extra and policy and _FRAME_SRC.search(policy):
        response.headers["Content-Security-Policy"] = _FRAME_SRC.sub(
            lambda m: f"{m.group(1)}frame-src {m.group(2)} {extra}", policy, count=1)
    return response
