"""A WeasyPrint URL fetcher that serves the package's own assets and nothing else.

User text (names, host libraries) is escaped before it reaches WeasyPrint, so no
hostile URL should ever get here; this fetcher is the second wall: whatever the
HTML or CSS asks for, only files inside ``certificates/templates/`` with an
asset suffix are read, and every other URL (http, https, ftp, data, file
outside the package, ``../`` traversal, symlinks leading out) is refused.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS_DIR = (Path(__file__).parent / "templates").resolve()
# The trailing slash matters: relative URLs in the HTML and CSS resolve
# against this directory, not its parent.
ASSETS_BASE_URL = ASSETS_DIR.as_uri() + "/"

_MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
}


class AssetRefused(ValueError):
    """The renderer asked for a URL that is not one of the package's assets."""


def resolve_asset_path(url: str) -> Path:
    """Map a ``file:`` URL to an asset file inside the package, or raise."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise AssetRefused(f"only packaged assets are served, not {url!r}")
    if parts.netloc not in ("", "localhost"):
        raise AssetRefused(f"remote file URLs are refused: {url!r}")
    # resolve() follows symlinks and collapses "..", so the containment check
    # below sees where the file really is.
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(ASSETS_DIR):
        raise AssetRefused(f"outside the certificate assets: {url!r}")
    if path.suffix.lower() not in _MEDIA_TYPES:
        raise AssetRefused(f"not an asset type the certificate uses: {url!r}")
    if not path.is_file():
        raise AssetRefused(f"no such asset: {url!r}")
    return path


class PackageAssetFetcher(URLFetcher):
    """Serves ``certificates/templates/`` assets; refuses every other URL."""

    def __init__(self) -> None:
        # fail_on_errors: a refused or missing asset stops the render instead
        # of silently printing a certificate without its fonts. The empty
        # protocol list makes the inherited urllib path refuse everything,
        # should anything ever reach it despite the override below.
        super().__init__(
            allowed_protocols=(), allow_redirects=False, fail_on_errors=True
        )

    def fetch(
        self, url: str, headers: dict[str, str] | None = None
    ) -> URLFetcherResponse:
        path = resolve_asset_path(url)
        return URLFetcherResponse(
            path.as_uri(),
            body=path.read_bytes(),
            headers={"Content-Type": _MEDIA_TYPES[path.suffix.lower()]},
        )
