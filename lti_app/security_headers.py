"""Headers every response gets.

Framing: only the registered platforms' origins (and the LMS domains learned
from their launches) may frame the tool, through CSP frame-ancestors; never
`*`, and no X-Frame-Options, which cannot list several origins.
"""

from __future__ import annotations

from flask import Flask, g, request
from sqlalchemy.exc import SQLAlchemyError

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
    if launch is not None and launch.return_url:
        from urllib.parse import urlsplit

        parts = urlsplit(launch.return_url)
        origins.add(f"{parts.scheme}://{parts.netloc}")
    return " ".join(["'self'", *sorted(origins)])


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Links carry the launch token; never send our URLs to other sites.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and not request.endpoint.startswith(("static", "lti.jwks")):
            response.headers.setdefault("Cache-Control", "no-store")
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = (
                f"frame-ancestors {frame_ancestors()}"
            )
        return response
