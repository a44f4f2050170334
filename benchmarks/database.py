"""The database a benchmark runs on: a temp SQLite file, or BENCH_DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

ENV_VAR = "BENCH_DATABASE_URL"


def database_label() -> str:
    url = os.environ.get(ENV_VAR)
    if not url:
        return "SQLite (temp file, WAL)"
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def bench_database(tmp_dir: Path) -> Iterator[str]:
    """An empty database's URL; a PostgreSQL one is created now and dropped after."""
    url = os.environ.get(ENV_VAR)
    if not url:
        yield f"sqlite:///{tmp_dir / 'bench.sqlite3'}"
        return
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        raise SystemExit(f"{ENV_VAR}: only postgresql URLs are supported")
    # It is dropped afterwards, so refuse names that look like real data.
    if "bench" not in (target.database or ""):
        raise SystemExit(f"{ENV_VAR}: the database name must contain 'bench'")
    _recreate(target, create=True)
    try:
        yield url
    finally:
        _recreate(target, create=False)


def _recreate(target: URL, *, create: bool) -> None:
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = admin.dialect.identifier_preparer.quote(target.database or "")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            if create:
                connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
