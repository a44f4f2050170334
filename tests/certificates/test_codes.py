"""Short verification codes: the format, the check character, the reading of
what a person types, and how the PDF prints them."""

from __future__ import annotations

import random
import re
import subprocess

import pytest

from certificates import codes
from certificates.render import render_certificate_pdf
from tests.certificates.conftest import make_certificate_data

CODE = "7Q4M-X2RP-9HCK-W3TD-" + codes.check_character("7Q4MX2RP9HCKW3TD")  # ...-F
FORMAT = re.compile(r"(?:[0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]")


def test_a_new_code_has_four_groups_of_four_and_a_check_character():
    made = {codes.new_code() for _ in range(500)}
    assert len(made) == 500
    for code in made:
        assert FORMAT.fullmatch(code) and not set(code) & set("ILOU")
        assert codes.read(code).kind == "code"
    assert codes.DATA_LENGTH * 5 == 80  # bits of randomness


def _compact(code: str) -> str:
    return code.replace("-", "")


def _variants(compact: str):
    """Every single-character typo and every swap of two different neighbours."""
    for i, char in enumerate(compact):
        for other in codes.ALPHABET:
            if other != char:
                yield compact[:i] + other + compact[i + 1:]
    for i in range(len(compact) - 1):
        if compact[i] != compact[i + 1]:
            yield compact[:i] + compact[i + 1] + compact[i] + compact[i + 2:]


def test_the_check_character_catches_every_typo_and_swap_of_one_code():
    variants = list(_variants(_compact(CODE)))
    assert len(variants) == 17 * 31 + 16  # this code has no two equal neighbours
    assert all(codes.read(v).kind == "mistyped" for v in variants)


def test_the_check_character_catches_them_in_many_codes():
    rng = random.Random(7)
    for _ in range(200):
        data = "".join(rng.choice(codes.ALPHABET) for _ in range(16))
        compact = data + codes.check_character(data)
        assert not any(codes.read(v).kind == "code" for v in _variants(compact))


@pytest.mark.parametrize("typed", [
    CODE, CODE.lower(), _compact(CODE), " ".join(CODE.split("-")),
    f"  {CODE.lower().replace('-', ' - ')} ", CODE.replace("-", "\u2013"),
])
def test_what_a_person_types_is_read_as_the_code(typed):
    assert codes.read(typed) == codes.TypedCode("code", CODE)


def test_look_alikes_are_read_as_the_characters_they_resemble():
    data = "0011ABCD0011ABCD"
    code = codes.group(data + codes.check_character(data))
    assert codes.read("OoIl-abcd-oOiL-ABCD-" + code[-1]).code == code


def test_a_wrong_check_or_length_says_so():
    wrong = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    assert codes.read(wrong).kind == "mistyped"
    assert codes.read(CODE[:-2]) == codes.TypedCode("length", typed_length=16)
    assert codes.read(CODE + "X").kind == "length"
    # Not a short code at all, e.g. an older long one: looked up as it is.
    assert codes.read("Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4").kind == "other"


def _raw_lines(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    return [line.strip() for line in out.splitlines()]


def _lines_holding(lines: list[str], code: str) -> list[list[str]]:
    """Each run of lines whose text (joined) ends with the whole code: the pieces
    of the code each of those lines holds."""
    runs = []
    for end, line in enumerate(lines):
        joined, start = "", end
        while start >= 0 and len(joined) < len(code):
            joined = lines[start] + joined
            start -= 1
        if joined.endswith(code) and line.endswith(code[-1]):
            pieces, rest = [], code
            for part in reversed(lines[start + 1:end + 1]):
                piece = rest[-len(part):] if len(part) <= len(rest) else rest
                pieces.insert(0, piece)
                rest = rest[: len(rest) - len(piece)]
            runs.append(pieces)
    return runs


@pytest.mark.parametrize("url", [
    "https://kennisdeling.example.nl/verify/{code}",
    # A long address: the line must break, only between groups.
    "https://certificaten.kennisdeling.bibliotheek.universiteit.example.nl/verify/{code}",
])
def test_the_pdf_never_breaks_a_code_inside_a_group(url):
    code = codes.new_code()
    pdf = render_certificate_pdf(make_certificate_data(
        verification_code=code, verification_url=url.format(code=code)))
    lines = _raw_lines(pdf)
    assert code in lines  # the printed code on a line of its own
    runs = _lines_holding(lines, code)
    assert len(runs) == 2  # the code and the end of the address
    for pieces in runs:
        for piece in pieces[:-1]:  # every line ends at a group's end
            assert piece.endswith("-"), pieces
        groups = code.split("-")
        for piece in pieces:
            assert all(part in groups for part in piece.strip("-").split("-")), pieces
