"""OAuth2 access tokens for the LTI Advantage services (Security Framework 4.1).

The tool asks with the client credentials grant and authenticates with a JWT it
signed (RFC 7523). Tokens live in the shared store, hashed, so every worker
accepts a token any worker issued; nothing is kept in process memory.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..lti import keys
from ..lti.models import StoredValue
from ..lti.store import get_store
from ..timeutil import utc_now
from .platform import (
    AGS_SCOPES, CLIENT_ASSERTION_TYPE, NRPS_SCOPE, LtiPlatform, ToolJwtRefused,
)

TOKEN_LIFETIME = 3600
GRANTABLE_SCOPES = frozenset((*AGS_SCOPES, NRPS_SCOPE))


class OAuthError(Exception):
    """An RFC 6749 section 5.2 error answer."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status


class BearerRefused(Exception):
    """An RFC 6750 refusal: no valid token (401) or not the right scope (403)."""

    def __init__(self, status: int, error: str | None, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


@dataclass(frozen=True)
class AccessToken:
    value: str
    scopes: tuple[str, ...]
    expires_in: int


def issue_token(platform: LtiPlatform, form: Mapping[str, str]) -> AccessToken:
    """Check a token request (form fields) and issue a Bearer token."""
    if form.get("grant_type") != "client_credentials":
        raise OAuthError("unsupported_grant_type", "only client_credentials is supported")
    if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
        raise OAuthError(
            "invalid_request", f"client_assertion_type must be {CLIENT_ASSERTION_TYPE}"
        )
    assertion = form.get("client_assertion")
    if not assertion:
        raise OAuthError("invalid_request", "client_assertion is required")
    if form.get("client_id") not in (None, platform.client_id):
        raise OAuthError("invalid_client", "unknown client_id", 401)
    try:
        # A real LMS fetches the tool's /lti/jwks; in a single-worker dev server
        # a request to ourselves would deadlock, so the key set is read directly.
        claims = platform.verify_client_assertion(
            assertion, tool_jwks=keys.public_jwks(), token_url=platform.token_url,
            leeway=current_app.config["LTI_CLOCK_LEEWAY"],
        )
    except ToolJwtRefused as exc:
        raise OAuthError("invalid_client", str(exc), 401) from exc
    ttl = int(claims["exp"] - utc_now().timestamp()) + current_app.config["LTI_CLOCK_LEEWAY"]
    if not claim_once(f"demo-jti:{platform.client_id}:{claims['jti']}", max(ttl, 1)):
        raise OAuthError("invalid_client", "this client assertion (jti) was used before", 401)
    requested = form.get("scope", "").split()
    granted = tuple(s for s in dict.fromkeys(requested) if s in GRANTABLE_SCOPES)
    if not granted:
        raise OAuthError("invalid_scope", "ask for at least one LTI Advantage scope")
    value = secrets.token_urlsafe(32)
    get_store().put(
        _token_key(value), {"client_id": platform.client_id, "scopes": list(granted)},
        TOKEN_LIFETIME,
    )
    return AccessToken(value, granted, TOKEN_LIFETIME)


def require_scope(authorization: str | None, accepted: frozenset[str] | set[str]) -> None:
    """Check an `Authorization: Bearer` header; one of `accepted` scopes must be granted."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise BearerRefused(401, None, "a Bearer access token from /dev/token is required")
    token = get_store().get(_token_key(value.strip()))
    if token is None:
        raise BearerRefused(401, "invalid_token", "the access token is unknown or expired")
    if not accepted.intersection(token["scopes"]):
        needed = " ".join(sorted(accepted))
        raise BearerRefused(403, "insufficient_scope", f"needs one of: {needed}")


def claim_once(key: str, ttl: int) -> bool:
    """Record a one-time value; False when it was recorded before (and has not expired).

    The store has no insert-if-absent: an INSERT that does nothing on conflict
    is atomic on PostgreSQL (a concurrent twin waits, then inserts no row) and
    SQLite serialises writers, so of two requests with one jti only one wins.
    """
    db.session.execute(
        delete(StoredValue).where(StoredValue.key == key, StoredValue.expires_at <= utc_now())
    )
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(StoredValue)
        .values(key=key, value="true", expires_at=utc_now() + timedelta(seconds=ttl))
        .on_conflict_do_nothing(index_elements=[StoredValue.key])
        .returning(StoredValue.key)  # rowcount is not reliable here on psycopg
    )
    return db.session.execute(statement).first() is not None


def _token_key(value: str) -> str:
    # Only the hash is stored: a leaked database row is no usable token.
    return "demo-lms-token:" + hashlib.sha256(value.encode()).hexdigest()
