"""Certificates.

Call inside an app context; the caller commits. Used by the tests, the
benchmarks and nothing in production.
"""

from __future__ import annotations

import secrets
from datetime import date

from ..extensions import db
from ..issuing.models import Certificate
from ..people.models import Enrollment
from ..timeutil import utc_now
from .rows import flush_row


def issued_snapshot(*, course_title: dict[str, str] | None = None,
                    institution: str = "Universiteit Utrecht") -> dict:
    """What issue_certificate freezes for a certificate that prints no modules or
    days: enough for the PDF, the credential and the verify page."""
    return {
        "course_title": course_title or {"nl": "Library Basics", "en": "Library Basics"},
        "wording": {"nl": "Hierbij verklaren de organisatoren van Library Basics dat",
                    "en": "The organisers of Library Basics hereby certify that"},
        "organisers": ["UKB", "SHB", "OKBN", "WSWB", "VOGIN"],
        "modules": [], "shadow_days": [], "completed_on": "2026-11-20",
        "institution": institution,
    }


def make_certificate(
    *,
    enrollment: Enrollment,
    course_slug: str = "library-basics",
    revoked: bool = False,
) -> Certificate:
    certificate = Certificate(
        person=enrollment.person,
        context=enrollment.context,
        course_slug=course_slug,
        course_version="v1",
        verification_code=secrets.token_urlsafe(24),
        learner_name="Learner",
        language="nl",
        completed_on=date.today(),
        snapshot={},
        issued_at=utc_now(),
        revoked_at=utc_now() if revoked else None,
        revoked_reason="Issued by mistake" if revoked else None,
    )
    db.session.add(certificate)
    flush_row()
    return certificate
