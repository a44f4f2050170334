"""A snapshot of every row the tool owns, to prove a refused request changed nothing."""

from __future__ import annotations

from sqlalchemy import select

from lti_app.extensions import db

# One-time values and caches may change on a refused launch (a platform's
# key set is cached even when the token it checked was forged); nothing else.
VOLATILE_TABLES = {"stored_values"}


def snapshot(app) -> dict[str, list[tuple]]:
    with app.app_context():
        rows = {}
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            rows[table.name] = sorted(
                tuple(map(str, row)) for row in db.session.execute(select(table))
            )
        db.session.remove()
        return rows


def one_time_values(app) -> set[str]:
    from lti_app.lti.models import StoredValue

    with app.app_context():
        keys = set(db.session.scalars(select(StoredValue.key)))
        db.session.remove()
        return keys
