"""The rendered PDF: content, one A4 landscape page, metadata, PDF/A, fonts."""

from __future__ import annotations

import io
import socket
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from certificates import render
from certificates.fetcher import ASSETS_BASE_URL, PackageAssetFetcher
from certificates.render import CertificateRenderError, render_certificate_pdf

A4_LANDSCAPE_PT = (841.89, 595.28)
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_HOSTS = (
    "</style><style>body{display:none}",
    "http://evil.example/x.png",
    "url(file:///etc/passwd)",
)


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    """The page's text, whitespace runs folded to one space."""
    return " ".join(_reader(pdf).pages[0].extract_text().split())


def _xmp_root(pdf: bytes) -> ET.Element:
    metadata = _reader(pdf).trailer["/Root"]["/Metadata"].get_object()
    return ET.fromstring(metadata.get_data())


def test_shows_name_course_and_code(nl_pdf):
    text = _text(nl_pdf)
    assert "Maria Johanna Elisabeth van den Berg-Çelik" in text
    assert "Library Basics" in text
    assert "KD-7Q4M-X2RP-9HLC" in text
    assert "Dr. Anneke de Vries" in text
    assert "UKB · SHB · OKBN · WSWB · VOGIN" in text


def test_lists_every_module_and_shadowing_day(nl_pdf):
    text = _text(nl_pdf)
    assert "12. Privacy and security in the library" in text
    assert "Universiteitsbibliotheek Leiden" in text
    assert "17 februari 2026 Koninklijke Bibliotheek, Den Haag" in text


def test_is_one_a4_landscape_page(nl_pdf):
    reader = _reader(nl_pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(
        A4_LANDSCAPE_PT, abs=0.5
    )


def test_has_document_metadata(nl_pdf):
    reader = _reader(nl_pdf)
    info = reader.metadata
    assert info.title == (
        "Certificaat Library Basics — Maria Johanna Elisabeth van den Berg-Çelik"
    )
    assert info.author == "UKB, SHB, OKBN, WSWB, VOGIN"
    assert info.subject == "Bewijs van afronding van de cursus Library Basics"
    assert info["/CreationDate"] == "D:20260312130509Z"
    assert reader.trailer["/Root"]["/Lang"] == "nl"


def test_english_metadata_is_english(en_pdf):
    reader = _reader(en_pdf)
    assert reader.metadata.title.startswith("Certificate Library Basics")
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_declares_pdf_a_3b(nl_pdf):
    root = _xmp_root(nl_pdf)
    ids = [
        element for element in root.iter() if element.get(PDFAID + "part") is not None
    ]
    assert len(ids) == 1
    assert ids[0].get(PDFAID + "part") == "3"
    assert ids[0].get(PDFAID + "conformance") == "B"
    # PDF/A also needs an output intent (WeasyPrint embeds sRGB).
    intents = _reader(nl_pdf).trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"


def test_xmp_carries_title_and_creators(nl_pdf):
    root = _xmp_root(nl_pdf)
    creators = [
        li.text
        for creator in root.iter("{http://purl.org/dc/elements/1.1/}creator")
        for li in creator.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")
    ]
    assert creators == ["UKB", "SHB", "OKBN", "WSWB", "VOGIN"]


def test_embeds_only_the_packaged_fonts(nl_pdf):
    fonts = _reader(nl_pdf).pages[0]["/Resources"]["/Font"]
    names = set()
    for font_ref in fonts.values():
        font = font_ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        # Subset prefix "ABCDEF+" off; the family names come from our @font-face.
        names.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert names == {
        "Certificate-Serif",
        "Certificate-Serif-Italic",
        "Certificate-Sans",
    }


def test_dutch_and_english_labels_and_dates_differ(nl_pdf, en_pdf):
    nl_text, en_text = _text(nl_pdf), _text(en_pdf)
    assert "12 maart 2026" in nl_text
    assert "12 March 2026" in en_text
    assert "Meeloopdagen".upper() in nl_text
    assert "Shadowing days".upper() in en_text
    assert "heeft met goed gevolg de cursus" in nl_text
    assert "has successfully completed the course" in en_text
    assert "maart" not in en_text and "March" not in nl_text


def test_hostile_text_prints_literally_and_fetches_nothing(
    certificate_data, monkeypatch
):
    fetched: list[str] = []
    original_fetch = PackageAssetFetcher.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return original_fetch(self, url, headers)

    monkeypatch.setattr(PackageAssetFetcher, "fetch", recording_fetch)
    data = certificate_data(
        learner_name=HOSTILE_NAME,
        shadow_days=tuple(
            (f"2026-02-0{day}", host) for day, host in enumerate(HOSTILE_HOSTS, 1)
        ),
        trainer_name="<script>x()</script> &amp;",
        modules=("<style>*{color:red}</style>",) + certificate_data().modules[1:],
    )
    pdf = render_certificate_pdf(data)

    text = _text(pdf)
    assert HOSTILE_NAME in text
    for host in HOSTILE_HOSTS:
        assert host in text
    assert "<script>x()</script> &amp;" in text
    assert "1. <style>*{color:red}</style>" in text
    assert "Library Basics" in text  # the body was not hidden
    assert len(_reader(pdf).pages) == 1
    assert fetched, "the stylesheet and fonts go through the fetcher"
    assert all(url.startswith(ASSETS_BASE_URL) for url in fetched)
    assert {url.removeprefix(ASSETS_BASE_URL) for url in fetched} == {
        "certificate.css",
        "fonts/EBGaramond12-Regular.otf",
        "fonts/EBGaramond12-Italic.otf",
        "fonts/Lato-Regular.ttf",
    }


def test_never_touches_the_network(certificate_data, monkeypatch):
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access during certificate rendering")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    data = certificate_data(
        learner_name="http://evil.example/x.png",
        verification_url="https://verify.example.org/c/KD-7Q4M-X2RP-9HLC",
    )
    pdf = render_certificate_pdf(data)
    assert pdf.startswith(b"%PDF-")
    assert attempts == []


@pytest.mark.parametrize(
    "name",
    [
        "Maria Johanna Elisabeth van den Berg-Çelik",
        "Maria Johanna Elisabeth van den Berg-Çelik-Yılmaz Ştefănescu Łódź",
        "Christina Alexandra Wilhelmina Maximiliana van Oranje-Nassau tot Amsberg "
        "en Zuylen van Nijevelt",
        "X" * 120,
    ],
)
def test_long_names_keep_one_page(certificate_data, name):
    pdf = render_certificate_pdf(certificate_data(learner_name=name))
    assert len(_reader(pdf).pages) == 1
    text = _text(pdf)
    # Long names may wrap; every word still prints, and so does the footer.
    for word in name.split() if len(name) < 100 else ():
        assert word in text
    assert "KD-7Q4M-X2RP-9HLC" in text


def test_the_42_character_name_stays_on_one_line(certificate_data):
    pdf = render_certificate_pdf(certificate_data())
    lines = _reader(pdf).pages[0].extract_text().splitlines()
    assert "Maria Johanna Elisabeth van den Berg-Çelik" in lines


def test_courses_without_shadow_days_or_trainer(certificate_data):
    pdf = render_certificate_pdf(
        certificate_data(
            course_title="Licence negotiation",
            course_slug="licence-negotiation",
            shadow_days=(),
            trainer_name="",
            modules=certificate_data().modules[:6],
        )
    )
    text = _text(pdf)
    assert "Licence negotiation" in text
    assert "MEELOOPDAGEN" not in text
    assert "TRAINER" not in text


def test_a_long_module_list_falls_back_to_the_compact_layout(
    certificate_data, monkeypatch
):
    layouts: list[bool] = []
    original = render.render_certificate_html

    def recording_html(data, *, is_compact=False):
        layouts.append(is_compact)
        return original(data, is_compact=is_compact)

    monkeypatch.setattr(render, "render_certificate_html", recording_html)
    modules = tuple(f"Module {i} on library practice" for i in range(1, 21))
    pdf = render_certificate_pdf(certificate_data(modules=modules))
    assert layouts == [False, True]
    assert len(_reader(pdf).pages) == 1
    assert "20. Module 20 on library practice" in _text(pdf)


def test_content_that_cannot_fit_is_refused_not_cut(certificate_data):
    modules = tuple(
        f"Module {i} with a long and very descriptive title" for i in range(1, 41)
    )
    with pytest.raises(CertificateRenderError, match="one page"):
        render_certificate_pdf(certificate_data(modules=modules))


def test_a_template_asking_for_a_remote_asset_fails_the_render(
    certificate_data, monkeypatch
):
    # As if someone added a web font or logo by URL to the template.
    original = render.render_certificate_html

    def html_with_remote_logo(data, *, is_compact=False):
        return original(data, is_compact=is_compact).replace(
            "</main>", '<img src="https://example.org/logo.png"></main>'
        )

    monkeypatch.setattr(render, "render_certificate_html", html_with_remote_logo)
    with pytest.raises(CertificateRenderError, match="example.org"):
        render_certificate_pdf(certificate_data())
