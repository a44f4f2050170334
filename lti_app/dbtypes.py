"""Column types shared by the models: closed vocabularies as checked strings."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def checked_enum(enum_class: type[StrEnum], *, name: str, length: int = 20) -> Enum:
    """A VARCHAR that only takes the enum's values, refused by the database too.

    Stored as the values ("confirmed"), not the member names; a StrEnum member
    equals its value, so code that writes or compares plain strings keeps
    working. ``name`` names the CHECK constraint (ck_<table>_<name>).
    """
    return Enum(
        enum_class, name=name, length=length, native_enum=False, create_constraint=True,
        validate_strings=True, values_callable=lambda members: [m.value for m in members],
    )
