"""Ping a pooled database connection before use only if it sat idle a while.

`pool_pre_ping` pings on every checkout: one round trip to PostgreSQL per
request, a fifth of a module page's. A connection used a moment ago is alive;
one that waited in the pool through a database restart is not, and a restart
takes longer than PING_AFTER_IDLE: such a connection is pinged, and if dead it
is replaced before the request uses it (SQLAlchemy's documented pessimistic
checkout: raising DisconnectionError makes the pool connect again, up to three
times). A connection that breaks while a request holds it fails that request
with the outage page either way, and SQLAlchemy then renews the whole pool.
"""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

from .extensions import db

PING_AFTER_IDLE = 1.0  # seconds in the pool; far shorter than a database restart
_IDLE_SINCE = "kd_idle_since"  # in each pooled connection's info


def init_idle_ping(app: Flask) -> None:
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection, record, _proxy):
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return  # new, or used a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the pooled connection is gone") from exc
        if not alive:
            raise DisconnectionError("the pooled connection is gone")
