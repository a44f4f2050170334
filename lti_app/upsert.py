"""INSERT unless the row is there: one statement where a SELECT first and a
savepoint around the INSERT (for two requests at once) took four."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from .extensions import db


def insert_unless_there(model, unique: tuple[str, ...], **values):
    """The new row, or None if one with the same `unique` columns exists: one
    INSERT ... ON CONFLICT DO NOTHING RETURNING, where a SELECT first and a
    savepoint around the INSERT (for two requests at once) took four statements."""
    insert = dialect_insert()
    if insert is None:  # pragma: no cover - the tool runs on PostgreSQL and SQLite
        return _insert_in_savepoint(model, values)
    statement = (insert(model).values(**values)
                 .on_conflict_do_nothing(index_elements=list(unique))
                 .returning(model))
    return db.session.scalars(statement).first()


def dialect_insert():
    """The INSERT with ON CONFLICT of the session's database, or None."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return None
    return insert


def _insert_in_savepoint(model, values: dict):
    row = model(**values)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row
