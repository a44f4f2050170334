"""The origin (scheme://host[:port]) of a URL: what CSP and postMessage compare."""

from __future__ import annotations

from urllib.parse import urlsplit


def origin_of(url: str | None) -> str | None:
    """`https://lms.example.nl` for any http(s) URL on it; None for anything else."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"
