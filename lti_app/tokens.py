"""Signed, expiring tokens: one signer, one salt per purpose.

A token signed for one purpose never verifies for another (the purpose is the
itsdangerous salt), so a host link cannot be replayed as an ltik.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer


class Purpose(str, Enum):
    # The values are the salts the tokens were signed with from the start:
    # changing one invalidates every token of that purpose in circulation.
    LTIK = "kennisdeling-ltik"
    REGISTRATION = "lti-dynamic-registration"
    HOST_LINK = "kennisdeling-host-confirmation"


class TokenInvalid(Exception):
    """Bad signature, another purpose, tampered, expired or unreadable."""


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose.value)


def sign(purpose: Purpose, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


def unsign(purpose: Purpose, token: str, *, max_age: int) -> Any:
    """The payload of a token signed for `purpose` at most `max_age` seconds ago."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except BadData as exc:  # also SignatureExpired and a bad payload
        raise TokenInvalid(purpose.name) from exc
