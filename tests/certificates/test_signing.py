"""The PAdES signature on a certificate PDF, checked by poppler's pdfsig (an
independent verifier), by pyHanko's own validator, and by looking at the page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from certificates.signing import (
    STAMP_BOX,
    Signer,
    SigningError,
    certificate_fingerprint,
    new_self_signed,
    sign_pdf,
    signature_facts,
)
from tests.certificates.institution_pki import institution_pkcs12

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
SELF_SIGNED_CN = "Kennisdeling certificate signing (self-signed)"

pytestmark = pytest.mark.skipif(shutil.which("pdfsig") is None,
                                reason="poppler-utils (pdfsig) is not installed")


@pytest.fixture(scope="session")
def signer() -> Signer:
    key, cert = new_self_signed(SELF_SIGNED_CN, "Kennisdeling")
    return Signer.from_key_and_certificates(key, cert)


@pytest.fixture(scope="session")
def signed_pdf(nl_pdf, signer) -> bytes:
    return _sign(nl_pdf, signer)


def _sign(pdf: bytes, signer: Signer, **overrides) -> bytes:
    options = {"reason": "Certificate of completion", "location": "tool.example.org",
               "name": "Kennisdeling"} | overrides
    return sign_pdf(pdf, signer, **options)


def _pdfsig(pdf: bytes, tmp_path, name="signed.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True,
                            timeout=60, check=False)
    return result.stdout + result.stderr


def _changed_byte(pdf: bytes) -> bytes:
    """A copy with one byte of the learner's text changed, inside the signed range."""
    changed = bytearray(pdf)
    changed[1000] ^= 0x01
    return bytes(changed)


def test_pdfsig_reports_a_valid_signature_over_the_whole_document(signed_pdf, tmp_path):
    report = _pdfsig(signed_pdf, tmp_path)
    assert "Signature is Valid." in report
    assert "Total document signed" in report
    assert f"Signer Certificate Common Name: {SELF_SIGNED_CN}" in report
    assert "Signature Type: ETSI.CAdES.detached" in report
    assert "Signing Hash Algorithm: SHA-256" in report


def test_pdfsig_reports_a_byte_changed_copy_invalid(signed_pdf, tmp_path):
    report = _pdfsig(_changed_byte(signed_pdf), tmp_path)
    assert "Signature is Valid." not in report
    assert "Digest Mismatch" in report or "Signature is Invalid" in report


def test_the_rendered_bytes_come_first_unchanged(nl_pdf, signed_pdf):
    assert signed_pdf.startswith(nl_pdf)
    assert len(signed_pdf) > len(nl_pdf)


def test_pyhanko_validates_it_and_trusts_it_only_with_the_certificate_as_root(
        signed_pdf, signer):
    signature = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures[0]
    trusted = validate_pdf_signature(signature, ValidationContext(
        trust_roots=[signer.certificate], allow_fetching=False))
    assert trusted.intact and trusted.valid and trusted.trusted
    assert trusted.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert trusted.bottom_line
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == "Certificate of completion"
    assert signature.sig_object["/Location"] == "tool.example.org"

    # A reader that trusts nobody still sees an intact signature, of an unknown signer.
    signature = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures[0]
    untrusted = validate_pdf_signature(signature, ValidationContext(
        trust_roots=[], allow_fetching=False))
    assert untrusted.intact and untrusted.valid and not untrusted.trusted


def test_signature_facts_of_a_signed_certificate(signed_pdf, signer):
    facts = signature_facts(signed_pdf)
    assert facts is not None
    assert facts.signer_common_name == SELF_SIGNED_CN
    assert "Kennisdeling" in facts.signer_subject
    assert facts.intact and facts.covers_whole_file and facts.is_unchanged
    assert facts.certificate_sha256 == signer.sha256_fingerprint
    assert re.fullmatch(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}", facts.certificate_sha256)
    assert abs(facts.signed_at - datetime.now(UTC)) < timedelta(hours=1)


def test_signature_facts_of_a_changed_copy_say_not_intact(signed_pdf):
    facts = signature_facts(_changed_byte(signed_pdf))
    assert facts is not None and not facts.intact and not facts.is_unchanged


def test_an_update_appended_after_signing_is_not_the_whole_file(signed_pdf, tmp_path):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.root["/Lang"] = generic.pdf_string("en")  # a changed language tag
    writer.update_root()
    appended = io.BytesIO()
    writer.write(appended)
    facts = signature_facts(appended.getvalue())
    assert facts.intact and not facts.covers_whole_file and not facts.is_unchanged
    assert "Total document signed" not in _pdfsig(appended.getvalue(), tmp_path)


@pytest.mark.parametrize("data", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF\n", b"%PDF-" + b"\x00" * 500])
def test_unsigned_or_unreadable_files_have_no_facts(nl_pdf, data):
    assert signature_facts(nl_pdf) is None
    assert signature_facts(data) is None


def test_the_signed_file_still_declares_pdf_a_3b_with_embedded_fonts(signed_pdf):
    reader = pypdf.PdfReader(io.BytesIO(signed_pdf))
    root = reader.trailer["/Root"]
    xmp = ET.fromstring(root["/Metadata"].get_object().get_data())
    ids = [e for e in xmp.iter() if e.get(PDFAID + "part") is not None]
    assert [(e.get(PDFAID + "part"), e.get(PDFAID + "conformance")) for e in ids] == [("3", "B")]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    # Info and XMP agree (PDF/A asks it of every entry both carry).
    info = reader.trailer["/Info"].get_object()
    description = {k: v for e in xmp.iter() for k, v in e.attrib.items()}
    assert info["/Producer"] == description["{http://ns.adobe.com/pdf/1.3/}Producer"]
    assert _pdf_date(info["/ModDate"]) == datetime.fromisoformat(
        description["{http://ns.adobe.com/xap/1.0/}ModifyDate"])
    page = reader.pages[0]
    fonts = dict(page["/Resources"]["/Font"])
    widgets = [a.get_object() for a in page["/Annots"]
               if a.get_object()["/Subtype"] == "/Widget"]
    assert len(widgets) == 1
    widget = widgets[0]
    assert int(widget["/F"]) & 4  # printable, as PDF/A wants
    fonts |= dict(widget["/AP"]["/N"].get_object()["/Resources"]["/Font"])
    for font_ref in fonts.values():
        descendant = font_ref.get_object()["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert len(fonts) == 4  # the page's three and the box's Lato


def test_the_visible_box_says_who_signed_and_stays_off_the_design(nl_pdf, signed_pdf, tmp_path):
    before = _gray_pixels(nl_pdf, tmp_path / "before")
    after = _gray_pixels(signed_pdf, tmp_path / "after")
    width, height, dpi = after[0], after[1], 50
    assert (width, height) == before[:2]
    x1, y1, x2, y2 = (c * dpi / 72 for c in STAMP_BOX)
    changed = [(i % width, i // width) for i, (a, b) in enumerate(zip(before[2], after[2]))
               if a != b]
    assert changed, "the signature draws something"
    # Every changed pixel is inside the box (PDF's y runs up, the image's down).
    for x, y in changed:
        assert x1 - 1 <= x <= x2 + 1 and height - y2 - 1 <= y <= height - y1 + 1
    # The box sits under the double frame, in the page margin (9 mm = 25.5 pt).
    assert STAMP_BOX[3] < 25.5
    text = pypdf.PdfReader(io.BytesIO(signed_pdf)).pages[0]
    annots = [a.get_object() for a in text["/Annots"]]
    widget = next(a for a in annots if a["/Subtype"] == "/Widget")
    stream = widget["/AP"]["/N"].get_object().get_data()
    assert b"TJ" in stream  # text, drawn with the embedded font


def test_the_box_prints_the_label_in_the_pdf_language(nl_pdf, signer, tmp_path):
    signed = _sign(nl_pdf, signer, signed_by_label="Digitaal ondertekend door")
    path = tmp_path / "nl.pdf"
    path.write_bytes(signed)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, timeout=60, check=True).stdout
    assert "Digitaal ondertekend door Kennisdeling" in " ".join(text.split())


def test_an_institution_pkcs12_with_its_chain_signs(nl_pdf, tmp_path):
    p12, leaf = institution_pkcs12(b"geheim")
    signer = Signer.from_pkcs12(p12, "geheim")
    assert signer.common_name == "Universiteitsbibliotheek Voorbeeld"
    assert signer.issuer.endswith("Voorbeeld Root CA") and not signer.is_self_signed
    assert signer.sha256_fingerprint == certificate_fingerprint(leaf)
    signed = _sign(nl_pdf, signer, name="Universiteit Voorbeeld")
    report = _pdfsig(signed, tmp_path)
    assert "Signature is Valid." in report and "Total document signed" in report
    assert "Common Name: Universiteitsbibliotheek Voorbeeld" in report
    # The chain travels in the signature, so a reader can build the path to the root.
    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert any(c.subject.native["common_name"] == "Voorbeeld Root CA"
               for c in signature.other_embedded_certs)


def test_a_wrong_passphrase_or_a_stranger_key_is_refused():
    p12, _ = institution_pkcs12(b"geheim")
    with pytest.raises(SigningError, match="passphrase"):
        Signer.from_pkcs12(p12, "fout")
    with pytest.raises(SigningError):
        Signer.from_pkcs12(b"not a pkcs12 file", None)
    key, _cert = new_self_signed("A")
    _other_key, other_cert = new_self_signed("B")
    with pytest.raises(SigningError, match="does not belong"):
        Signer.from_key_and_certificates(key, other_cert)


def test_the_self_signed_certificate_is_for_ten_years_and_document_signing():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    _key, cert = new_self_signed(SELF_SIGNED_CN, "Kennisdeling", now=now)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == SELF_SIGNED_CN
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Kennisdeling"
    assert cert.issuer == cert.subject
    assert cert.not_valid_after_utc == datetime(2036, 12, 1, 12, 0, tzinfo=UTC)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign


def _gray_pixels(pdf: bytes, stem) -> tuple[int, int, bytes]:
    """The page as 8-bit gray pixels (pdftoppm's PGM: a header, then one byte each)."""
    path = stem.with_suffix(".pdf")
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-r", "50", "-singlefile", str(path), str(stem)],
                   check=True, timeout=60)
    data = stem.with_suffix(".pgm").read_bytes()
    match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
    width, height = int(match[1]), int(match[2])
    return width, height, data[match.end():]


def _pdf_date(value: str) -> datetime:
    match = re.fullmatch(r"D:(\d{14})(Z|[+-]\d\d'?\d\d'?)?", value)
    moment = datetime.strptime(match[1], "%Y%m%d%H%M%S")
    return moment.replace(tzinfo=UTC)


def test_with_a_timestamp_authority_the_signature_is_pades_b_t(nl_pdf, signer, tmp_path):
    tsa = _test_tsa()
    signed = _sign(nl_pdf, signer, timestamper=tsa)
    report = _pdfsig(signed, tmp_path)
    assert "Signature is Valid." in report and "Total document signed" in report
    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    status = validate_pdf_signature(signature, ValidationContext(
        trust_roots=[signer.certificate, tsa.tsa_cert], allow_fetching=False))
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert signature_facts(signed).is_unchanged


def _test_tsa():
    """pyHanko's in-process timestamp authority (it signs with RSA only)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from pyhanko.sign.timestamps import DummyTimeStamper

    now = datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .sign(key, hashes.SHA256()))
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())))
