"""Signed, expiring confirmation links for host contacts (outside the LMS)."""

from __future__ import annotations

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .service import HOST_LINK_DAYS, ConfirmationLinkInvalid

_SALT = "kennisdeling-host-confirmation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def host_link_url(day_id: int, token_id: str) -> str:
    token = _serializer().dumps({"d": day_id, "t": token_id})
    return url_for("shadowing.host_confirm", token=token, _external=True)


def read_host_token(token: str) -> tuple[int, str]:
    """(day id, token id), or ConfirmationLinkInvalid for a bad or old link."""
    try:
        data = _serializer().loads(token, max_age=HOST_LINK_DAYS * 24 * 3600)
        return int(data["d"]), str(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ConfirmationLinkInvalid() from exc
