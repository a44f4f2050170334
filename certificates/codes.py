"""Verification codes a person can type from paper: ``7Q4M-X2RP-9HCK-W3TD-F``.

Four groups of four characters from Crockford's base32 alphabet (digits and
capitals without I, L, O and U, so nothing looks like anything else) and one
check character from the same alphabet.

Randomness: 16 characters of 5 bits = 80 bits from ``secrets``. /verify allows
30 lookups a minute per address (RATELIMIT_VERIFY): one address tries about
1.6e7 codes a year, and even 10,000 addresses (1.6e11 a year) against a
million issued certificates find one with a chance of about 1.3e-7 a year.

Check character: the 16 values as elements of GF(32) (polynomial
x^5 + x^2 + 1), each times its own power of the field's generator, added up.
A wrong character at position i changes the sum by g^i * (a + b), which is never
zero; two neighbours swapped change it by g^i * (a + b) * (1 + g), never zero
either. So every single-character typo and every swap of two neighbours
(the check character included) is caught, and the check character needs no
symbol outside the alphabet (Crockford's mod-37 check needs ``*~$=U``).

Input is read generously: any case, spaces and hyphens anywhere, O for 0 and
I or L for 1. Older certificates have long random URL-safe codes; those are
looked up exactly as they are and stay valid.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
GROUPS, GROUP_SIZE = 4, 4
DATA_LENGTH = GROUPS * GROUP_SIZE  # 16 characters, 80 bits
LENGTH = DATA_LENGTH + 1  # with the check character

# Look-alikes a person may type or read for the alphabet's characters.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Separators people put between groups (or copy along): ignored.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.·_]+")
_GROUPED = re.compile(
    rf"^(?:[{ALPHABET}]{{{GROUP_SIZE}}}-){{{GROUPS}}}[{ALPHABET}]$"
)

_POLYNOMIAL = 0b100101  # x^5 + x^2 + 1, primitive: 2 generates all 31 non-zero elements


def _times(a: int, b: int) -> int:
    """Multiplication in GF(32)."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= _POLYNOMIAL
    return product


def _weights() -> tuple[int, ...]:
    """g^0 .. g^15, one weight per position (all different: g has order 31)."""
    weights = [1]
    while len(weights) < DATA_LENGTH:
        weights.append(_times(weights[-1], 2))
    return tuple(weights)


_WEIGHTS = _weights()


def check_character(data: str) -> str:
    """The check character of 16 alphabet characters."""
    if len(data) != DATA_LENGTH:
        raise ValueError(f"a code has {DATA_LENGTH} characters before its check")
    total = 0
    for weight, char in zip(_WEIGHTS, data, strict=True):
        total ^= _times(weight, _VALUE[char])
    return ALPHABET[total]


def group(compact: str) -> str:
    """``7Q4MX2RP9HCKW3TDF`` -> ``7Q4M-X2RP-9HCK-W3TD-F``."""
    data, check = compact[:DATA_LENGTH], compact[DATA_LENGTH:]
    parts = [data[i:i + GROUP_SIZE] for i in range(0, DATA_LENGTH, GROUP_SIZE)]
    return "-".join([*parts, check])


def new_code() -> str:
    """A fresh code, grouped as it is stored, printed and put in the URL."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return group(data + check_character(data))


def is_short_code(code: str) -> bool:
    """Whether a stored code is one of these (not an older long one)."""
    return bool(_GROUPED.match(code))


def printed_groups(code: str) -> list[str]:
    """The pieces a line may not break inside: the four groups, the last one with
    its check character (``…-W3TD-F`` never leaves the F alone on a line).
    An older long code is one piece, as it always was printed."""
    if not is_short_code(code):
        return [code]
    parts = code.split("-")
    return [*parts[:GROUPS - 1], f"{parts[GROUPS - 1]}-{parts[GROUPS]}"]


@dataclass(frozen=True)
class TypedCode:
    """What a person typed, read as a short code.

    kind: "code" (well-formed, ``code`` is the stored form), "mistyped" (the
    right length but the check character does not match, or a character that
    is in no code), "length" (looks like a short code with characters missing
    or extra), "other" (not a short code: perhaps an older long code).
    """

    kind: str
    code: str = ""
    typed_length: int = 0


def normalise(compact: str) -> str:
    return _SEPARATORS.sub("", compact).upper().translate(_LOOK_ALIKES)


def read(typed: str) -> TypedCode:
    compact = normalise(typed or "")
    if len(compact) == LENGTH:
        if all(char in _VALUE for char in compact) and (
            check_character(compact[:DATA_LENGTH]) == compact[DATA_LENGTH]
        ):
            return TypedCode("code", group(compact))
        if all(char in _VALUE or char == "U" for char in compact):
            return TypedCode("mistyped", typed_length=len(compact))
    elif LENGTH - 3 <= len(compact) <= LENGTH + 3 and all(
        char in _VALUE or char == "U" for char in compact
    ):
        return TypedCode("length", typed_length=len(compact))
    return TypedCode("other", typed_length=len(compact))
