"""What a feature knows about the current launch, and the ltik that carries it.

After the launch nothing depends on cookies: a signed, short-lived token (the
"ltik", as ltijs calls it) names the launch and travels in the tool's own
links and forms. `url_for` adds it automatically (see `add_ltik_to_urls`).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from functools import wraps

from flask import abort, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..people.roles import is_trainer_role
from ..tokens import Purpose, TokenInvalid, sign, unsign
from .store import get_store

LTIK_PARAM = "ltik"
# Endpoints that never belong to a launch and must not carry its token.
_NO_LTIK_PREFIXES = (
    "static", "lti.", "demo_lms.", "verification.", "credentials.", "health", "shadowing.host_",
)


@dataclass(frozen=True)
class LaunchContext:
    launch_id: str
    platform_id: int
    deployment_id: int
    person_id: int
    context_id: int
    resource_link_id: int | None
    enrollment_id: int
    role: str  # learner | trainer | admin
    is_admin: bool
    person_name: str
    context_title: str
    locale: str | None
    message_type: str
    return_url: str | None

    @property
    def is_trainer(self) -> bool:
        return is_trainer_role(self.role)


def make_ltik(launch_id: str) -> str:
    return sign(Purpose.LTIK, launch_id)


def launch_id_from_ltik(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return unsign(
            Purpose.LTIK, token, max_age=current_app.config["LTI_LAUNCH_LIFETIME"]
        )
    except TokenInvalid:  # also expired
        return None


def ltik_from_request() -> str | None:
    return (
        request.args.get(LTIK_PARAM)
        or (_form_value(LTIK_PARAM) if request.method == "POST" else None)
        or request.headers.get("X-Ltik")
    )


def _form_value(name: str) -> str | None:
    # Read when the session opens, before the error handlers are in place: a
    # body over MAX_CONTENT_LENGTH is refused (413) by the view's own read.
    try:
        return request.form.get(name)
    except RequestEntityTooLarge:
        return None


def context_key(launch_id: str) -> str:
    return f"launch-context:{launch_id}"


def session_key(launch_id: str) -> str:
    """The launch's own session (lti/session.py): flashes, the CSRF token."""
    return f"launch-session:{launch_id}"


def remember_launch(token: str, data: dict | None) -> None:
    """The launch of this request, read by the session's opening with the
    session itself (one store read per request, not one each)."""
    g.launch = LaunchContext(**data) if data else None
    g.ltik = token if data else None


def save_launch_context(context: LaunchContext) -> str:
    """Store the context for the launch's lifetime, and its session with a CSRF
    token in it (Flask-WTF's, as it would make one): the launch's first page
    then writes nothing. One write for both; returns the ltik."""
    config = current_app.config
    get_store().put_many({
        context_key(context.launch_id): asdict(context),
        session_key(context.launch_id): {config["WTF_CSRF_FIELD_NAME"]: secrets.token_hex(20)},
    }, config["LTI_LAUNCH_LIFETIME"])
    return make_ltik(context.launch_id)


def current_launch_or_none() -> LaunchContext | None:
    """For error pages and the locale: never raises, also when the store is down."""
    if "launch" in g:
        return g.launch
    try:
        return current_launch()
    except Exception:  # noqa: BLE001 - the page explaining the outage must render
        g.launch = None
        return None


def current_launch() -> LaunchContext | None:
    """The launch this request belongs to, or None (no, bad or expired ltik)."""
    if "launch" not in g:
        token = ltik_from_request()
        launch_id = launch_id_from_ltik(token)
        remember_launch(token, get_store().get(context_key(launch_id)) if launch_id else None)
    return g.launch


def launch_required(roles: set[str] | None = None):
    """Only for requests that carry a valid launch, optionally in one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            launch = current_launch()
            if launch is None:
                abort(401)
            if roles and launch.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def add_ltik_to_urls(endpoint: str, values: dict) -> None:
    """`app.url_defaults` hook: the tool's own links keep the launch."""
    if endpoint.startswith(_NO_LTIK_PREFIXES) or LTIK_PARAM in values:
        return
    if g.get("ltik"):
        values[LTIK_PARAM] = g.ltik
