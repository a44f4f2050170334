"""A launch from start to finish: validate, record, save its context, pick the page.

The view hands over the request and turns the outcome into a response. This
module owns the transaction: the state (and its nonce) is used up after the
launch's writes and before their commit, so a launch either consumes its
nonce and saves everything, or neither.

A valid launch whose browser is not proven to be the one that logged in (no
state cookie came back, and no value from the platform's storage that our own
page read; Moodle in Safari) is held instead: its state and nonce are used up
(the token can be posted nowhere else), its claims wait in the shared store
under a random id for a few minutes, and nothing is recorded until the person
confirms, on a page that names who they will be signed in as, that it is them
(`confirm_held_launch`). That closes login CSRF (someone posting their own
token from another person's browser) without a second login at the LMS, which
Moodle would refuse (its `lti_message_hint` works once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from pylti1p3.contrib.flask import FlaskRequest

from ..extensions import db
from ..origins import origin_of
from ..people import service as people
from ..platforms import service as platforms
from .browser_state import (
    CONFIRMATION_LIFETIME_DEFAULT, BrowserUnproven, PlatformStorageCheckNeeded, find_state,
    hold_launch, posted_from_own_page, take_held_launch,
)
from .claims import DEEP_LINKING_REQUEST, DEPLOYMENT_ID, LaunchClaims, parse_launch_claims
from .context import LaunchContext, save_launch_context
from .exceptions import LaunchRefused, log_refused, loggable, refuse_unapproved
from .launch import ToolMessageLaunch
from .launch_store import SharedLaunchDataStorage
from .roles import course_role, is_admin
from .tool_config import DatabaseToolConf

log = logging.getLogger(__name__)

# OpenID Connect error codes (posted by the platform instead of an id_token)
# with a message of their own; any other code gets "platform_error".
OIDC_ERROR_REASONS = {
    "login_required": "platform_login_required",
    "unauthorized_client": "platform_unauthorized_client",
}
OIDC_DESCRIPTION_LIMIT = 300


@dataclass(frozen=True)
class Launched:
    """A launch saved and committed: go to `endpoint` (with `values`) with this ltik."""

    endpoint: str
    ltik: str
    context: LaunchContext
    values: dict = field(default_factory=dict)
    learned_frame_origin: bool = False  # its platform's frame origins changed


@dataclass(frozen=True)
class StorageCheckNeeded:
    """No state cookie came back: read the state from the platform's storage."""

    storage_target: str
    storage_origin: str


@dataclass(frozen=True)
class ConfirmationNeeded:
    """A valid launch held (nothing recorded) until the person says it is them."""

    held_id: str
    platform_id: int
    return_url: str | None  # the LMS page's site, to frame the confirmation
    person_name: str | None
    person_email: str | None
    course_title: str | None
    lms_name: str
    locale: str | None


LaunchOutcome = Launched | StorageCheckNeeded | ConfirmationNeeded


def run_launch(*, request: FlaskRequest | None = None) -> LaunchOutcome:
    """Validate the posted id_token and, if it is good, record and commit the launch.

    Raises `LaunchRefused` (nothing saved, logged) for every other refusal.
    """
    request = request or FlaskRequest()
    lifetime = current_app.config["LTI_LAUNCH_LIFETIME"]
    message_launch = ToolMessageLaunch(
        request, DatabaseToolConf(), launch_data_storage=SharedLaunchDataStorage(lifetime),
    )
    message_launch.set_launch_data_lifetime(lifetime)
    try:
        _refuse_platform_error(request)
        try:
            message_launch.validate()
        except PlatformStorageCheckNeeded as check:
            db.session.rollback()  # nothing of this launch is kept yet
            return StorageCheckNeeded(
                storage_target=check.state_params["storage_target"],
                storage_origin=check.state_params["storage_origin"],
            )
        except BrowserUnproven as unproven:
            return _hold(message_launch, unproven.reason)
        return _complete(message_launch, consume=True)
    except LaunchRefused as refused:
        platform = message_launch.platform
        state_params = message_launch.state_params or {}
        log_refused(
            refused, step="launch",
            platform_id=platform.id if platform else state_params.get("platform_id"),
            issuer=platform.issuer if platform else message_launch.claimed_issuer,
            client_id=platform.client_id if platform else None,
        )
        raise


def _refuse_platform_error(request: FlaskRequest) -> None:
    """The platform posted an OIDC error (e.g. login_required) instead of a token."""
    error = request.get_param("error")
    if not error or request.get_param("id_token"):
        return
    code = "".join(ch for ch in str(error)[:60] if ch.isascii() and (ch.isalnum() or ch in "_.-"))
    description = " ".join(str(request.get_param("error_description") or "").split())
    if len(description) > OIDC_DESCRIPTION_LIMIT:
        description = description[:OIDC_DESCRIPTION_LIMIT - 1] + "…"
    state = request.get_param("state")
    state_params = find_state(state) if isinstance(state, str) and state else None
    refused = LaunchRefused(
        OIDC_ERROR_REASONS.get(code, "platform_error"), error=code or "-",
        description=description or _("the LMS gave no description"),
    )
    platform_id = (state_params or {}).get("platform_id")
    platform = platforms.find_platform_by_id(platform_id) if platform_id else None
    log.warning(
        "launch refused: reason=%s oidc_error=%s platform=%s issuer=%s",
        refused.reason, code or "-", platform_id or "-", loggable(platform and platform.issuer),
    )
    raise refused


def _hold(message_launch: ToolMessageLaunch, reason: str) -> ConfirmationNeeded:
    """Keep the validated launch for the person's confirmation; record nothing."""
    db.session.rollback()  # e.g. a deployment added on the way: added on "Continue"
    body = message_launch.get_launch_data()
    claims = parse_launch_claims(body)
    platform = message_launch.platform
    # Used up now: this token and state can be posted nowhere else meanwhile.
    message_launch.consume_state()
    held_id = hold_launch(
        {"platform_id": platform.id, "launch_id": message_launch.get_launch_id(),
         "body": body, "reason": reason},
        current_app.config.get("LTI_CONFIRMATION_LIFETIME", CONFIRMATION_LIFETIME_DEFAULT),
    )
    db.session.commit()
    log.warning("launch held for confirmation: reason=%s platform=%s issuer=%s",
                reason, platform.id, loggable(platform.issuer))
    person = claims.person
    full_name = person.name or " ".join(p for p in (person.given_name, person.family_name) if p)
    return ConfirmationNeeded(
        held_id=held_id, platform_id=platform.id, return_url=claims.return_url,
        person_name=full_name or None, person_email=person.email,
        course_title=claims.context_title or claims.context_label or claims.resource_link_title,
        lms_name=platform.institution or platform.name or platform.issuer,
        locale=person.locale,
    )


def confirm_held_launch(held_id: str | None) -> Launched:
    """"Continue" on the confirmation page: record the held launch and sign in."""
    record = None
    try:
        if posted_from_own_page() is False:  # a form on another site posted it
            raise LaunchRefused("cross_site_confirmation")
        record = take_held_launch(held_id)
        if record is None:
            raise LaunchRefused("held_launch_unknown")
        return _complete(_resume(record), consume=False)
    except LaunchRefused as refused:
        platform_id = record.get("platform_id") if record else None
        issuer = record["body"].get("iss") if record else None
        log_refused(refused, step="confirmation", platform_id=platform_id, issuer=issuer)
        raise


def decline_held_launch(held_id: str | None) -> dict:
    """"This is not me": forget the held launch (logged, without who it named)."""
    record = take_held_launch(held_id)
    if record is None:
        refused = LaunchRefused("held_launch_unknown")
        log_refused(refused, step="confirmation")
        raise refused
    db.session.commit()
    log.warning("launch declined at confirmation: reason=%s platform=%s issuer=%s",
                record.get("reason"), record["platform_id"], loggable(record["body"].get("iss")))
    return record


def _resume(record: dict) -> ToolMessageLaunch:
    """The held launch, checked again against its registration as it is now."""
    body = record["body"]
    platform = platforms.find_platform_by_id(record["platform_id"])
    if platform is None:
        raise LaunchRefused("unknown_registration", issuer=str(body.get("iss"))[:255],
                            client_id="-")
    refuse_unapproved(platform)
    deployment_id = body[DEPLOYMENT_ID]
    deployment = platforms.find_deployment(platform, deployment_id)
    if deployment is None and platform.accepts_new_deployments:
        deployment = platforms.add_deployment(platform, deployment_id)
    if deployment is None:
        raise LaunchRefused("unknown_deployment", deployment_id=deployment_id[:255],
                            issuer=platform.issuer, client_id=platform.client_id)
    lifetime = current_app.config["LTI_LAUNCH_LIFETIME"]
    return ToolMessageLaunch.resumed(
        FlaskRequest(), DatabaseToolConf(), body=body, launch_id=record["launch_id"],
        platform=platform, deployment=deployment,
        launch_data_storage=SharedLaunchDataStorage(lifetime), lifetime=lifetime,
    )


def _complete(message_launch: ToolMessageLaunch, *, consume: bool) -> Launched:
    claims = parse_launch_claims(message_launch.get_launch_data())
    records = people.record_launch(
        platform=message_launch.platform, deployment=message_launch.deployment,
        claims=claims, role=course_role(claims.roles), is_admin=is_admin(claims.roles),
    )
    if consume:
        message_launch.consume_state()
    if message_launch.is_deep_link_launch():
        # Only the deep-linking response needs pylti1p3's copy of the claims.
        message_launch.save_launch_data()
    context = _launch_context(message_launch.get_launch_id(), records, claims)
    # The LMS's own domain frames us (Canvas: per customer).
    learned = platforms.add_frame_origin(message_launch.platform, origin_of(context.return_url))
    ltik = save_launch_context(context)
    endpoint, values = landing(context, records.resource_link)  # before the commit expires it
    db.session.commit()
    current_app.logger.info(
        "launch person=%s context=%s role=%s", context.person_id, context.context_id, context.role
    )
    return Launched(endpoint=endpoint, ltik=ltik, context=context, values=values,
                    learned_frame_origin=learned)


def _launch_context(
    launch_id: str, records: people.LaunchRecords, claims: LaunchClaims
) -> LaunchContext:
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
        message_type=claims.message_type,
        return_url=claims.return_url,
    )


# Where a learner's launch lands (her link's module or course) is the content's
# decision, and lti knows no courses: the feature that does registers it here
# (app.extensions), a function of the link giving (endpoint, values) or None.
LEARNER_LANDING = "kennisdeling.learner_landing"


def landing(context: LaunchContext, link) -> tuple[str, dict]:
    """The page a launch goes to. A learner's goes straight to her link's page
    (one request less than through the home page, which decides the same)."""
    if context.message_type == DEEP_LINKING_REQUEST:
        return "learning.choose_content", {}
    if context.is_trainer:
        return "trainer.dashboard", {}
    decide = current_app.extensions.get(LEARNER_LANDING)
    target = decide(link) if decide is not None and link is not None else None
    return target or ("learning.home", {})
