"""A file (or pasted text) a verifier hands to /verify: is it a PDF this tool
issued, unchanged, or a credential it signed? No HTTP here.

A PDF matches when its SHA-256 is that of a stored CertificatePdf: the same
bytes as issued (certificate_pdfs.sha256 has no index: one row per certificate
and language, and the rate limit bounds how often it is read). Otherwise, when
it names a verification code (every issued PDF carries it in its metadata and
prints it), it is a changed copy of that certificate, and its signature says
whether it was changed after signing.
Anything else is a credential for `credentials.check_credential`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from certificates.codes import ALPHABET
if TYPE_CHECKING:  # pyHanko and fontTools (~35 MB of RSS per web worker) load
    # when a signature is read, not at start (issue 19)
    from certificates.signing import SignatureFacts

from ..credentials import service as credentials
from ..extensions import db
from ..issuing import service as issuing
from ..issuing.models import Certificate, CertificatePdf

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
# A short code as printed (groups and check character); older long codes only
# in the verification URL.
_SHORT_CODE = re.compile(rf"(?:[{ALPHABET}]{{4}}-){{4}}[{ALPHABET}]")
_URL_CODE = re.compile(r"/verify/([A-Za-z0-9_\-]{17,64})")


@dataclass(frozen=True)
class PdfCheck:
    # issued: the bytes as issued | changed: names a certificate, other bytes |
    # not_ours: no certificate of this tool
    outcome: str
    sha256: str
    certificate: Certificate | None = None
    language: str | None = None  # issued: which language's PDF it is
    signature: SignatureFacts | None = None  # changed / not_ours: what its signature says


def is_pdf(data: bytes) -> bool:
    # The header may follow some junk bytes (PDF readers allow 1024).
    return PDF_MAGIC in data[:1024]


def check_pdf(data: bytes) -> PdfCheck:
    sha256 = hashlib.sha256(data).hexdigest()
    # The bytes as issued first: one query, no PDF parsing.
    stored = db.session.scalar(select(CertificatePdf).where(CertificatePdf.sha256 == sha256)
                               .limit(1))
    if stored is not None:
        return PdfCheck("issued", sha256, stored.certificate, stored.language)
    from certificates.signing import signature_facts

    named = _certificate_named_in(data)
    signature = signature_facts(data)
    if named is not None:
        return PdfCheck("changed", sha256, named, signature=signature)
    return PdfCheck("not_ours", sha256, signature=signature)


def _certificate_named_in(data: bytes) -> Certificate | None:
    for code in _codes_in(data):
        lookup = issuing.look_up(code)
        if lookup.status == "found":
            return issuing.certificate_by_code(lookup.code)
    return None


def _codes_in(data: bytes) -> list[str]:
    """Codes the PDF names: its metadata (keywords, subject) and the link of its
    QR code, else its printed text (slower to extract). A PDF pypdf cannot read
    names none."""
    import pypdf  # ~25 MB of RSS: only when a PDF is uploaded

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        texts = [str(value) for value in (reader.metadata or {}).values()]
        pages = reader.pages[:2]
        for page in pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A") or {}
                texts.append(str(action.get("/URI") or ""))
        found = _codes_of(texts)
        if not found:
            found = _codes_of([page.extract_text() or "" for page in pages])
    except Exception:  # noqa: BLE001 - a hostile or broken upload is simply unnamed
        log.info("verify upload: PDF not readable by pypdf", exc_info=True)
        return []
    return found[:10]


def _codes_of(texts: list[str]) -> list[str]:
    found: list[str] = []
    for text in texts:
        for code in _SHORT_CODE.findall(text) + _URL_CODE.findall(text):
            if code not in found:
                found.append(code)
    return found


def check_credential(data: bytes | str):
    """The credentials package's verdict (valid, revoked, superseded, altered,
    unknown_kid, not_ours, unreadable, unknown_certificate)."""
    return credentials.check_credential(data)
