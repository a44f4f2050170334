"""The baked badge (OB 3.0 ob_v3p0/docformat.md § "Baked Badge", 1af145f): the
course's PNG with one uncompressed iTXt chunk "openbadgecredential" holding
the compact JWS, read back here with Pillow (not our own reader)."""

from __future__ import annotations

import io
import zlib

from PIL import Image

from lti_app.credentials import service
from tests.credentials.helpers import make_issued


def _itxt_chunks(data: bytes) -> list[tuple[bytes, int]]:
    """(keyword, compression flag) of every iTXt chunk, walking the PNG by hand."""
    found, position = [], 8
    while position < len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind, body = data[position + 4:position + 8], data[position + 8:position + 8 + length]
        crc = int.from_bytes(data[position + 8 + length:position + 12 + length], "big")
        assert zlib.crc32(kind + body) == crc
        if kind == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            found.append((keyword, rest[0]))
        position += 12 + length
    return found


def test_the_baked_png_holds_the_jwt(app):
    with app.test_request_context():
        certificate = make_issued(course_slug="licence-negotiation")
        token = service.credential_jwt(certificate)
        png = service.baked_png(certificate)
        outcome = service.check_credential(png).outcome
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 400
    assert image.text["openbadgecredential"] == token
    assert _itxt_chunks(png) == [(b"openbadgecredential", 0)]  # once, uncompressed
    assert outcome == "valid"
