"""INSERT unless the row is there: one statement where a SELECT first and a
savepoint around the INSERT (for two requests at once) took four."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError

from .extensions import db


def insert_unless_there(model, unique: tuple[str, ...], **values):
    """The new row, or None if one with the same `unique` columns exists: one
    INSERT ... ON CONFLICT DO NOTHING RETURNING, where a SELECT first and a
    savepoint around the INSERT (for two requests at once) took four statements."""
    dialect = db.session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - the tool runs on these
        return _insert_in_savepoint(model, values)
    statement = _insert_statement(dialect, model, unique, tuple(sorted(values)))
    return db.session.scalars(statement, values).first()


@cache
def _insert_statement(dialect: str, model, unique: tuple[str, ...], columns: tuple[str, ...]):
    # Built once per shape: building and keying a statement per call cost more
    # than sending it.
    insert = _dialect_insert(dialect)
    table = model.__table__
    return (insert(model)
            .values({name: bindparam(name, type_=table.c[name].type) for name in columns})
            .on_conflict_do_nothing(index_elements=list(unique))
            .returning(model))


def _dialect_insert(dialect: str):
    """The INSERT with ON CONFLICT of `dialect`."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _insert_in_savepoint(model, values: dict):
    row = model(**values)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row
