"""The package stands alone: no app, no Flask, fonts shipped with their licence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from certificates.fetcher import ASSETS_DIR

FONTS_DIR = ASSETS_DIR / "fonts"


def test_imports_neither_the_app_nor_flask():
    code = (
        "import sys, certificates.render, certificates.data\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'lti_app'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"


def test_every_font_is_named_in_the_licence_file():
    licence = (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    fonts = sorted(p.name for p in FONTS_DIR.iterdir() if p.suffix in {".otf", ".ttf"})
    assert fonts
    for font in fonts:
        assert font in licence


def test_fonts_stay_small():
    total = sum(p.stat().st_size for p in FONTS_DIR.iterdir())
    assert total < 2 * 1024 * 1024
