"""The certificate HTML: escaping, the inline QR code, and the language."""

from __future__ import annotations

import re

import segno

from certificates.render import render_certificate_html


def test_escapes_user_text(certificate_data):
    html = render_certificate_html(
        certificate_data(
            learner_name="<img src=x onerror=alert(1)>",
            shadow_days=(("2026-02-03", "</style><style>body{display:none}"),),
        )
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html
    assert "&lt;/style&gt;&lt;style&gt;body{display:none}" in html
    assert html.count("<style") == 0


def test_escapes_user_text_in_metadata_attributes(certificate_data):
    html = render_certificate_html(
        certificate_data(learner_name='"><script>x()</script>')
    )
    assert "<script" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_qr_code_is_inline_svg_of_the_verification_url(certificate_data):
    url = "https://kennisdeling.example.nl/verify/KD-7Q4M-X2RP-9HLC"
    html = render_certificate_html(certificate_data(verification_url=url))
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 1
    expected = segno.make(url, error="m", micro=False).svg_inline(
        omitsize=True, border=4, dark="#000", svgclass="qr"
    )
    assert svgs[0] == expected
    # Drawn, not linked: nothing in the SVG that a renderer would fetch.
    assert "href" not in svgs[0] and "<image" not in svgs[0]


def test_qr_code_changes_with_the_url(certificate_data):
    first = render_certificate_html(
        certificate_data(verification_url="https://a.example/1")
    )
    second = render_certificate_html(
        certificate_data(verification_url="https://a.example/2")
    )
    assert (
        re.search(r"<svg.*?</svg>", first, re.S).group()
        != re.search(r"<svg.*?</svg>", second, re.S).group()
    )


def test_only_http_urls_become_links(certificate_data):
    linked = render_certificate_html(certificate_data())
    assert (
        '<a href="https://kennisdeling.example.nl/verify/KD-7Q4M-X2RP-9HLC">' in linked
    )
    unlinked = render_certificate_html(
        certificate_data(verification_url="javascript:x()")
    )
    assert "<a " not in unlinked
    assert "javascript:x()" in unlinked


def test_html_lang_follows_the_certificate(certificate_data):
    assert '<html lang="nl">' in render_certificate_html(certificate_data())
    english = render_certificate_html(certificate_data(language="en"))
    assert '<html lang="en">' in english
    assert "12 March 2026" in english


def test_only_relative_asset_urls(certificate_data):
    html = render_certificate_html(certificate_data())
    # Everything the page loads resolves against the package's templates dir.
    assert re.findall(r'(?:href|src)="([^"]+)"', html) == [
        "certificate.css",
        "https://kennisdeling.example.nl/verify/KD-7Q4M-X2RP-9HLC",
    ]
