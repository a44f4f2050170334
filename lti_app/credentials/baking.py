"""Baking: the credential inside the badge image (Open Badges 3.0, § "Baking",
ob_v3p0/docformat: an iTXt chunk, keyword "openbadgecredential", its text the
compact JWS; no compression, so any PNG reader shows it)."""

from __future__ import annotations

import io
import zlib

from PIL import Image, PngImagePlugin

KEYWORD = "openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def bake(image_png: bytes, token: str) -> bytes:
    image = Image.open(io.BytesIO(image_png))
    info = PngImagePlugin.PngInfo()
    info.add_itxt(KEYWORD, token, zip=False)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def unbake(data: bytes) -> str | None:
    """The text of the PNG's openbadgecredential iTXt chunk, or None.

    Read chunk by chunk (no image decoding): an uploaded PNG might be large or
    crafted, and only this chunk matters."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if len(body) < length:
            return None
        if kind == b"iTXt":
            text = _itxt(body)
            if text is not None:
                return text
        if kind == b"IEND":
            return None
        position += 12 + length
    return None


def _itxt(body: bytes) -> str | None:
    keyword, sep, rest = body.partition(b"\0")
    if not sep or keyword != KEYWORD.encode() or len(rest) < 2:
        return None
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    try:
        if compressed:
            if method != 0:
                return None
            # Bounded: a credential is a few kB; a zip bomb stops here.
            decompressor = zlib.decompressobj()
            text = decompressor.decompress(text, 1024 * 1024)
        return text.decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return None
