"""PAdES signatures on certificate PDFs (pyHanko), with no network and no app.

Usage::

    signer = Signer.from_pkcs12(p12_bytes, passphrase)   # once per process
    signed = sign_pdf(pdf, signer, reason="Certificate of completion",
                      location="tool.example.org", name="Kennisdeling")
    facts = signature_facts(signed)   # who signed, and is it unchanged?

The signature is PAdES B-B (B-T when a timestamper is passed): SHA-256,
``/SubFilter /ETSI.CAdES.detached``, added as an incremental update, so the
rendered PDF/A-3b bytes stay untouched in front of it. pyHanko keeps the XMP
metadata in step with the Info dictionary it updates (ModDate, Producer), and
the visible box draws its text in the certificate's own embedded Lato, so the
signed file is still PDF/A-3b (PDF/A-3 allows signatures and demands embedded
fonts and printable annotations, which this is).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import SimpleSigner
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "Signature"
SELF_SIGNED_YEARS = 10

# The visible box sits in the page's bottom margin, right-aligned with the
# double frame (the @page margin is 9 mm = 25.5 pt, the page 842 x 595 pt), so
# it never overlaps the design whatever the certificate's length.
# (x1, y1, x2, y2) in whole PDF points (pyHanko's layout wants integers).
STAMP_BOX = (566, 4, 816, 22)
# fetcher.ASSETS_DIR without importing fetcher: it imports WeasyPrint (~45 MB of
# RSS in every web worker, which signs nothing at start).
ASSETS_DIR = (Path(__file__).parent / "templates").resolve()
_STAMP_FONT = ASSETS_DIR / "fonts" / "Lato-Regular.ttf"
_STAMP_FONT_SIZE = 7
_INK = (0x1F / 255, 0x2B / 255, 0x3D / 255)  # --ink in certificate.css


class SigningError(ValueError):
    """A key or certificate that cannot sign (wrong passphrase, no key, mismatch)."""


@dataclass(frozen=True)
class Signer:
    """A private key with its certificate and chain; load it once, sign many."""

    pyhanko_signer: SimpleSigner

    @classmethod
    def from_pkcs12(cls, data: bytes, passphrase: str | bytes | None) -> Signer:
        """A .p12/.pfx: the key, its certificate and the chain's certificates."""
        if isinstance(passphrase, str):
            passphrase = passphrase.encode()
        try:
            key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase or None)
        except (ValueError, TypeError) as exc:
            raise SigningError("not a PKCS#12 file, or the wrong passphrase") from exc
        if key is None or cert is None:
            raise SigningError("the PKCS#12 file holds no private key and certificate")
        return cls.from_key_and_certificates(key, cert, chain)

    @classmethod
    def from_key_and_certificates(cls, key, cert: x509.Certificate,
                                  chain: list[x509.Certificate] = ()) -> Signer:
        """A loaded private key (cryptography) with its certificate and chain."""
        if key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) != cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ):
            raise SigningError("the private key does not belong to the certificate")
        registry = SimpleCertificateStore()
        registry.register_multiple(_asn1(c) for c in chain)
        key_der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(SimpleSigner(
            signing_cert=_asn1(cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            cert_registry=registry,
        ))

    @classmethod
    def from_pem(cls, key_pem: bytes, cert_pem: bytes, *, passphrase: bytes | None = None,
                 chain_pem: bytes = b"") -> Signer:
        try:
            key = serialization.load_pem_private_key(key_pem, passphrase)
            cert = x509.load_pem_x509_certificate(cert_pem)
            chain = x509.load_pem_x509_certificates(chain_pem) if chain_pem.strip() else []
        except (ValueError, TypeError) as exc:
            raise SigningError("not a PEM key and certificate, or the wrong passphrase") from exc
        return cls.from_key_and_certificates(key, cert, chain)

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self.pyhanko_signer.signing_cert

    @property
    def common_name(self) -> str:
        return _common_name(self.certificate)

    @property
    def subject(self) -> str:
        return self.certificate.subject.human_friendly

    @property
    def issuer(self) -> str:
        return self.certificate.issuer.human_friendly

    @property
    def not_before(self) -> datetime:
        return self.certificate.not_valid_before

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after

    @property
    def is_self_signed(self) -> bool:
        return self.certificate.self_signed != "no"

    @property
    def sha256_fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate)


@dataclass(frozen=True)
class SignatureFacts:
    """What a PDF's (last) signature says, checked without trusting anyone.

    ``intact``: the signed bytes hash to what the signer signed and the
    signature verifies with the embedded certificate. ``covers_whole_file``:
    nothing was appended after signing. Whether the signer is who they say is
    a separate question: compare ``certificate_sha256`` with a known one.
    """

    signer_subject: str
    signer_common_name: str
    signed_at: datetime | None
    intact: bool
    covers_whole_file: bool
    certificate_sha256: str

    @property
    def is_unchanged(self) -> bool:
        return self.intact and self.covers_whole_file


def sign_pdf(pdf: bytes, signer: Signer, *, reason: str, location: str, name: str,
             signed_by_label: str = "Digitally signed by",
             timestamper: TimeStamper | None = None) -> bytes:
    """The PDF with a PAdES signature appended; the original bytes come first, unchanged.

    ``name`` is who signs in words (the tool or institution), shown in the
    visible box after ``signed_by_label`` (in the PDF's language);
    ``timestamper`` (a TSA client) turns B-B into B-T.
    """
    # The box prints this; pyHanko reads the clock again for the signature's
    # own time, the same minute.
    signed_at = datetime.now(UTC)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=name,
        use_pades_lta=False,
    )
    when = signed_at.strftime("%Y-%m-%d %H:%M UTC")
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer.pyhanko_signer,
        timestamper=timestamper,
        stamp_style=_stamp_style(frozenset(f"{signed_by_label}{name}0123456789-: UTC")),
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=0, box=STAMP_BOX),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    _keep_info_equal_to_xmp(writer)
    out = pdf_signer.sign_pdf(
        writer,
        # Without a timestamp the signature's size is known: no trial signature
        # to measure it (pyHanko's default, a third of the signing time).
        bytes_reserved=None if timestamper else _reserved_size(signer),
        appearance_text_params={"label": signed_by_label, "name": name, "when": when},
    )
    return out.getvalue()


def _keep_info_equal_to_xmp(writer: IncrementalPdfFileWriter) -> None:
    """PDF/A wants the Info dictionary and the XMP to agree. pyHanko appends
    itself to the Info /Producer ("WeasyPrint; pyHanko") but writes only itself
    as the XMP pdf:Producer: give Info that same one producer beforehand (it
    keeps an Info producer naming it as it is). ModDate it sets in both."""
    try:
        info = writer.trailer["/Info"].get_object()
    except KeyError:
        return
    updated = generic.DictionaryObject(dict(info))
    updated[generic.NameObject("/Producer")] = generic.TextStringObject(VENDOR)
    writer.set_info(updated)


def signature_facts(pdf: bytes) -> SignatureFacts | None:
    """The last signature's facts; None if the PDF has none or cannot be read.

    Pure and offline: no revocation lookups, no trust decisions. A PDF whose
    signature is broken still gives facts (``intact`` False).
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception:  # noqa: BLE001 - any unreadable upload is "no signature"
        return None
    if not signatures:
        return None
    signature = signatures[-1]
    try:
        cert = signature.signer_cert
    except Exception:  # noqa: BLE001 - a signature without a usable certificate
        return None
    intact = False
    covers = False
    try:
        signature.compute_integrity_info(skip_diff=True)
        digest_ok, signature_ok = validate_sig_integrity(
            signature.signer_info, cert, expected_content_type="data",
            actual_digest=signature.compute_digest(),
        )
        intact = digest_ok and signature_ok
        covers = signature.coverage == SignatureCoverageLevel.ENTIRE_FILE
    except Exception:  # noqa: BLE001 - a mangled signature is simply not intact
        pass
    try:
        signed_at = signature.self_reported_timestamp
    except Exception:  # noqa: BLE001
        signed_at = None
    return SignatureFacts(
        signer_subject=cert.subject.human_friendly,
        signer_common_name=_common_name(cert),
        signed_at=signed_at,
        intact=intact,
        covers_whole_file=covers,
        certificate_sha256=certificate_fingerprint(cert),
    )


def new_self_signed(common_name: str, organisation: str = "", *,
                    years: int = SELF_SIGNED_YEARS,
                    now: datetime | None = None) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A P-256 key and a self-signed certificate for document signing."""
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    name = x509.Name(attributes)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(_years_later(now, years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False,
        ), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _years_later(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def certificate_fingerprint(cert: asn1_x509.Certificate | x509.Certificate) -> str:
    """SHA-256 of the DER certificate, as colon-separated upper-case hex."""
    der = cert.dump() if isinstance(cert, asn1_x509.Certificate) else cert.public_bytes(
        serialization.Encoding.DER)
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


@lru_cache(maxsize=16)
def _stamp_style(characters: frozenset[str]) -> TextStampStyle:
    return TextStampStyle(
        stamp_text="%(label)s %(name)s\n%(when)s",
        text_box_style=TextBoxStyle(
            font=_SmallFontFactory(font_file=str(_STAMP_FONT), font_size=_STAMP_FONT_SIZE,
                                   characters="".join(sorted(characters))),
            font_size=_STAMP_FONT_SIZE, leading=_STAMP_FONT_SIZE + 1,
            box_layout_rule=_FLUSH_RIGHT,
            text_color=_INK,
        ),
        # Flush right with the frame; a long signer name shrinks to fit the box.
        inner_content_layout=_FLUSH_RIGHT,
        border_width=0,
        background=None,
    )


_FLUSH_RIGHT = layout.SimpleBoxLayoutRule(
    x_align=layout.AxisAlignment.ALIGN_MAX, y_align=layout.AxisAlignment.ALIGN_MID,
    margins=layout.Margins(0, 0, 0, 0),
)


@dataclass(frozen=True)
class _SmallFontFactory(GlyphAccumulatorFactory):
    """Lato cut down to the characters the box can print, once per process.

    pyHanko subsets the font it is given on every signature: on the full Lato
    that took ~0.25 s (fontTools decompiling GPOS), on this cut (the label,
    the signer's name and the date's digits) next to nothing.
    """

    characters: str = ""

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer, font_handle=io.BytesIO(_small_font(self.characters)),
            font_size=self.font_size, obj_stream=obj_stream,
        )


@lru_cache(maxsize=16)
def _small_font(characters: str) -> bytes:
    """Lato with only these characters and no layout tables, at 1000 units per
    em: pyHanko writes the font's advance widths as they are, and PDF reads
    them per 1000 em (Lato's 2000 spaced the letters twice too wide)."""
    # fontTools narrates every table it prunes at INFO; once is enough of nothing.
    logging.getLogger("fontTools.subset").setLevel(logging.WARNING)
    font = TTFont(str(_STAMP_FONT))
    options = subset.Options(layout_features=[], notdef_outline=True)
    options.drop_tables += ["GPOS", "GSUB", "GDEF", "kern"]
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _reserved_size(signer: Signer) -> int:
    """Room for the CMS signature, in hex digits: the certificates it carries
    plus 2 KB for the attributes and the signature value (RSA-4096 is 512 B)."""
    registry = signer.pyhanko_signer.cert_registry
    certificates = [signer.certificate, *(registry or ())]
    return 2 * (sum(len(c.dump()) for c in certificates) + 2048)


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _common_name(cert: asn1_x509.Certificate) -> str:
    try:
        return cert.subject.native.get("common_name", "") or ""
    except Exception:  # noqa: BLE001
        return ""


__all__ = [
    "Signer", "SignatureFacts", "SigningError", "sign_pdf",
    "signature_facts", "new_self_signed", "certificate_fingerprint", "STAMP_BOX",
]
