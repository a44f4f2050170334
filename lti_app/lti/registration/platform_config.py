"""The platform's OpenID configuration: fetched, checked, read into a PlatformConfig.

Spec sections 3.4 and 3.5: the LMS gives us the configuration URL; its issuer
must name exactly that URL's scheme and host, and its endpoints must be
usable public https URLs (http with LTI_ALLOW_HTTP_PLATFORMS).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from ..canvas_config import CANVAS
from ..claims import PLATFORM_CONFIGURATION
from ..http import PrivateAddress, bounded_get
from .answers import describe_answer, json_object, request_headers
from .errors import RegistrationFailed
from .guard import check_outbound_url, default_port, must_be_public, usable_url

REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri",
                      "registration_endpoint")
CONFIG_TIMEOUT = 5


@dataclass(frozen=True)
class PlatformConfig:
    url: str
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    authorization_server: str | None
    product_family: str  # "moodle", "canvas", ... or "" when not said
    version: str
    name: str
    # The institution's name if the configuration offers one (Canvas's account
    # name): a suggestion for the operator's approval, never trusted as is.
    offered_name: str | None
    scopes_supported: frozenset[str] | None  # None: the platform lists none
    message_types: frozenset[str] | None  # None: the platform lists none


def fetch_platform_config(
    url: str, token: str | None, *, allow_local: bool
) -> PlatformConfig:
    if not url:
        raise RegistrationFailed("missing_configuration")
    check_outbound_url(url, allow_local=allow_local)
    try:
        # Canvas wants the registration token on this GET as well (its
        # registration docs); Moodle ignores it.
        # Bounded (lti/http.py): CONFIG_TIMEOUT for the whole call, 64 KB.
        response = bounded_get(url, purpose="registration", headers=request_headers(token),
                               deadline=CONFIG_TIMEOUT, allow_redirects=False,
                               public_only=must_be_public(allow_local))
    except PrivateAddress as exc:
        raise RegistrationFailed("private_host", url=url[:200]) from exc
    except requests.Timeout as exc:
        raise RegistrationFailed("timeout", url=url, seconds=CONFIG_TIMEOUT) from exc
    except requests.RequestException as exc:
        raise RegistrationFailed("unreachable", url=url) from exc
    if response.status_code != 200:
        raise RegistrationFailed("config_status", url=url, status=response.status_code,
                                 platform_answer=describe_answer(response))
    config = json_object(response)
    if config is None:
        raise RegistrationFailed("not_json", url=url)
    return _parse_config(url, config, allow_local=allow_local)


def _parse_config(url: str, config: dict, *, allow_local: bool) -> PlatformConfig:
    issuer = config.get("issuer")
    issuer = issuer if isinstance(issuer, str) else ""
    if len(issuer) > 255 or not issuer_matches(issuer, url):
        raise RegistrationFailed("issuer_mismatch", issuer=issuer[:200] or "-", url=url)
    platform = config.get(PLATFORM_CONFIGURATION)
    bad = [f for f in REQUIRED_ENDPOINTS if not usable_url(config.get(f), allow_local)]
    if not isinstance(platform, dict):
        bad.append(PLATFORM_CONFIGURATION)
        platform = {}
    if bad:
        raise RegistrationFailed("missing_fields", fields=", ".join(bad))
    # The tool calls these itself at every launch and grade: public hosts only
    # (the registration endpoint is checked when it is called).
    for field in ("jwks_uri", "token_endpoint"):
        check_outbound_url(config[field], allow_local=allow_local)
    scopes = config.get("scopes_supported")
    audience = config.get("authorization_server")
    offered = platform.get(CANVAS + "account_name")  # Canvas only; others say nothing
    offered = " ".join(offered.split())[:200] or None if isinstance(offered, str) else None
    name = offered or urlsplit(issuer).hostname
    return PlatformConfig(
        url=url, issuer=issuer,
        **{field: config[field] for field in REQUIRED_ENDPOINTS},
        authorization_server=audience or None if isinstance(audience, str) else None,
        product_family=str(platform.get("product_family_code") or "").lower()[:50],
        version=str(platform.get("version") or "")[:50],
        # Hosted Canvas instances all share one issuer host: the account name is
        # what tells them apart in `platform list`.
        name=name[:200],
        offered_name=offered,
        scopes_supported=frozenset(scopes) if isinstance(scopes, list) else None,
        message_types=_message_types(platform.get("messages_supported")),
    )


def issuer_matches(issuer: str, url: str) -> bool:
    """Spec 3.5.1: the issuer MUST match the configuration URL's host.

    Exactly: the same scheme, host and port, compared as parsed, never as a
    string prefix (https://lms.example.nl.evil.example is another host). The
    issuer is a plain URL (no user info, query, fragment, backslash or
    space), so what `platform list` shows is the host that answered. Its path,
    if any (a Moodle in a subdirectory), must contain the configuration URL's
    path, segment by segment.
    """
    if not issuer or any(c in issuer for c in "@\\?# \t\r\n"):
        return False
    i, u = urlsplit(issuer), urlsplit(url)
    try:
        i_port, u_port = default_port(i), default_port(u)
    except ValueError:  # a malformed port
        return False
    if not i.hostname or u.username is not None or u.password is not None:
        return False
    if (i.scheme, i.hostname, i_port) != (u.scheme, u.hostname, u_port):
        return False
    prefix = i.path.rstrip("/")
    return u.path == prefix or u.path.startswith(prefix + "/")


def _message_types(value: object) -> frozenset[str] | None:
    # The spec lists objects {type, placements}; Moodle has sent bare type names.
    if not isinstance(value, list):
        return None
    return frozenset(
        item["type"] if isinstance(item, dict) else item
        for item in value
        if isinstance(item, str) or (isinstance(item, dict) and "type" in item)
    )
