"""How the learner's name is set: the largest size at which it fits one line.

CSS cannot shrink text to fit its box, and WeasyPrint has no
``text-wrap: balance``, so we measure the name with the packaged font's own
advance widths and choose the size, or two balanced lines, before rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from fontTools.ttLib import TTFont

from .fetcher import ASSETS_DIR

NAME_FONT = ASSETS_DIR / "fonts" / "EBGaramond12-Regular.otf"

# Largest first. These must match the .name-* rules in certificate.css (a test
# checks); the compact layout only makes them smaller, so what fits here fits
# there too.
NAME_SIZES_PT = (("name-large", 40.0), ("name-medium", 32.0), ("name-small", 25.0))

# The inner frame is 238mm wide; 6mm less leaves room for kerning and for the
# rounding of a measurement that ignores it.
NAME_LINE_WIDTH_PT = 232 / 25.4 * 72


@dataclass(frozen=True)
class NameSetting:
    css_class: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class _Metrics:
    units_per_em: int
    advances: dict[int, int]
    fallback_advance: int


@lru_cache(maxsize=1)
def _metrics() -> _Metrics:
    font = TTFont(NAME_FONT, lazy=True)
    try:
        horizontal = font["hmtx"]
        advances = {
            codepoint: horizontal[glyph][0]
            for codepoint, glyph in font.getBestCmap().items()
        }
        units_per_em = font["head"].unitsPerEm
    finally:
        font.close()
    # A character the font lacks is set in a fallback font; assume a wide one.
    return _Metrics(units_per_em, advances, fallback_advance=units_per_em)


def text_width_pt(text: str, size_pt: float) -> float:
    """Width of ``text`` in the name font, without kerning (so a little wide)."""
    metrics = _metrics()
    units = sum(
        metrics.advances.get(ord(char), metrics.fallback_advance) for char in text
    )
    return units / metrics.units_per_em * size_pt


def set_name(name: str) -> NameSetting:
    """The size class and line(s) for a learner's name."""
    name = " ".join(name.split())
    for css_class, size_pt in NAME_SIZES_PT:
        if text_width_pt(name, size_pt) <= NAME_LINE_WIDTH_PT:
            return NameSetting(css_class, (name,))
    smallest_class, smallest_pt = NAME_SIZES_PT[-1]
    return NameSetting(smallest_class, _balanced_lines(name, smallest_pt))


def _balanced_lines(name: str, size_pt: float) -> tuple[str, ...]:
    """Split at the space that makes the longer of two lines shortest."""
    spaces = [index for index, char in enumerate(name) if char == " "]
    if not spaces:
        # One unbroken word: CSS overflow-wrap breaks it wherever it must.
        return (name,)
    split_at = min(
        spaces,
        key=lambda index: max(
            text_width_pt(name[:index], size_pt),
            text_width_pt(name[index + 1 :], size_pt),
        ),
    )
    return (name[:split_at], name[split_at + 1 :])
