"""Bitstring Status List v1.0 (W3C): which
credentials are revoked.

Each credential gets a random unused index in a list of its issuer's (random,
so a list's neighbours say nothing about who was issued when). The list is
built from the database each time: a bit is set for a certificate that is
revoked OR superseded by a re-issue. encodedList is the multibase base64url
("u" prefix, no padding) of the GZIP-compressed bitstring, index 0 the left-most
bit of the first byte (§ 3.2, "Bitstring Encoding").
"""

from __future__ import annotations

import base64
import gzip
import secrets

from sqlalchemy import func, or_, select

from ..extensions import db
from ..issuing.models import Certificate
from .models import IssuedCredential

# The spec's minimum (16 KB): small lists would let a verifier guess who is
# behind an index (§ 6.1 "Herd Privacy").
LIST_BITS = 131_072
# A list is left for the next one when this full: random picks stay quick.
FILL_LIMIT = LIST_BITS // 2


def list_id(issuer_key: str, number: int) -> str:
    return f"{issuer_key}-{number}"


def parse_list_id(text: str) -> tuple[str, int] | None:
    key, _, number = (text or "").rpartition("-")
    if not key or len(key) > 40 or not number.isdigit() or len(number) > 6:
        return None
    return key, int(number)


def allocate(issuer_key: str) -> tuple[int, int]:
    """(list number, index): a random index no credential of the issuer holds.
    The unique constraint settles a race; the caller retries on it."""
    number = db.session.scalar(
        select(func.max(IssuedCredential.status_list))
        .where(IssuedCredential.issuer_key == issuer_key)) or 1
    used = set(db.session.scalars(select(IssuedCredential.status_index).where(
        IssuedCredential.issuer_key == issuer_key, IssuedCredential.status_list == number)))
    if len(used) >= FILL_LIMIT:
        number, used = number + 1, set()
    while True:
        index = secrets.randbelow(LIST_BITS)
        if index not in used:
            return number, index


def set_indexes(issuer_key: str, number: int) -> list[int]:
    """The indexes whose bit is set: revoked or superseded certificates."""
    return list(db.session.scalars(
        select(IssuedCredential.status_index)
        .join(Certificate, Certificate.id == IssuedCredential.certificate_id)
        .where(IssuedCredential.issuer_key == issuer_key,
               IssuedCredential.status_list == number,
               or_(Certificate.revoked_at.is_not(None), Certificate.superseded_at.is_not(None)))
    ))


def list_exists(issuer_key: str, number: int) -> bool:
    return db.session.scalar(select(IssuedCredential.id).where(
        IssuedCredential.issuer_key == issuer_key,
        IssuedCredential.status_list == number).limit(1)) is not None


def encode(indexes: list[int], bits: int = LIST_BITS) -> str:
    data = bytearray(bits // 8)
    for index in indexes:
        data[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list gives the same bytes (cacheable, comparable).
    packed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    """The bitstring of an encodedList (for checks and tests)."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def bit_is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
