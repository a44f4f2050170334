"""All current certificates of an LMS course as one ZIP (a background job); on
the trainer's choice with each learner's credential (.jwt) and baked badge (.png)."""

from __future__ import annotations

import io
import re
import zipfile

from flask import current_app
from sqlalchemy import select

from ..credentials import service as credentials
from ..extensions import db
from ..jobs.models import Job
from ..jobs.service import register
from .models import Certificate
from .service import pdf_for


def current_certificates_in_context(context_id: int) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(
            Certificate.context_id == context_id,
            Certificate.revoked_at.is_(None),
            Certificate.superseded_at.is_(None),
        ).order_by(Certificate.learner_name, Certificate.id)
    ))


# Two kinds rather than an option column: the job row needs no new field.
ZIP_KIND, ZIP_WITH_CREDENTIALS_KIND = "certificates_zip", "certificates_zip_credentials"


@register(ZIP_KIND)
def build_certificates_zip(job: Job, progress) -> tuple[bytes, str]:
    return _build(job, progress, with_credentials=False)


@register(ZIP_WITH_CREDENTIALS_KIND)
def build_certificates_zip_with_credentials(job: Job, progress) -> tuple[bytes, str]:
    return _build(job, progress, with_credentials=True)


def _build(job: Job, progress, *, with_credentials: bool) -> tuple[bytes, str]:
    certificates = current_certificates_in_context(job.context_id)
    buffer = io.BytesIO()
    used: set[str] = set()
    progress(0, len(certificates))
    # PDFs are stored already, so this is fast; ZIP_STORED because PDFs are
    # compressed inside.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        missing: list[Certificate] = []
        for done, certificate in enumerate(certificates, start=1):
            try:
                with db.session.begin_nested():  # a failed render leaves nothing behind
                    pdf = pdf_for(certificate, certificate.language)
                    extras = _credential_files(certificate) if with_credentials else []
            except Exception:  # one broken certificate must not fail the course's ZIP
                current_app.logger.exception(
                    "certificates zip: job=%s certificate=%s left out", job.id, certificate.id
                )
                missing.append(certificate)
            else:
                name = _unique(_file_name(certificate), used)
                archive.writestr(name, pdf.pdf)
                # Next to its PDF, under the same (unique) stem.
                for extension, data in extras:
                    archive.writestr(name.removesuffix(".pdf") + extension, data)
            progress(done, len(certificates))
        if missing:
            archive.writestr(_unique(MISSING_NOTE, used), _missing_note(missing))
    return buffer.getvalue(), "certificates.zip"


MISSING_NOTE = "NIET-OPGENOMEN-NOT-INCLUDED.txt"


def _missing_note(missing: list[Certificate]) -> str:
    """Both languages: the job has no reader's language, the trainer reads one of them."""
    lines = [
        "Deze certificaten konden niet als PDF worden gemaakt en ontbreken in dit ZIP-bestand;",
        "ze blijven geldig en te controleren met hun code.",
        "These certificates could not be made as PDF and are missing from this ZIP file;",
        "they stay valid and can be verified by their code.",
        "",
    ]
    lines += [f"{c.learner_name}\t{c.course_slug}\t{c.verification_code}" for c in missing]
    return "\n".join(lines) + "\n"


def _credential_files(certificate: Certificate) -> list[tuple[str, bytes]]:
    return [(".jwt", credentials.credential_jwt(certificate).encode("ascii")),
            (".png", credentials.baked_png(certificate))]


def _file_name(certificate: Certificate) -> str:
    # Names are user text: keep letters (with diacritics), digits, - and _.
    safe = re.sub(r"[^\w\-]+", "-", certificate.learner_name, flags=re.UNICODE).strip("-")
    return f"{safe or 'certificate'}-{certificate.course_slug}.pdf"


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate in used:
        candidate = name.replace(".pdf", f"-{number}.pdf")
        number += 1
    used.add(candidate)
    return candidate
