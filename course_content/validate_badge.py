"""course.yaml's `badge`: what the Open Badges 3.0 credential says about the
course's achievement (name, description, criteria in nl and en) and its image.

The image is the badge a learner downloads (baked with the credential, OB 3.0
§ "Baking"), so it must be a real square PNG, big enough to look decent.
"""

from __future__ import annotations

import struct
from pathlib import Path

from yaml.nodes import Node

from .models import Badge, LocalizedText
from .yamlnodes import Reader

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_IMAGE_PIXELS = 400
MAX_IMAGE_PIXELS = 2048
MAX_IMAGE_BYTES = 1024 * 1024
# Lengths a badge wallet shows without cutting, per language.
MAX_LENGTHS = {"name": 100, "description": 600, "criteria": 1200}


def read_badge(reader: Reader, node: Node | None, folder: Path) -> Badge | None:
    """The badge block, or None (reported) when anything in it is wrong."""
    values = reader.mapping(
        node, "badge", required=("image", "name", "description", "criteria"))
    if values is None:
        return None
    texts: dict[str, LocalizedText | None] = {}
    for key, limit in MAX_LENGTHS.items():
        text = reader.localized(values[key], f"badge {key}") if key in values else None
        if text is not None:
            for lang in ("nl", "en"):
                length = len(text.get(lang))
                if length > limit:
                    reader.report(values[key], f"badge {key} ({lang}): {length} characters,"
                                  f" at most {limit}")
                    text = None
                    break
        texts[key] = text
    image = _read_image(reader, values["image"], folder) if "image" in values else None
    if image is None or any(text is None for text in texts.values()):
        return None
    return Badge(image=image, name=texts["name"], description=texts["description"],
                 criteria=texts["criteria"])


def _read_image(reader: Reader, node: Node, folder: Path) -> Path | None:
    name = reader.text(node, "badge image")
    if name is None:
        return None
    if "/" in name or "\\" in name or name.startswith("."):
        reader.report(node, f"badge image: {name!r} must be a plain file name in the"
                      " course folder")
        return None
    path = folder / name
    if not path.is_file():
        reader.report(node, f"badge image: there is no file {name} in {folder.name}/")
        return None
    data = path.read_bytes()
    if len(data) > MAX_IMAGE_BYTES:
        reader.report(node, f"badge image: {name} is {len(data)} bytes, at most"
                      f" {MAX_IMAGE_BYTES} (1 MB)")
        return None
    size = png_size(data)
    if size is None:
        reader.report(node, f"badge image: {name} is not a PNG file")
        return None
    width, height = size
    if width != height:
        reader.report(node, f"badge image: {name} is {width}×{height} pixels; it must be"
                      " square")
        return None
    if not MIN_IMAGE_PIXELS <= width <= MAX_IMAGE_PIXELS:
        reader.report(node, f"badge image: {name} is {width}×{height} pixels; it must be"
                      f" {MIN_IMAGE_PIXELS} to {MAX_IMAGE_PIXELS} pixels wide")
        return None
    return path


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk, or None if it is no PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])
