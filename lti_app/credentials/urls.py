"""Absolute URLs of the tool for what a credential names (issuer, key, status
list, verification page).

They are signed into credentials that live for years, so TOOL_BASE_URL wins
when it is set: a request's Host header must not choose them. Without it (dev,
tests) the request's host is used, else http://localhost.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def public_url(endpoint: str, **values) -> str:
    base = current_app.config.get("TOOL_BASE_URL")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    if not base:
        # Outside a request (a ZIP job, the CLI) with no TOOL_BASE_URL: the
        # credential would name localhost for good, so the log says so.
        current_app.logger.warning("TOOL_BASE_URL is not set: %s names http://localhost",
                                   endpoint)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
