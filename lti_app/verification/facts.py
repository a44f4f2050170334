"""What /verify/<code> shows besides the certificate's own facts: the
credential's wording and status, each issued PDF's SHA-256 and who signed it.
No HTTP here."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from threading import Lock
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyHanko and fontTools (~35 MB of RSS per web worker) load
    # when a signature is read, not at start (issue 19)
    from certificates.signing import SignatureFacts

from ..credentials import service as credentials
from ..issuing import signer
from ..issuing.models import Certificate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfFacts:
    language: str
    sha256: str
    signature: SignatureFacts | None  # None: not signed (issued before PDFs were)


@dataclass(frozen=True)
class Status:
    """The credential's status as its status list publishes it."""

    state: str  # valid | revoked | superseded
    # Since when; None while valid.
    since: datetime | None


@dataclass(frozen=True)
class Achievement:
    name: str
    description: str
    criteria: str
    issuer: str
    valid_from: str  # as the credential says it (ISO date-time)

    @property
    def valid_from_date(self) -> date | None:
        """The day, for the page's own date format (None: not a date-time)."""
        try:
            return datetime.fromisoformat(self.valid_from).date()
        except ValueError:
            return None


@dataclass(frozen=True)
class CertificateFacts:
    status: Status
    pdfs: tuple[PdfFacts, ...]
    achievement: Achievement | None  # None: the credential could not be made
    # The credential is public by code only while it holds no email hash.
    credential_public: bool
    # The tool's signing certificate today (published here and in the PDFs).
    signing_certificate_sha256: str


def certificate_facts(certificate: Certificate) -> CertificateFacts:
    from certificates.signing import certificate_fingerprint

    return CertificateFacts(
        status=status_of(certificate),
        pdfs=tuple(PdfFacts(p.language, p.sha256, signature_of(p.sha256, p.pdf))
                   for p in sorted(certificate.pdfs, key=lambda p: p.language)),
        achievement=_achievement(certificate),
        credential_public=not credentials.email_choice(certificate),
        signing_certificate_sha256=certificate_fingerprint(signer.current_signer().certificate),
    )


def status_of(certificate: Certificate) -> Status:
    since = {"revoked": certificate.revoked_at,
             "superseded": certificate.superseded_at}.get(certificate.state)
    return Status(certificate.state, since)


def _achievement(certificate: Certificate) -> Achievement | None:
    try:
        document = credentials.credential_json(certificate)
    except Exception:  # the page still says valid/revoked from the certificate itself
        log.exception("verify: credential of certificate %s could not be made", certificate.id)
        return None
    achievement = (document.get("credentialSubject") or {}).get("achievement") or {}
    issuer = document.get("issuer") or {}
    return Achievement(
        name=_text(achievement.get("name")),
        description=_text(achievement.get("description")),
        criteria=_text((achievement.get("criteria") or {}).get("narrative")),
        issuer=_text(issuer.get("name") if isinstance(issuer, dict) else issuer),
        valid_from=_text(document.get("validFrom")),
    )


def _text(value) -> str:
    return value if isinstance(value, str) else ""


# The stored bytes never change, so their signature's facts do not either;
# checking one costs pyHanko a few milliseconds, kept per process by hash.
_SIGNATURES: OrderedDict[str, SignatureFacts | None] = OrderedDict()
_SIGNATURES_LOCK = Lock()
_SIGNATURES_KEPT = 512


def signature_of(sha256: str, pdf: bytes) -> SignatureFacts | None:
    with _SIGNATURES_LOCK:
        if sha256 in _SIGNATURES:
            _SIGNATURES.move_to_end(sha256)
            return _SIGNATURES[sha256]
    from certificates.signing import signature_facts

    facts = signature_facts(pdf)
    with _SIGNATURES_LOCK:
        _SIGNATURES[sha256] = facts
        while len(_SIGNATURES) > _SIGNATURES_KEPT:
            _SIGNATURES.popitem(last=False)
    return facts
