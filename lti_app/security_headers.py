"""Headers every response gets.

Framing: only the registered platforms' origins (and the LMS domains learned
from their launches) may frame the tool, through CSP frame-ancestors; never
`*`, and no X-Frame-Options, which cannot list several origins.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError

from .origins import origin_of

def frame_ancestors() -> str:
    """'self', every registered platform's origins, and this request's LMS.

    Read on each HTML response (one small query): a platform registered a
    moment ago, by another worker, must be able to frame us at once.
    """
    from .platforms.service import all_frame_origins

    try:
        origins = all_frame_origins()
    except SQLAlchemyError:
        origins = set()  # database down: the error page needs no framing rights
    origins.update(g.get("extra_frame_origins", ()))
    launch = g.get("launch")
    if launch is not None and origin_of(launch.return_url):
        origins.add(origin_of(launch.return_url))
    return " ".join(["'self'", *sorted(origins)])


def csp_nonce() -> str:
    """A per-response nonce for our few inline scripts (auto-posting forms, polling)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy() -> str:
    frame_src = ["'self'"]
    tool_url = current_app.config.get("DEMO_LMS_TOOL_URL")
    if tool_url:  # the demo LMS embeds the tool from another site
        frame_src.append(tool_url.rstrip("/"))
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{csp_nonce()}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        f"frame-src {' '.join(frame_src)}",
        f"frame-ancestors {frame_ancestors()}",
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
            response.headers["Content-Security-Policy"] = content_security_policy()
        if request.is_secure:  # behind TLS (ProxyFix tells us): stay on HTTPS
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
