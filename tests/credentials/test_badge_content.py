"""course.yaml's badge block: `flask content check` reports what a credential
could not carry (a missing language, a missing, non-PNG, non-square or small
image, over-long text) with the file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

from course_content.loader import check_content, load_catalog

GOOD = Path(__file__).parent.parent / "course_content" / "fixtures" / "good"

BADGE = """badge:
  image: {image}
  name: {{nl: "Mini", en: "Mini"}}
  description: {{nl: "Een kleine cursus.", en: "{description}"}}
  criteria: {criteria}
"""


def _content(tmp_path, *, image="badge.png", size=(400, 400), description="A small course.",
             criteria='{nl: "Alles gehaald.", en: "Everything passed."}', fmt="PNG"):
    root = tmp_path / "content"
    shutil.copytree(GOOD, root)
    if size:
        Image.new("RGB", size, (20, 60, 100)).save(root / "mini" / "badge.png", format=fmt)
    course = root / "mini" / "course.yaml"
    course.write_text(course.read_text() + BADGE.format(
        image=image, description=description, criteria=criteria))
    return root


def _messages(root) -> list[str]:
    return [f"{p.path.name}:{p.line}: {p.message}" for p in check_content(root)]


def test_a_complete_badge_loads(tmp_path):
    course = load_catalog(_content(tmp_path)).courses["mini"]
    assert course.badge.name.en == "Mini"
    assert course.badge.criteria.nl == "Alles gehaald."
    assert course.badge.image.name == "badge.png"


def test_a_missing_language_is_reported(tmp_path):
    root = _content(tmp_path, criteria='{nl: "Alles gehaald."}')
    assert _messages(root) == ["course.yaml:19: badge criteria: missing 'en'"]


def test_a_missing_image_file_is_reported(tmp_path):
    root = _content(tmp_path, image="other.png")
    assert _messages(root) == ["course.yaml:16: badge image: there is no file other.png in mini/"]


def test_an_image_that_is_no_png_is_reported(tmp_path):
    root = _content(tmp_path, fmt="JPEG")
    assert _messages(root) == ["course.yaml:16: badge image: badge.png is not a PNG file"]


def test_a_small_or_oblong_image_is_reported(tmp_path):
    assert _messages(_content(tmp_path / "a", size=(300, 300))) == [
        "course.yaml:16: badge image: badge.png is 300×300 pixels; it must be 400 to 2048"
        " pixels wide"]
    assert _messages(_content(tmp_path / "b", size=(600, 400))) == [
        "course.yaml:16: badge image: badge.png is 600×400 pixels; it must be square"]


def test_an_image_outside_the_course_folder_is_refused(tmp_path):
    root = _content(tmp_path, image="../libraries.yaml")
    assert _messages(root) == ["course.yaml:16: badge image: '../libraries.yaml' must be a"
                               " plain file name in the course folder"]


def test_over_long_text_is_reported(tmp_path):
    root = _content(tmp_path, description="x" * 601)
    assert _messages(root) == ["course.yaml:18: badge description (en): 601 characters,"
                               " at most 600"]


def test_the_real_courses_have_their_badges():
    catalog = load_catalog()
    for slug in ("library-basics", "licence-negotiation"):
        badge = catalog.courses[slug].badge
        assert badge is not None, slug
        with Image.open(badge.image) as image:
            assert image.format == "PNG" and image.size[0] == image.size[1] >= 400
