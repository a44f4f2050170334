"""CertificateData refuses malformed values up front, naming the field."""

from __future__ import annotations

import dataclasses

import pytest


def test_is_frozen(certificate_data):
    data = certificate_data()
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.learner_name = "Someone else"  # type: ignore[misc]


@pytest.mark.parametrize("language", ["de", "NL", "", "nl_NL"])
def test_refuses_unknown_language(certificate_data, language):
    with pytest.raises(ValueError, match="language"):
        certificate_data(language=language)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("completed_on", "12-03-2026"),
        ("completed_on", "2026-02-30"),
        ("issued_at", "yesterday"),
        ("shadow_days", (("3 Feb", "Universiteitsbibliotheek Leiden"),)),
    ],
)
def test_refuses_malformed_dates(certificate_data, field, value):
    with pytest.raises(ValueError, match=field):
        certificate_data(**{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("modules", ["a list", "is not a tuple"]),
        ("organisers", ("UKB", 3)),
        ("shadow_days", (("2026-02-03",),)),
        ("shadow_days", [("2026-02-03", "UB Leiden")]),
        ("trainer_name", None),
    ],
)
def test_refuses_non_primitive_shapes(certificate_data, field, value):
    with pytest.raises(TypeError, match=field):
        certificate_data(**{field: value})


@pytest.mark.parametrize("field", ["learner_name", "course_title", "verification_code"])
def test_refuses_blank_essentials(certificate_data, field):
    with pytest.raises(ValueError, match=field):
        certificate_data(**{field: "  "})


def test_accepts_courses_without_shadow_days_or_trainer(certificate_data):
    data = certificate_data(shadow_days=(), trainer_name="")
    assert data.shadow_days == ()
