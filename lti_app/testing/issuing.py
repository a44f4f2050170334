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
