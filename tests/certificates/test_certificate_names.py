"""The learner's name is sized to fit one line, or split into two even lines."""

from __future__ import annotations

import re

import pytest

from certificates.fetcher import ASSETS_DIR
from certificates.names import (
    NAME_LINE_WIDTH_PT,
    NAME_SIZES_PT,
    set_name,
    text_width_pt,
)


def test_sizes_match_the_stylesheet():
    css = (ASSETS_DIR / "certificate.css").read_text(encoding="utf-8")
    for css_class, size_pt in NAME_SIZES_PT:
        rule = re.search(rf"^\.{css_class} {{ font-size: ([\d.]+)pt; }}", css, re.M)
        assert rule is not None, css_class
        assert float(rule.group(1)) == size_pt


@pytest.mark.parametrize(
    ("name", "css_class"),
    [
        ("Anna de Vries", "name-large"),
        ("Maria Johanna Elisabeth van den Berg-Çelik", "name-medium"),
        ("Maximiliaan Wouter Hendrik van Wassenaer-Mommers", "name-small"),
    ],
)
def test_the_largest_size_that_fits_one_line(name, css_class):
    assert set_name(name).css_class == css_class
    assert set_name(name).lines == (name,)


def test_a_name_too_long_for_one_line_gets_two_even_lines():
    name = (
        "Christina Alexandra Wilhelmina Maximiliana van Oranje-Nassau tot Amsberg "
        "en Zuylen van Nijevelt"
    )
    setting = set_name(name)
    assert setting.css_class == "name-small"
    assert " ".join(setting.lines) == name
    first, second = (text_width_pt(line, 25) for line in setting.lines)
    assert max(first, second) <= NAME_LINE_WIDTH_PT
    assert abs(first - second) < 0.25 * max(first, second)


def test_whitespace_is_folded():
    assert set_name("  Anna \n de\tVries ").lines == ("Anna de Vries",)


def test_an_unbroken_name_is_left_to_css_to_break():
    assert set_name("X" * 120).lines == ("X" * 120,)


def test_unknown_characters_are_measured_wide():
    # A glyph the font lacks comes from a fallback font of unknown width.
    assert text_width_pt("名前", 10) == pytest.approx(20)
