"""A pooled connection is pinged only after it sat idle; a dead one is replaced
before a page uses it (what pool_pre_ping did on every request)."""

from __future__ import annotations

from lti_app import db_ping
from lti_app.extensions import db
from tests.learning.helpers import first_module, launch_ltik


def _pings(app, monkeypatch) -> list[bool]:
    with app.app_context():
        dialect = db.engine.dialect
    seen: list[bool] = []
    real = dialect.do_ping

    def counted(dbapi_connection):
        try:
            alive = real(dbapi_connection)
        except Exception:
            seen.append(False)
            raise
        seen.append(alive)
        return alive

    monkeypatch.setattr(dialect, "do_ping", counted)
    return seen


def test_a_connection_used_a_moment_ago_is_not_pinged(app, client, lms, monkeypatch):
    ltik = launch_ltik(client, lms)
    module = first_module()
    pings = _pings(app, monkeypatch)
    for _ in range(3):
        assert client.get(f"/modules/{module.slug}?ltik={ltik}").status_code == 200
    assert pings == []


def test_a_dead_idle_connection_is_replaced_before_the_page_uses_it(app, client, lms,
                                                                    monkeypatch):
    ltik = launch_ltik(client, lms)
    module = first_module()
    assert client.get(f"/modules/{module.slug}?ltik={ltik}").status_code == 200
    with app.app_context():
        engine = db.engine
    # Every pooled connection dies while it waits in the pool (as in a restart).
    pooled = [engine.raw_connection() for _ in range(engine.pool.checkedin() or 1)]
    for connection in pooled:
        dbapi_connection = connection.dbapi_connection
        connection.close()  # back to the pool
        dbapi_connection.close()  # and dead there
    monkeypatch.setattr(db_ping, "PING_AFTER_IDLE", 0.0)  # they all sat "long enough"
    pings = _pings(app, monkeypatch)
    page = client.get(f"/modules/{module.slug}?ltik={ltik}")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    assert module.title.get("nl") in page.get_data(as_text=True)
    assert False in pings  # the dead one was found and replaced, not handed out
