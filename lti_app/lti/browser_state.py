"""What ties a launch to the browser that started its login.

The OIDC state: its cookie (usable inside an LMS iframe on another site), its
record in the shared store (nonce, platform, login parameters) and, where the
iframe keeps no cookies, the platform's storage (LTI client-side OIDC) and the
way out through a new window.
"""

from __future__ import annotations

from flask import url_for
from pylti1p3.contrib.flask import FlaskCookieService

from .store import get_store

LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id",
                "lti_deployment_id", "deployment_id")


class PlatformStorageCheckNeeded(Exception):
    """No cookie came back: read the state from the platform's storage first."""

    def __init__(self, state_params: dict) -> None:
        super().__init__("platform storage check")
        self.state_params = state_params


class PartitionedCookieService(FlaskCookieService):
    """The state cookie, usable inside an LMS iframe on another site.

    pylti1p3 sets Secure/SameSite=None only when the request itself is HTTPS,
    so behind a TLS proxy the iframe silently drops it; and it never sets
    Partitioned, which keeps the cookie when third-party cookies are blocked.
    """

    def update_response(self, response):
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key,
                data["value"],
                max_age=data["exp"],
                path="/lti/",
                secure=True,
                httponly=True,
                samesite="None",
                partitioned=True,
            )


def _state_key(state: str) -> str:
    return f"oidc-state:{state}"


def save_state(state: str, params: dict, lifetime: int) -> None:
    """Keep the login's nonce, platform and parameters under its state."""
    get_store().put(_state_key(state), params, lifetime)


def find_state(state: str) -> dict | None:
    return get_store().get(_state_key(state))


def pop_state(state: str) -> dict | None:
    """Use the state up: None when it was unknown or already used."""
    return get_store().pop(_state_key(state))


def new_window_url(state_params: dict) -> str:
    """Start the login again in a top-level window, where cookies are first-party."""
    return url_for("lti.login", **state_params.get("login", {}))
