"""/lti/login, /lti/launch, /lti/jwks, /lti/register and /lti/config/canvas.json."""

from __future__ import annotations

from contextlib import nullcontext

from flask import (
    current_app, jsonify, make_response, redirect, render_template, request, url_for,
)
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from pylti1p3.contrib.flask import FlaskRequest

from ..extensions import csrf, db, limiter
from ..origins import origin_of
from ..platforms import approval
from ..read_only import statements_commit_alone
from ..security_headers import allow_framing_by, forget_frame_origins, frame_as_launch_of
from ..signals import launch_recorded
from . import bp, canvas_config, keys, launch_flow, registration
from .browser_state import storage_key
from .claims import (
    LINEITEM_READONLY_SCOPE, LINEITEM_SCOPE, NRPS_SCOPE, RESULT_READONLY_SCOPE, SCORE_SCOPE,
)
from .exceptions import LaunchRefused, log_refused
from .login import ToolOIDCLogin
from .tool_config import DatabaseToolConf

# What the registration pages call the scopes they ask for and were granted.
SCOPE_LABELS = {
    LINEITEM_SCOPE: _l("Create and update grade columns"),
    LINEITEM_READONLY_SCOPE: _l("Read grade columns"),
    RESULT_READONLY_SCOPE: _l("Read results"),
    SCORE_SCOPE: _l("Send scores to the gradebook"),
    NRPS_SCOPE: _l("Read the course's members and their roles"),
}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"])
@csrf.exempt  # a cross-site POST from the LMS, protected by state and nonce
def login():
    # One read (the registration) and one write (the state), which needs no
    # transaction of its own: two round trips to the database, not four.
    statements_commit_alone()
    oidc_login = ToolOIDCLogin(FlaskRequest(), DatabaseToolConf())
    try:
        redirect_obj = oidc_login.get_redirect_object(url_for("lti.launch", _external=True))
    except LaunchRefused as refused:
        log_refused(refused, step="login", issuer=request.values.get("iss"),
                    client_id=request.values.get("client_id"))
        raise
    db.session.commit()
    if not oidc_login.storage_target:
        return redirect_obj.do_redirect()
    # The platform offers its storage (Canvas, Brightspace, our demo LMS): put the
    # state there too, in case this iframe keeps no cookie, then go on.
    response = make_response(render_template(
        "lti/login_storage.html", auth_url=redirect_obj.get_redirect_url(),
        storage_key=storage_key(oidc_login.state), storage_value=oidc_login.storage_value,
        storage_target=oidc_login.storage_target,
        storage_origin=origin_of(oidc_login.get_registration().get_auth_login_url()),
    ))
    oidc_login.get_cookie_service().update_response(response)
    return response


@bp.post("/launch")
@csrf.exempt  # the id_token's signature, state and nonce protect this POST
def launch():
    outcome = launch_flow.run_launch(request=FlaskRequest())
    if isinstance(outcome, launch_flow.StorageCheckNeeded):
        state = request.form.get("state", "")
        return render_template(
            "lti/launch_storage.html", id_token=request.form.get("id_token", ""),
            state=state, storage_key=storage_key(state),
            storage_target=outcome.storage_target, storage_origin=outcome.storage_origin,
        )
    if isinstance(outcome, launch_flow.ConfirmationNeeded):
        # It names a person: framed by this launch's LMS only, as its pages are.
        frame_as_launch_of(outcome.platform_id, outcome.return_url)
        with _in_language_of(outcome.locale):
            return render_template("lti/confirm_launch.html", held=outcome)
    return _signed_in(outcome)


@bp.post("/launch/confirm")
# No cookie to ride on: the held launch's random id is its only authority,
# single-use and minutes old; launch_flow refuses a POST from another site.
@csrf.exempt
def confirm_launch():
    held_id = request.form.get("held_id")
    if request.form.get("action") == "not_me":
        record = launch_flow.decline_held_launch(held_id)
        frame_as_launch_of(record["platform_id"])
        return render_template("lti/launch_declined.html")
    return _signed_in(launch_flow.confirm_held_launch(held_id))


def _signed_in(outcome: launch_flow.Launched):
    if outcome.learned_frame_origin:
        forget_frame_origins()
    launch_recorded.send(current_app._get_current_object(), launch=outcome.context)
    return redirect(url_for(outcome.endpoint, ltik=outcome.ltik, **outcome.values), code=303)


def _in_language_of(locale: str | None):
    """The launch's language (nl or en) when the LMS sent one, else the usual choice."""
    if not locale:
        return nullcontext()
    return force_locale("en" if locale.strip().lower().startswith("en") else "nl")


@bp.get("/jwks")
def jwks():
    body = keys.public_jwks()
    db.session.commit()  # the first call creates the key
    response = jsonify(body)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


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
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER"])
def register():
    """GET: check the platform and show what will be registered; POST: register."""
    allow_local = current_app.debug or current_app.testing
    urls = _tool_urls()
    if request.method == "GET":
        url = request.args.get("openid_configuration", "").strip()
        token = request.args.get("registration_token") or None
        # The LMS registering us (not registered yet) shows this page in its frame;
        # Canvas on the customer's own domain, the host of its registration endpoint.
        allow_framing_by(url)
        if url and not token:  # only an LMS admin's registration page has one
            raise registration.RegistrationFailed("missing_token")
        config = registration.fetch_platform_config(url, token, allow_local=allow_local)
        allow_framing_by(config.registration_endpoint, config.authorization_endpoint)
        body = registration.registration_request(config, urls)
        return render_template(
            "lti/register_confirm.html",
            platform=config,
            body=body,
            tool=body[canvas_config.TOOL_CONFIGURATION],
            scopes=body["scope"].split(),
            state=registration.sign_state(url, token, config.issuer),
            scope_labels=SCOPE_LABELS,
            needs_approval=not approval.is_auto_approved(config.issuer),
        )
    url, token, issuer = registration.read_state(request.form.get("state", ""))
    allow_framing_by(url)
    if not token:
        raise registration.RegistrationFailed("missing_token")
    config = registration.fetch_platform_config(url, token, allow_local=allow_local)
    allow_framing_by(config.registration_endpoint, config.authorization_endpoint)
    if config.issuer != issuer:  # not the platform the admin confirmed
        raise registration.RegistrationFailed("state_invalid")
    body = registration.registration_request(config, urls)
    answer = registration.send_registration(
        config, body, token, allow_local=allow_local
    )
    result = registration.store_registration(config, answer)
    db.session.commit()
    current_app.logger.info(
        "dynamic registration: platform=%s issuer=%s client_id=%s deployments=%d %s",
        result.platform_id, result.issuer, result.client_id, len(result.deployment_ids),
        "approved (LTI_AUTO_APPROVE_HOSTS)" if result.approved
        else "pending: flask platform approve %s" % result.platform_id,
    )
    return render_template(
        "lti/register_done.html", result=result, scope_labels=SCOPE_LABELS
    )


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
