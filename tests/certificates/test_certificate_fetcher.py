"""The URL fetcher serves the package's own CSS and fonts and refuses all else."""

from __future__ import annotations

import pytest
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from certificates import fetcher
from certificates.fetcher import (
    ASSETS_BASE_URL,
    AssetRefused,
    PackageAssetFetcher,
    resolve_asset_path,
)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("certificate.css", "text/css"),
        ("fonts/EBGaramond12-Regular.otf", "font/otf"),
        ("fonts/Lato-Regular.ttf", "font/ttf"),
    ],
)
def test_serves_packaged_assets(name, content_type):
    response = PackageAssetFetcher().fetch(ASSETS_BASE_URL + name)
    assert response.content_type == content_type
    assert len(response.read()) > 100


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        # Traversal out of templates/, to the package and beyond it.
        ASSETS_BASE_URL + "../render.py",
        ASSETS_BASE_URL + "fonts/../../render.py",
        ASSETS_BASE_URL + "../../../../../../etc/passwd",
        ASSETS_BASE_URL + "%2e%2e/%2e%2e/setup.cfg",
        ASSETS_BASE_URL + "..%2f..%2fsetup.cfg",
        # Inside the package but not an asset type.
        ASSETS_BASE_URL + "certificate.html",
        ASSETS_BASE_URL + "fonts/OFL.txt",
        ASSETS_BASE_URL + "missing.css",
        "file://evil.example"
        + ASSETS_BASE_URL.removeprefix("file://")
        + "certificate.css",
        "http://127.0.0.1:9/x.css",
        "https://example.org/x",
        "HTTPS://example.org/certificate.css",
        "ftp://example.org/x.css",
        "data:text/css,body{display:none}",
        "url(file:///etc/passwd)",
        "certificate.css",
        "",
    ],
)
def test_refuses_everything_else(url):
    with pytest.raises(AssetRefused):
        PackageAssetFetcher().fetch(url)


def test_refuses_symlink_leading_out_of_the_assets(tmp_path, monkeypatch):
    assets = tmp_path / "templates"
    assets.mkdir()
    (assets / "innocent.css").symlink_to("/etc/passwd")
    monkeypatch.setattr(fetcher, "ASSETS_DIR", assets.resolve())
    with pytest.raises(AssetRefused):
        resolve_asset_path((assets / "innocent.css").as_uri())


def test_a_refusal_stops_weasyprint_instead_of_being_skipped():
    # fail_on_errors: WeasyPrint would otherwise log the failure and go on.
    html = HTML(
        string='<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>x</p>',
        base_url=ASSETS_BASE_URL,
        url_fetcher=PackageAssetFetcher(),
    )
    with pytest.raises(FatalURLFetchingError):
        html.render()
