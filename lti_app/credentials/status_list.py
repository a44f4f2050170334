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
# Random picks that may hit a taken index before a new list begins.
PROBES = 12


def list_id(issuer_key: str, number: int) -> str:
    return f"{issuer_key}-{number}"


def parse_list_id(text: str) -> tuple[str, int] | None:
    key, _, number = (text or "").rpartition("-")
    if not key or len(key) > 40 or not number.isdigit() or len(number) > 6:
        return None
    return key, int(number)


def allocate(issuer_key: str) -> tuple[int, int]:
    """(list number, index): a random index no credential of the issuer holds.

    Random probes on the unique index, not a read of every used index (that
    took 30 ms at 50,000, benchmarks/credentials.py). When PROBES in a row are
    taken the list is about half full or more (at half full that happens once
    in 2**PROBES), and the next list begins. The unique constraint settles a
    race; the caller retries on it."""
    number = db.session.scalar(
        select(func.max(IssuedCredential.status_list))
        .where(IssuedCredential.issuer_key == issuer_key)) or 1
    while True:
        for _probe in range(PROBES):
            index = secrets.randbelow(LIST_BITS)
            taken = db.session.scalar(select(IssuedCredential.id).where(
                IssuedCredential.issuer_key == issuer_key,
                IssuedCredential.status_list == number,
                IssuedCredential.status_index == index))
            if taken is None:
                return number, index
        number += 1


def set_indexes(issuer_key: str, number: int) -> list[int]:
    """The indexes whose bit is set: revoked or superseded certificates.

    The few ended certificates are read first, then their credentials by the
    unique certificate_id: joining every credential of a list to its
    certificate took 110 ms at 50,000 on SQLite (benchmarks/credentials.py)."""
    ended = list(db.session.scalars(select(Certificate.id).where(
        or_(Certificate.revoked_at.is_not(None), Certificate.superseded_at.is_not(None)))))
    indexes: list[int] = []
    for start in range(0, len(ended), 500):  # bounded IN lists
        # Only certificate_id in SQL: given the list's columns too, SQLite
        # walks the whole list's index instead.
        rows = db.session.execute(select(
            IssuedCredential.status_index, IssuedCredential.issuer_key,
            IssuedCredential.status_list,
        ).where(IssuedCredential.certificate_id.in_(ended[start:start + 500])))
        indexes += [index for index, key, list_number in rows
                    if key == issuer_key and list_number == number]
    return indexes


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
