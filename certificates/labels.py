"""The certificate's own words in Dutch and English, and its date formatting.

These live here rather than in the app's gettext catalogs because the renderer
must not import the app; both languages are always available, so a learner can
download the certificate in the other language too.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "certificate": "Certificaat",
        "completed_before": "heeft met goed gevolg de cursus",
        "completed_after": "afgerond op {date}",
        "modules": "Behandelde modules",
        "shadow_days": "Meeloopdagen",
        "organised_by": "Georganiseerd door",
        "trainer": "Trainer",
        "issued_on": "Uitgegeven op {date}",
        "issued_by": "Uitgegeven door {institution}",
        "confirmed_by_trainer": "bevestigd door de trainer",
        "verification_code": "Verificatiecode",
        "verify_at": "Controleer de echtheid op",
        "subject": "Bewijs van afronding van de cursus {course}",
        "title": "Certificaat {course} — {name}",
    },
    "en": {
        "certificate": "Certificate",
        "completed_before": "has successfully completed the course",
        "completed_after": "on {date}",
        "modules": "Modules completed",
        "shadow_days": "Shadowing days",
        "organised_by": "Organised by",
        "trainer": "Trainer",
        "issued_on": "Issued on {date}",
        "issued_by": "Issued by {institution}",
        "confirmed_by_trainer": "confirmed by the trainer",
        "verification_code": "Verification code",
        "verify_at": "Check its authenticity at",
        "subject": "Proof of completion of the course {course}",
        "title": "Certificate {course} — {name}",
    },
}

# British English: the readers are Dutch and European HR departments, who
# expect "12 March 2026" rather than the US "March 12, 2026".
_BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def labels_for(language: str) -> dict[str, str]:
    return LABELS[language]


def format_long_date(day: date, language: str) -> str:
    """``12 maart 2026`` / ``12 March 2026``."""
    return format_date(day, format="long", locale=_BABEL_LOCALES[language])
