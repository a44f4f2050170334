"""Sample certificate data and rendered PDFs for the certificate renderer's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from certificates.data import CertificateData
from certificates.render import render_certificate_pdf

LONG_NAME = "Maria Johanna Elisabeth van den Berg-Çelik"

MODULES = (
    "The library as an organisation",
    "Collections and acquisition",
    "Metadata and cataloguing",
    "Discovery and search systems",
    "Licences and e-resources",
    "Open access and open science",
    "Research data management",
    "Copyright for library staff",
    "Information literacy teaching",
    "User services and the front desk",
    "Digital preservation",
    "Privacy and security in the library",
)

SHADOW_DAYS = (
    ("2026-02-03", "Universiteitsbibliotheek Leiden"),
    ("2026-02-17", "Koninklijke Bibliotheek, Den Haag"),
)


def make_certificate_data(**overrides: Any) -> CertificateData:
    """A Library Basics certificate with 12 modules and two shadowing days."""
    values: dict[str, Any] = {
        "language": "nl",
        "learner_name": LONG_NAME,
        "course_title": "Library Basics",
        "course_slug": "library-basics",
        "wording": "Hierbij verklaren de organiserende bibliotheekorganisaties dat",
        "completed_on": "2026-03-12",
        "modules": MODULES,
        "shadow_days": SHADOW_DAYS,
        "organisers": ("UKB", "SHB", "OKBN", "WSWB", "VOGIN"),
        "trainer_name": "Dr. Anneke de Vries",
        "verification_code": "KD-7Q4M-X2RP-9HLC",
        "verification_url": "https://kennisdeling.example.nl/verify/KD-7Q4M-X2RP-9HLC",
        "issued_at": "2026-03-12T14:05:09+01:00",
    }
    values.update(overrides)
    return CertificateData(**values)


@pytest.fixture
def certificate_data() -> Callable[..., CertificateData]:
    """The factory above: ``certificate_data(learner_name=..., language="en")``."""
    return make_certificate_data


# Rendering takes a few hundred milliseconds; the read-only tests share these.
@pytest.fixture(scope="session")
def nl_pdf() -> bytes:
    return render_certificate_pdf(make_certificate_data(language="nl"))


@pytest.fixture(scope="session")
def en_pdf() -> bytes:
    return render_certificate_pdf(
        make_certificate_data(
            language="en",
            wording="The organising library associations hereby certify that",
        )
    )
