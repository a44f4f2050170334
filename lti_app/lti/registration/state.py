"""The signed state between the confirmation page and its POST."""

from __future__ import annotations

from ...tokens import Purpose, TokenInvalid, sign, unsign
from .errors import RegistrationFailed

STATE_MAX_AGE = 15 * 60  # reading the confirmation page, not a session


def sign_state(url: str, token: str | None, issuer: str) -> str:
    return sign(Purpose.REGISTRATION, {"url": url, "token": token, "issuer": issuer})


def read_state(value: str) -> tuple[str, str | None, str]:
    try:
        data = unsign(Purpose.REGISTRATION, value, max_age=STATE_MAX_AGE)
    except TokenInvalid as exc:  # a bad or expired signature, or a bad payload
        raise RegistrationFailed("state_invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise RegistrationFailed("state_invalid")
    return data["url"], data.get("token"), data.get("issuer", "")
