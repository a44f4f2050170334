"""Headers every response gets.

Framing (CSP frame-ancestors; never `*`, and no X-Frame-Options, which cannot
list several origins) is decided per response, by what the page is:

- a page of a launch: 'self', the origins of that launch's platform (its
  registered issuer and endpoints) and the LMS origins learned from that
  platform's own launches (a hosted Canvas customer's domain); never another
  platform's. So is a page of a valid launch not yet saved (the confirmation
  "continue as <name>?", see `frame_as_launch_of`), with its token's
  return_url's origin;
- the login step (/lti/login and the pages /lti/launch shows before the
  launch is valid: the platform-storage check, a refused launch), and an
  error page that belongs to no launch: any https
  origin (`https:`; `http:` too with LTI_ALLOW_HTTP_PLATFORMS or in debug).
  Hosted Canvas posts the login from the customer's own domain, which the tool
  only learns at the launch, and these pages hold nothing worth a
  clickjacking; the login request's platform is listed as well;
- /lti/register: the origins of the LMS being registered (the view names
  them, see `allow_framing_by`);
- public pages (/verify, /host/*, /healthz): 'none'. A verification page
  inside a phishing site's frame would lend it credibility, and a host
  library opens its link top-level;
- anything else: 'self'.

Every origin is rebuilt by the strict `origins.origin_of`; a value that does
not parse is left out, never emitted.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable

from flask import Flask, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError

from .origins import origin_of, strict_origins
from .platforms.service import find_only_platform_of_issuer, find_platform, frame_origins_of

# Pages anyone may open, outside any launch and any LMS: never framed.
PUBLIC_ENDPOINT_PREFIXES = ("verification.", "shadowing.host_", "health")
# The login step: an auto-posting form or the platform-storage script.
LOGIN_STEP_ENDPOINTS = ("lti.login", "lti.launch")


def allow_framing_by(*urls: str | None) -> None:
    """Let the LMSs at these URLs frame this response (e.g. the one registering us)."""
    extra = g.setdefault("extra_frame_origins", set())
    extra.update(origin for origin in map(origin_of, urls) if origin)


def frame_as_launch_of(platform_id: int, return_url: str | None = None) -> None:
    """Frame this response as a page of a launch of that platform (not yet saved)."""
    g.frame_launch = (platform_id, return_url)


def _allow_http() -> bool:
    return bool(current_app.debug or current_app.config.get("LTI_ALLOW_HTTP_PLATFORMS"))


def _platform_origins(platform_ids: Iterable[int]) -> set[str]:
    try:
        return frame_origins_of(platform_ids)
    except SQLAlchemyError:  # database down: the error page needs no LMS's framing
        return set()


# A launch's pages asked the database for its platform's frame origins on every
# response. They change only when the platform re-registers or a launch learns
# an LMS origin, so each worker keeps them this many seconds: a change reaches
# every worker within it, and a worker whose launch learned an origin forgets
# them at once (forget_frame_origins). A launch's own return_url origin is
# never cached (it is added per response below).
FRAME_ORIGINS_TTL = 30.0
_frame_origins: dict[tuple[str, int], tuple[float, frozenset[str]]] = {}


def forget_frame_origins() -> None:
    """This worker's launch just changed a platform's frame origins."""
    _frame_origins.clear()


def _launch_platform_origins(platform_id: int) -> set[str]:
    # Keyed by the database too: tests run several apps in one process.
    key = (str(current_app.config.get("SQLALCHEMY_DATABASE_URI")), platform_id)
    now = time.monotonic()
    hit = _frame_origins.get(key)
    if hit is not None and hit[0] > now:
        return set(hit[1])
    try:
        origins = frame_origins_of({platform_id})
    except SQLAlchemyError:  # database down: the error page needs no LMS's framing
        return set()
    _frame_origins[key] = (now + FRAME_ORIGINS_TTL, frozenset(origins))
    return origins


def _login_platform_ids() -> set[int]:
    """The registration the login request names (issuer and client id)."""
    issuer = request.values.get("iss", "")
    client_id = request.values.get("client_id", "")
    if not issuer:
        return set()
    try:
        platform = (find_platform(issuer, client_id) if client_id
                    else find_only_platform_of_issuer(issuer))
    except SQLAlchemyError:
        return set()
    return {platform.id} if platform is not None else set()


def frame_ancestors(status: int = 200) -> str:
    """The frame-ancestors source list of this response (see the module's text)."""
    endpoint = request.endpoint or ""
    if endpoint.startswith(PUBLIC_ENDPOINT_PREFIXES):
        return "'none'"
    sources = ["'self'"]
    origins = strict_origins(g.get("extra_frame_origins", ()))
    launch = g.get("launch")
    held = g.get("frame_launch")
    if launch is not None:
        origins |= _launch_platform_origins(launch.platform_id)
        if origin_of(launch.return_url):
            origins.add(origin_of(launch.return_url))
    elif held is not None:
        origins |= _platform_origins({held[0]})
        if origin_of(held[1]):
            origins.add(origin_of(held[1]))
    elif endpoint in LOGIN_STEP_ENDPOINTS or status >= 400:
        sources.append("https:")
        if _allow_http():
            sources.append("http:")
        if endpoint == "lti.login":  # the login view may have them at hand already
            known = g.get("login_frame_origins")
            origins |= known if known is not None else _platform_origins(_login_platform_ids())
    return " ".join([*sources, *sorted(origins)])


def csp_nonce() -> str:
    """A per-response nonce for our few inline scripts (auto-posting forms, polling)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(status: int = 200) -> str:
    frame_src = ["'self'"]
    tool_origin = origin_of(current_app.config.get("DEMO_LMS_TOOL_URL"))
    if tool_origin:  # the demo LMS embeds the tool from another site
        frame_src.append(tool_origin)
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{csp_nonce()}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        f"frame-src {' '.join(frame_src)}",
        f"frame-ancestors {frame_ancestors(status)}",
    ])


def init_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Links carry the launch token; never send our URLs to other sites.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and not request.endpoint.startswith(("static", "lti.jwks")):
            response.headers.setdefault("Cache-Control", "no-store")
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = content_security_policy(
                response.status_code)
        if request.is_secure:  # behind TLS (ProxyFix tells us): stay on HTTPS
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
