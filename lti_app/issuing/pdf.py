"""A stored certificate -> CertificateData -> signed PDF bytes (certificates/ renders
and signs; this module feeds them the stored facts and the configured signer)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from certificates.data import CertificateData

from .models import Certificate
from .signer import current_signer


def certificate_data(certificate: Certificate, language: str) -> CertificateData:
    return data_from_snapshot(
        certificate.snapshot, language=language, learner_name=certificate.learner_name,
        course_slug=certificate.course_slug,
        completed_on=certificate.completed_on.isoformat() if certificate.completed_on else "",
        trainer_name=certificate.trainer_name or "",
        verification_code=certificate.verification_code,
        verification_url=verification_url(certificate.verification_code),
        issued_at=certificate.issued_at.isoformat(),
    )


def data_from_snapshot(
    snapshot: dict, *, language: str, learner_name: str, course_slug: str, completed_on: str,
    trainer_name: str, verification_code: str, verification_url: str, issued_at: str,
) -> CertificateData:
    """What a certificate prints: for an issued one (certificate_data) and for the
    learner's preview before issue (the same facts, the code not yet drawn)."""
    return CertificateData(
        language=language,
        learner_name=learner_name,
        course_title=snapshot["course_title"][language],
        course_slug=course_slug,
        wording=snapshot["wording"][language],
        completed_on=completed_on,
        modules=tuple(m[language] for m in snapshot["modules"]),
        shadow_days=tuple((d[0], d[1]) for d in snapshot["shadow_days"]),
        # Snapshots before these were recorded have neither: nothing is printed.
        days_confirmed_by_trainer=tuple(
            len(d) > 2 and d[2] == "trainer" for d in snapshot["shadow_days"]),
        institution=snapshot.get("institution") or "",
        organisers=tuple(snapshot["organisers"]),
        trainer_name=trainer_name,
        verification_code=verification_code,
        verification_url=verification_url,
        issued_at=issued_at,
    )


def verification_url(code: str) -> str:
    """The public verification page: from the request, else from TOOL_BASE_URL
    (the CLI and background jobs have no request to take the host from)."""
    if has_request_context():
        return url_for("verification.verify", code=code, _external=True)
    base = urlsplit(current_app.config.get("TOOL_BASE_URL") or "http://localhost")
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build("verification.verify", {"code": code}, force_external=True)


def render_pdf(data: CertificateData) -> bytes:
    """The PDF as issued: rendered, then signed (pdf_for stores these bytes)."""
    # Imported here, not at start: WeasyPrint adds ~45 MB to every web worker's
    # RSS, and only issuing renders.
    from certificates.render import render_certificate_pdf

    return sign_certificate_pdf(render_certificate_pdf(data), data.language)


def sign_certificate_pdf(pdf: bytes, language: str) -> bytes:
    from certificates.signing import sign_pdf  # pyHanko: when signing, not at start

    signer = current_signer()
    subject = signer.certificate.subject.native
    with force_locale(language):
        reason = _("Certificate of completion")
        signed_by = _("Digitally signed by")
    return sign_pdf(
        pdf, signer, reason=reason, location=tool_host(),
        # Who signs in words: the institution (O) of its certificate, else its CN.
        name=subject.get("organization_name") or signer.common_name,
        signed_by_label=signed_by, timestamper=_timestamper(),
    )


def tool_host() -> str:
    if has_request_context():
        return request.host
    return urlsplit(current_app.config.get("TOOL_BASE_URL") or "http://localhost").netloc


def _timestamper():
    """PAdES B-T with the operator's timestamp authority; none by default (B-B),
    so signing never calls out to the internet unless asked to."""
    url = current_app.config.get("CERTIFICATE_SIGNING_TSA_URL")
    if not url:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=current_app.config["OUTBOUND_TIMEOUT"])
