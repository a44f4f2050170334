"""Certificate HTML (Jinja2) and PDF/A-3b (WeasyPrint), with no network and no app.

Usage::

    pdf_bytes = render_certificate_pdf(CertificateData(...))

Everything the template shows comes from ``CertificateData`` (escaped by
Jinja's autoescape) plus the QR code, which segno draws as inline SVG from the
verification URL, so nothing is fetched but the package's own CSS and fonts.
"""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, datetime
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from weasyprint import HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from .data import CertificateData
from .fetcher import ASSETS_BASE_URL, ASSETS_DIR, PackageAssetFetcher
from .labels import labels_for
from .names import set_name
from .printed import printed_facts

PDF_VARIANT = "pdf/a-3b"


class _IgnoreFontTimestampWarning(logging.Filter):
    """Drop fontTools' warning about EB Garamond's head timestamp.

    FontForge wrote a Unix timestamp where OpenType expects seconds since 1904;
    fontTools warns on every subset, i.e. on every certificate, and the warning
    says nothing about the output. We ship the font files unmodified.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "timestamp seems very low" not in record.getMessage()


logging.getLogger("fontTools.ttLib.tables._h_e_a_d").addFilter(
    _IgnoreFontTimestampWarning()
)

# 4mm of white between the last module or shadowing day and the footer.
_MIN_GAP_ABOVE_FOOTER_PX = 4 * 96 / 25.4

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(ASSETS_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class CertificateRenderError(RuntimeError):
    """The certificate could not be rendered as one PDF page."""


def render_certificate_html(data: CertificateData, *, is_compact: bool = False) -> str:
    """The HTML WeasyPrint lays out; its asset URLs are relative to the package.

    ``is_compact`` tightens the type for the rare certificate whose content
    would otherwise spill onto a second page.
    """
    template = _ENVIRONMENT.get_template("certificate.html")
    return template.render(**_template_context(data, is_compact=is_compact))


def render_certificate_pdf(data: CertificateData) -> bytes:
    """One A4 landscape page, PDF/A-3b, fonts embedded, nothing fetched."""
    for is_compact in (False, True):
        document = _layout(render_certificate_html(data, is_compact=is_compact))
        if _fits_one_page(document):
            return _write_pdf(document)
    raise CertificateRenderError(
        f"certificate {data.verification_code} does not fit on one page"
    )


def _write_pdf(document: Document) -> bytes:
    # WeasyPrint 70 opens its sRGB profile for the PDF/A output intent and
    # never closes it; the ResourceWarning is harmless but fails any test run
    # with warnings as errors (ours and every caller's). The filter is narrow,
    # and catch_warnings is process-wide: a concurrent render can at worst
    # leave this one ignore rule behind.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"unclosed file .*sRGB2014\.icc", category=ResourceWarning
        )
        return document.write_pdf(pdf_variant=PDF_VARIANT)


def _layout(html: str) -> Document:
    try:
        return HTML(
            string=html, base_url=ASSETS_BASE_URL, url_fetcher=PackageAssetFetcher()
        ).render(font_config=FontConfiguration())
    except FatalURLFetchingError as exc:
        # WeasyPrint raises this BaseException subclass so that it escapes its
        # own error handling; turn it into an ordinary error for our callers.
        raise CertificateRenderError(str(exc)) from exc


def _fits_one_page(document: Document) -> bool:
    """Whether everything is on page one and the content ends above the footer.

    The frame has a fixed size and the footer is pinned to its bottom, so
    content that is too long would run under the footer (or onto a second
    page) rather than grow the page; the anchors tell where each one is.
    """
    if len(document.pages) != 1:
        return False
    anchors = document.pages[0].anchors
    if "content-end" not in anchors or "footer" not in anchors:
        return False
    # Anchor positions are (x0, y0, x1, y1) in CSS pixels from the page's top.
    content_end_y = anchors["content-end"][1]
    footer_top_y = anchors["footer"][1]
    return content_end_y + _MIN_GAP_ABOVE_FOOTER_PX <= footer_top_y


def _template_context(data: CertificateData, *, is_compact: bool) -> dict[str, Any]:
    labels = labels_for(data.language)
    facts = printed_facts(data)
    url = data.verification_url
    # The URL printed with the code's groups unbroken: a line may break in the
    # address before them, or between groups, never inside one.
    url_prefix = url
    if len(facts.code_groups) > 1 and url.endswith(data.verification_code):
        url_prefix = url[: -len(data.verification_code)]
    return {
        "data": data,
        "labels": labels,
        "facts": facts,
        "is_compact": is_compact,
        "name": set_name(data.learner_name),
        "completed_after": facts.completed_after,
        "issued_on": facts.issued_on,
        "shadow_days": [(d.day, d.host, d.by_trainer) for d in facts.shadow_days],
        "issued_by": facts.issued_by,
        "url_prefix": url_prefix,
        "url_code_groups": facts.code_groups if url_prefix != url else (),
        "pdf_title": labels["title"].format(
            course=data.course_title, name=data.learner_name
        ),
        "pdf_subject": labels["subject"].format(course=data.course_title),
        "pdf_date": _w3c_utc(data.issued_datetime),
        "qr_svg": _qr_svg(data.verification_url),
        "is_url_linkable": data.verification_url.startswith(("https://", "http://")),
    }


def _qr_svg(url: str) -> Markup:
    # segno writes only a <path> of the modules (no text, no title), so the SVG
    # is safe to insert unescaped; the URL itself is printed escaped elsewhere.
    # border=4 is the quiet zone the QR specification asks for.
    qr = segno.make(url, error="m", micro=False)
    return Markup(qr.svg_inline(omitsize=True, border=4, dark="#000", svgclass="qr"))


def _w3c_utc(moment: datetime) -> str:
    """The issue time as W3C date-time in UTC, the form WeasyPrint's metadata takes."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
