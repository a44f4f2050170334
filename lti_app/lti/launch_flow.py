"""A launch from start to finish: validate, record, save its context, pick the page.

The view hands over the request and turns the outcome into a response. This
module owns the transaction: the state (and its nonce) is used up after the
launch's writes and before their commit, so a launch either consumes its
nonce and saves everything, or neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from pylti1p3.contrib.flask import FlaskRequest

from ..extensions import db
from ..origins import origin_of
from ..people import service as people
from ..platforms import service as platforms
from .browser_state import PlatformStorageCheckNeeded, new_window_url
from .claims import DEEP_LINKING_REQUEST, LaunchClaims, parse_launch_claims
from .context import LaunchContext, save_launch_context
from .exceptions import LaunchRefused
from .launch import ToolMessageLaunch
from .launch_store import SharedLaunchDataStorage
from .roles import course_role, is_admin
from .tool_config import DatabaseToolConf


@dataclass(frozen=True)
class Launched:
    """A launch saved and committed: go to `endpoint` with this ltik."""

    endpoint: str
    ltik: str
    context: LaunchContext


@dataclass(frozen=True)
class StorageCheckNeeded:
    """No state cookie came back: read the state from the platform's storage."""

    storage_target: str
    storage_origin: str
    new_window_url: str


@dataclass(frozen=True)
class NewWindowNeeded:
    """The browser kept no cookie and the platform offers no storage (Moodle)."""

    new_window_url: str


LaunchOutcome = Launched | StorageCheckNeeded | NewWindowNeeded


def run_launch(*, request: FlaskRequest | None = None) -> LaunchOutcome:
    """Validate the posted id_token and, if it is good, record and commit the launch.

    Raises `LaunchRefused` (nothing saved) for every other refusal.
    """
    lifetime = current_app.config["LTI_LAUNCH_LIFETIME"]
    message_launch = ToolMessageLaunch(
        request or FlaskRequest(), DatabaseToolConf(),
        launch_data_storage=SharedLaunchDataStorage(lifetime),
    )
    message_launch.set_launch_data_lifetime(lifetime)
    try:
        message_launch.validate()
    except PlatformStorageCheckNeeded as check:
        db.session.rollback()  # nothing of this launch is kept yet
        return StorageCheckNeeded(
            storage_target=check.state_params["storage_target"],
            storage_origin=check.state_params["storage_origin"],
            new_window_url=new_window_url(check.state_params),
        )
    except LaunchRefused as refused:
        if refused.reason != "state_not_bound":
            raise
        # Moodle offers no platform storage: a new window is the way out.
        db.session.rollback()
        return NewWindowNeeded(new_window_url(message_launch.state_params or {}))
    claims = parse_launch_claims(message_launch.get_launch_data())
    records = people.record_launch(
        platform=message_launch.platform, deployment=message_launch.deployment,
        claims=claims, role=course_role(claims.roles), is_admin=is_admin(claims.roles),
    )
    message_launch.consume_state()
    if message_launch.is_deep_link_launch():
        # Only the deep-linking response needs pylti1p3's copy of the claims.
        message_launch.save_launch_data()
    context = _launch_context(message_launch.get_launch_id(), records, claims)
    if context.return_url:  # the LMS's own domain frames us (Canvas: per customer)
        platforms.add_frame_origin(message_launch.platform, origin_of(context.return_url))
    ltik = save_launch_context(context)
    db.session.commit()
    current_app.logger.info(
        "launch person=%s context=%s role=%s", context.person_id, context.context_id, context.role
    )
    return Launched(endpoint=landing_endpoint(context), ltik=ltik, context=context)


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


def landing_endpoint(context: LaunchContext) -> str:
    if context.message_type == DEEP_LINKING_REQUEST:
        return "learning.choose_content"
    return "trainer.dashboard" if context.is_trainer else "learning.home"
