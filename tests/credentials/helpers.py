"""Certificates with the facts a real issue freezes, and the spec files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from lti_app.testing.issuing import issued_snapshot
from lti_app.testing.people import make_context, make_learner
from lti_app.timeutil import utc_now

SPEC = Path(__file__).parent / "spec"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob_v3p0_context-3.0.3.json",
}


def spec_json(name: str) -> dict:
    return json.loads((SPEC / name).read_text())


def make_issued(*, language: str = "nl", course_slug: str = "library-basics",
                name: str = "Anna de Vries", institution: str = "Universiteit Utrecht",
                code: str | None = None) -> Certificate:
    """A certificate as issue_certificate stores it (snapshot included); no PDF."""
    context = make_context(course_slug=course_slug)
    enrollment = make_learner(context=context, given_name="Anna", family_name="de Vries")
    title = {"library-basics": {"nl": "Library Basics", "en": "Library Basics"},
             "licence-negotiation": {"nl": "Licentieonderhandelingen",
                                     "en": "Licence negotiation"}}[course_slug]
    certificate = Certificate(
        person=enrollment.person, context=context, course_slug=course_slug,
        course_version="abc123", verification_code=code or f"code-{enrollment.person.sub}",
        learner_name=name, language=language, completed_on=date(2026, 11, 20),
        snapshot=issued_snapshot(course_title=title, institution=institution),
        issued_at=utc_now(),
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate
