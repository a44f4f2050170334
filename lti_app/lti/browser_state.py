"""What ties a launch to the browser that started its login.

The OIDC state: its cookie (usable inside an LMS iframe on another site), its
record in the shared store (nonce, platform, storage offer) and, where the
iframe keeps no cookies, the platform's storage (LTI client-side OIDC). A valid
launch whose browser is proven by neither is held, unconsumed into any
session, until the person confirms who they are (see launch_flow).
"""

from __future__ import annotations

import hashlib
import secrets

from flask import request
from pylti1p3.contrib.flask import FlaskCookieService

from ..origins import origin_of
from .store import get_store

# The platform keeps little per tool (Canvas: 4096 characters), and a launch that
# went by its cookie never reads its state there: a state is kept under one of a
# few keys, so what this tool leaves in a browser stays bounded. Two logins at
# once in one browser that hash alike overwrite each other; the one whose value
# is gone then asks its person to confirm, as without storage.
STORAGE_SLOTS = 32  # 32 keys (11 characters) and values (43): 1,728 of the 4,096


def storage_key(state: str) -> str:
    """The platform-storage key of a login's state."""
    slot = int(hashlib.sha256(state.encode()).hexdigest()[:8], 16) % STORAGE_SLOTS
    return f"kd-state-{slot}"


# How long a held launch waits for "Continue" (seconds).
CONFIRMATION_LIFETIME_DEFAULT = 300
_HELD_ID_MAX = 100


class PlatformStorageCheckNeeded(Exception):
    """No cookie came back: read the state from the platform's storage first."""

    def __init__(self, state_params: dict) -> None:
        super().__init__("platform storage check")
        self.state_params = state_params


class BrowserUnproven(Exception):
    """A valid launch whose browser is not proven to be the one that logged in.

    `reason` (for the log): no_cookie (no cookie, no platform storage offered:
    Moodle in Safari), storage_unavailable (the platform's storage did not
    answer), storage_unverified (a storage value, but not read by our own page
    from the platform's own origin).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    """Keep the login's nonce, platform and storage offer under its state."""
    get_store().put(_state_key(state), params, lifetime)


def find_state(state: str) -> dict | None:
    return get_store().get(_state_key(state))


def pop_state(state: str) -> dict | None:
    """Use the state up: None when it was unknown or already used."""
    return get_store().pop(_state_key(state))


# -- a valid launch held for the person's confirmation ------------------------------
def _held_key(held_id: str) -> str:
    return f"held-launch:{held_id}"


def hold_launch(record: dict, lifetime: int) -> str:
    """Keep a validated launch under a new random id (the only secret of its page)."""
    held_id = secrets.token_urlsafe(32)
    get_store().put(_held_key(held_id), record, lifetime)
    return held_id


def find_held_launch(held_id: str | None) -> dict | None:
    if not isinstance(held_id, str) or not held_id or len(held_id) > _HELD_ID_MAX:
        return None
    return get_store().get(_held_key(held_id))


def take_held_launch(held_id: str | None) -> dict | None:
    """Use a held launch up: of two concurrent callers only one gets it."""
    if not isinstance(held_id, str) or not held_id or len(held_id) > _HELD_ID_MAX:
        return None
    return get_store().pop(_held_key(held_id))


def posted_from_own_page() -> bool | None:
    """Whether this POST came from one of the tool's own pages (same origin).

    The browser says so in `Sec-Fetch-Site` (every current browser) or, failing
    that, in `Origin`; None when it says neither (not a browser a forged
    cross-site form could drive). A page on another site cannot fake either.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin:
        own = origin_of(request.host_url)
        return own is not None and origin_of(origin) == own
    return None
