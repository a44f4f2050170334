"""Where registration may send requests: the SSRF guard for LMS-given URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from .. import outbound_dns
from .errors import RegistrationFailed

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
LOOKUP_SECONDS = 5.0  # the resolver's first try; a name that takes longer is "unreachable"


def http_allowed() -> bool:
    """LTI_ALLOW_HTTP_PLATFORMS: the operator lets an http-only test LMS register.

    Off by default and independent of debug mode (debug and testing allow
    http to localhost only).
    """
    return bool(current_app.config.get("LTI_ALLOW_HTTP_PLATFORMS"))


def check_outbound_url(url: str, *, allow_local: bool) -> None:
    """https only (http to localhost in debug/testing), never to a private address.

    Anyone can open /lti/register with any URL, and we show the answer of the
    registration endpoint: without this check it would read internal services.
    LTI_REGISTRATION_ALLOW_PRIVATE_HOSTS lets an on-premises LMS register;
    LTI_ALLOW_HTTP_PLATFORMS one without https.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError as exc:
        raise RegistrationFailed("bad_url", url=url[:200]) from exc
    host = parts.hostname
    if not host or parts.scheme not in ("http", "https") or parts.username:
        raise RegistrationFailed("bad_url", url=url[:200])
    if parts.scheme == "http" and not (
        (allow_local and host in LOOPBACK_HOSTS) or http_allowed()
    ):
        raise RegistrationFailed("not_https", url=url[:200])
    if not must_be_public(allow_local):
        return
    try:
        addresses = resolve(host, default_port(parts))
    except OSError as exc:
        raise RegistrationFailed("unreachable", url=url[:200]) from exc
    if not addresses or not all(outbound_dns.is_public(a) for a in addresses):
        raise RegistrationFailed("private_host", url=url[:200])


def must_be_public(allow_local: bool) -> bool:
    """Registration's calls go to public addresses only, unless local hosts are
    allowed (debug, testing) or LTI_REGISTRATION_ALLOW_PRIVATE_HOSTS is set. The
    calls themselves check again, on the addresses they connect to (http.py's
    public_only): the name may answer otherwise a moment later."""
    return not (allow_local or current_app.config.get("LTI_REGISTRATION_ALLOW_PRIVATE_HOSTS"))


def resolve(host: str, port: int) -> list[str]:
    return outbound_dns.resolve(host, port, seconds=LOOKUP_SECONDS)


def usable_url(value: object, allow_local: bool) -> bool:
    if not isinstance(value, str) or not 0 < len(value) <= 500:
        return False
    parts = urlsplit(value)
    local = allow_local and parts.hostname in LOOPBACK_HOSTS
    plain_http = parts.scheme == "http" and (local or http_allowed())
    return bool(parts.hostname) and (parts.scheme == "https" or plain_http)


def default_port(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)
