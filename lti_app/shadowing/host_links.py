"""Signed, expiring confirmation links for host contacts (outside the LMS).

The token goes in the URL's fragment (`/host/#t=...`): browsers do not send
it, so no access log, proxy or Referer header sees it (see host_views).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import url_for

from ..tokens import Purpose, TokenInvalid, sign, unsign
from .service import HOST_LINK_DAYS, ConfirmationLinkInvalid


def host_token(day_id: int, token_id: str) -> str:
    return sign(Purpose.HOST_LINK, {"d": day_id, "t": token_id})


def host_open_url(token: str, *, external: bool = False) -> str:
    return url_for("shadowing.host_open", _external=external) + "#t=" + quote(token, safe="-_.")


def host_link_url(day_id: int, token_id: str) -> str:
    return host_open_url(host_token(day_id, token_id), external=True)


def read_host_token(token: str) -> tuple[int, str]:
    """(day id, token id), or ConfirmationLinkInvalid for a bad or old link."""
    try:
        data = unsign(Purpose.HOST_LINK, token, max_age=HOST_LINK_DAYS * 24 * 3600)
        return int(data["d"]), str(data["t"])
    except (TokenInvalid, KeyError, TypeError, ValueError) as exc:
        raise ConfirmationLinkInvalid() from exc
