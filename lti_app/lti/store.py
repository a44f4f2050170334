"""A key-value store with expiry that every worker and host shares.

Holds one-time values (OIDC state with its nonce), launch data, launch
sessions and cached platform key sets. The database is the default so that
several workers on one SQLite file or one PostgreSQL behave as one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, select

from ..extensions import db
from ..upsert import dialect_insert
from ..timeutil import utc_now
from .models import StoredValue


class DatabaseStore:
    """Reads and writes join the request's transaction (one commit per request)."""

    def get(self, key: str) -> Any | None:
        row = _connection().execute(_statements().get, {"key": key, "now": utc_now()}).first()
        return json.loads(row[0]) if row else None

    def get_many(self, *keys: str) -> list[Any | None]:
        """The live values of `keys`, in order (None where missing): one query."""
        params = {f"key_{i}": key for i, key in enumerate(keys)} | {"now": utc_now()}
        rows = dict(_connection().execute(_get_many_statement(len(keys)), params).all())
        return [json.loads(rows[key]) if key in rows else None for key in keys]

    def put(self, key: str, value: Any, ttl: int) -> None:
        _connection().execute(_statements().upsert, _row(key, value, ttl))

    def put_many(self, values: dict[str, Any], ttl: int) -> None:
        """put for each key: one INSERT of all the rows."""
        _connection().execute(_statements().upsert,
                              [_row(key, value, ttl) for key, value in values.items()])

    def put_now(self, key: str, value: Any, ttl: int) -> None:
        """Write in a transaction of its own, committed even if the request fails.

        For caches that a refused launch must still keep (a platform's key set
        and when it was fetched), so an attacker cannot force refetches.
        """
        with db.engine.begin() as connection:
            connection.execute(_statements().upsert, _row(key, value, ttl))

    def add_now(self, key: str, value: Any, ttl: int) -> bool:
        """Write unless a live value is there (in a transaction of its own); True if
        written. Of two concurrent callers only one gets True (a single flight)."""
        statement = _insert_statement(key, value, ttl)
        statement = statement.on_conflict_do_update(
            index_elements=[StoredValue.key],
            set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
            where=StoredValue.expires_at <= utc_now(),
        ).returning(StoredValue.key)
        with db.engine.begin() as connection:
            return connection.execute(statement).first() is not None

    def delete_now(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(StoredValue).where(StoredValue.key == key))

    def pop(self, key: str) -> Any | None:
        """Remove and return a value; of two concurrent callers only one gets it.

        One DELETE ... RETURNING: on PostgreSQL a second DELETE waits for the first
        transaction and then matches no row; SQLite serialises writers.
        """
        row = _connection().execute(_statements().pop, {"key": key, "now": utc_now()}).first()
        return json.loads(row[0]) if row else None

    def delete(self, key: str) -> None:
        db.session.execute(delete(StoredValue).where(StoredValue.key == key))

    def purge_expired(self) -> int:
        result = db.session.execute(
            delete(StoredValue).where(StoredValue.expires_at <= utc_now())
        )
        return result.rowcount


def _row(key: str, value: Any, ttl: int) -> dict:
    return {"key": key, "value": json.dumps(value),
            "expires_at": utc_now() + timedelta(seconds=ttl)}


def _insert_statement(key: str, value: Any, ttl: int):
    return dialect_insert(db.engine.dialect.name)(StoredValue).values(**_row(key, value, ttl))


@dataclass(frozen=True)
class _Statements:
    get: Any
    upsert: Any
    pop: Any


def _statements() -> _Statements:
    """Every launch and page runs these: built once per dialect, parameters bound
    at execution (building and cache-keying a statement cost more than running it)."""
    dialect = db.engine.dialect.name
    found = _BUILT.get(dialect)
    if found is None:
        table, key, now = StoredValue.__table__, bindparam("key"), bindparam("now")
        insert = dialect_insert(dialect)(table)
        found = _BUILT[dialect] = _Statements(
            get=select(table.c.value).where(table.c.key == key, table.c.expires_at > now),
            upsert=insert.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={"value": insert.excluded.value, "expires_at": insert.excluded.expires_at},
            ),
            pop=delete(table).where(table.c.key == key, table.c.expires_at > now)
            .returning(table.c.value),
        )
    return found


@cache
def _get_many_statement(count: int):
    """`key IN (:key_0, ..., :key_n)`, built once per number of keys: an expanding
    IN would render the statement anew on every call (every page asks for two)."""
    table = StoredValue.__table__
    keys = [bindparam(f"key_{i}", type_=table.c.key.type) for i in range(count)]
    return select(table.c.key, table.c.value).where(
        table.c.key.in_(keys), table.c.expires_at > bindparam("now"))


def _connection():
    # The request's transaction, minus the ORM's per-statement work: these
    # statements touch no mapped objects (nothing to autoflush or load).
    return db.session.connection()


_BUILT: dict[str, _Statements] = {}


class RedisStore:
    """The same store on Redis (FLASK_REDIS_URL): SET with expiry, GETDEL to consume.

    A consumed state is then not part of the database transaction: if the
    launch's commit fails afterwards, the user simply launches again.
    """

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
        self._prefix = prefix

    def get(self, key: str) -> Any | None:
        raw = self._redis.get(self._prefix + key)
        return json.loads(raw) if raw is not None else None

    def get_many(self, *keys: str) -> list[Any | None]:
        raws = self._redis.mget([self._prefix + key for key in keys])
        return [json.loads(raw) if raw is not None else None for raw in raws]

    def put(self, key: str, value: Any, ttl: int) -> None:
        self._redis.set(self._prefix + key, json.dumps(value), ex=max(int(ttl), 1))

    put_now = put

    def put_many(self, values: dict[str, Any], ttl: int) -> None:
        with self._redis.pipeline(transaction=False) as pipe:  # one round trip
            for key, value in values.items():
                pipe.set(self._prefix + key, json.dumps(value), ex=max(int(ttl), 1))
            pipe.execute()

    def add_now(self, key: str, value: Any, ttl: int) -> bool:
        return bool(self._redis.set(self._prefix + key, json.dumps(value),
                                    ex=max(int(ttl), 1), nx=True))

    def delete_now(self, key: str) -> None:
        self._redis.delete(self._prefix + key)

    def pop(self, key: str) -> Any | None:
        raw = self._redis.getdel(self._prefix + key)  # atomic: one caller gets it
        return json.loads(raw) if raw is not None else None

    def delete(self, key: str) -> None:
        self._redis.delete(self._prefix + key)

    def purge_expired(self) -> int:
        return 0  # Redis expires keys itself


def get_store() -> DatabaseStore | RedisStore:
    """The database store, or Redis when FLASK_REDIS_URL is set (one per app)."""
    app = current_app._get_current_object()
    store = app.extensions.get("kd_store")
    if store is None:
        url = app.config.get("REDIS_URL")
        store = RedisStore(url, app.config["REDIS_KEY_PREFIX"]) if url else _DATABASE_STORE
        app.extensions["kd_store"] = store
    return store


_DATABASE_STORE = DatabaseStore()
