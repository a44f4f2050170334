"""/lti/login, /lti/launch, /lti/jwks, /lti/register and /lti/config/canvas.json."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for
from pylti1p3.contrib.flask import FlaskRequest

from ..extensions import csrf, db
from ..people import service as people
from . import bp, canvas_config, keys, registration
from .context import LaunchContext, save_launch_context
from .launch import ToolMessageLaunch, ToolOIDCLogin
from .launch_store import SharedLaunchDataStorage
from .tool_config import DatabaseToolConf

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # a cross-site POST from the LMS, protected by state and nonce
def login():
    oidc_login = ToolOIDCLogin(FlaskRequest(), DatabaseToolConf())
    response = oidc_login.redirect(url_for("lti.launch", _external=True))
    db.session.commit()
    return response


@bp.post("/launch")
@csrf.exempt  # the id_token's signature, state and nonce protect this POST
def launch():
    lifetime = current_app.config["LTI_LAUNCH_LIFETIME"]
    message_launch = ToolMessageLaunch(
        FlaskRequest(), DatabaseToolConf(), launch_data_storage=SharedLaunchDataStorage(lifetime)
    )
    message_launch.set_launch_data_lifetime(lifetime)
    message_launch.validate()
    claims = message_launch.get_launch_data()
    records = people.record_launch(
        platform=message_launch.platform, deployment=message_launch.deployment, claims=claims
    )
    message_launch.consume_state()
    if message_launch.is_deep_link_launch():
        # Only the deep-linking response needs pylti1p3's copy of the claims.
        message_launch.save_launch_data()
    context = _launch_context(message_launch.get_launch_id(), records, claims)
    ltik = save_launch_context(context)
    db.session.commit()
    current_app.logger.info(
        "launch person=%s context=%s role=%s", context.person_id, context.context_id, context.role
    )
    return redirect(url_for(_landing_endpoint(context), ltik=ltik), code=303)


@bp.get("/jwks")
def jwks():
    body = keys.public_jwks()
    db.session.commit()  # the first call creates the key
    response = jsonify(body)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def _launch_context(launch_id: str, records: people.LaunchRecords, claims) -> LaunchContext:
    presentation = claims.get(CLAIM + "launch_presentation") or {}
    link = records.resource_link
    return LaunchContext(
        launch_id=launch_id,
        platform_id=records.person.platform_id,
        deployment_id=records.context.deployment_id,
        person_id=records.person.id,
        context_id=records.context.id,
        resource_link_id=link.id if link else None,
        enrollment_id=records.enrollment.id,
        role=records.enrollment.role,
        is_admin=records.is_admin,
        person_name=records.person.display_name,
        context_title=records.context.title or "",
        locale=records.person.locale,
        message_type=claims[CLAIM + "message_type"],
        return_url=presentation.get("return_url"),
    )


def _landing_endpoint(context: LaunchContext) -> str:
    if context.message_type == "LtiDeepLinkingRequest":
        return "learning.choose_content"
    return "trainer.dashboard" if context.is_trainer else "learning.home"


# -- LTI Dynamic Registration and the Canvas developer key ---------------------------
@bp.route("/register", methods=["GET", "POST"])
# Flask-WTF keeps its CSRF token in the session cookie, which the LMS's iframe
# (Canvas) or modal (Moodle) often cannot keep when third-party cookies are
# blocked. CSRF rides on a victim's cookies; this POST reads none. Its only
# authority is the signed `state` field: 15 minutes old at most and bound to
# the configuration URL, issuer and registration token that the LMS gave.
# Whoever holds such a state could post it themselves, so a forged cross-site
# POST gains them nothing.
@csrf.exempt
def register():
    """GET: check the platform and show what will be registered; POST: register."""
    allow_local = current_app.debug or current_app.testing
    urls = _tool_urls()
    if request.method == "GET":
        url = request.args.get("openid_configuration", "").strip()
        token = request.args.get("registration_token") or None
        config = registration.fetch_platform_config(url, token, allow_local=allow_local)
        body = registration.registration_request(config, urls)
        return render_template(
            "lti/register_confirm.html",
            platform=config,
            body=body,
            tool=body[canvas_config.TOOL_CONFIGURATION],
            scopes=body["scope"].split(),
            state=registration.sign_state(url, token, config.issuer),
        )
    url, token, issuer = registration.read_state(request.form.get("state", ""))
    config = registration.fetch_platform_config(url, token, allow_local=allow_local)
    if config.issuer != issuer:  # not the platform the admin confirmed
        raise registration.RegistrationFailed("state_invalid")
    body = registration.registration_request(config, urls)
    answer = registration.send_registration(
        config, body, token, allow_local=allow_local
    )
    result = registration.store_registration(config, answer)
    db.session.commit()
    current_app.logger.info(
        "dynamic registration: issuer=%s client_id=%s deployments=%d",
        result.issuer, result.client_id, len(result.deployment_ids),
    )
    return render_template("lti/register_done.html", result=result)


@bp.errorhandler(registration.RegistrationFailed)
def registration_failed(exc: registration.RegistrationFailed):
    db.session.rollback()
    current_app.logger.info("%s", exc)
    page = render_template(
        "lti/register_failed.html",
        message=exc.message,
        platform_answer=exc.platform_answer,
        status=exc.status,
    )
    return page, exc.status


@bp.get("/config/canvas.json", endpoint="canvas_config")
def canvas_developer_key():
    """The developer key JSON for Canvas admins who register by hand."""
    return jsonify(canvas_config.developer_key(_tool_urls()))


def _tool_urls() -> canvas_config.ToolUrls:
    return canvas_config.ToolUrls(
        login=url_for("lti.login", _external=True),
        launch=url_for("lti.launch", _external=True),
        jwks=url_for("lti.jwks", _external=True),
    )
