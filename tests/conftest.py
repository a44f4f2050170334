"""Fixtures: an app on a fresh database per test, its client and CLI runner.

SQLite by default; set TEST_DATABASE_URL (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/kd_test) to run the same suite
on PostgreSQL.
"""

from __future__ import annotations

import os

import pytest

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.hookimpl(trylast=True)  # after the browser tests are marked and any shuffle
def pytest_collection_modifyitems(config, items):
    """Browser tests last, when a run has both (a plain `pytest`; `make test`
    runs them apart): Playwright's sync API keeps an asyncio loop running in
    this thread until the session ends, and signing a certificate (pyHanko's
    asyncio.run) refuses to start inside a running loop."""
    items[:] = sorted(items, key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """SQLite in the session's temporary folder, or TEST_DATABASE_URL.

    Under pytest-xdist (`make test` runs two workers) each worker gets a
    database of its own: a file of its own, or `<name>_gw0`, `<name>_gw1`.
    """
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not TEST_DATABASE_URL.startswith("postgresql"):
        yield TEST_DATABASE_URL
        return
    yield from _postgres_database_of_worker(TEST_DATABASE_URL, f"_{worker}")


@pytest.fixture
def empty_database_uri(tmp_path):
    """A database with no tables (for the migration tests): a new SQLite file, or
    a new PostgreSQL database of this xdist worker's own, dropped afterwards."""
    if not TEST_DATABASE_URL or not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    yield from _postgres_database_of_worker(TEST_DATABASE_URL, f"_empty_{worker}")


def _postgres_database_of_worker(url: str, suffix: str):
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"{parsed.database}{suffix}"
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield parsed.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(database_uri: str, instance_path, **overrides):
    from lti_app import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "SECRET_KEY": "test-secret-key",
        "DEMO_LMS_ENABLED": True,
        "LTI_JWKS_MIN_REFETCH": 30,
        # Off, except in the tests of the limits themselves (tests/test_security.py).
        "RATELIMIT_ENABLED": False,
        # Runs start at once; tests/learning/test_grades.py tests the gathering.
        "GRADES_GATHER_SECONDS": 0,
    }
    config.update(overrides)
    app = create_app(config, instance_path=str(instance_path))
    _APPS.append(app)
    return app


# Every app a test made: their engines are disposed after the test, so no pooled
# connection is left for the garbage collector (psycopg warns, and warnings fail).
_APPS: list = []


def _tables():
    """Every table the tests write, children first: the tool's and the demo LMS's."""
    from lti_app.demo_lms import models as demo_models
    from lti_app.extensions import db

    metadatas = [db.metadata]
    demo_base = getattr(demo_models, "DemoBase", None)  # its own metadata, if any
    if demo_base is not None and demo_base.metadata is not db.metadata:
        metadatas.insert(0, demo_base.metadata)
    return [table for metadata in metadatas for table in reversed(metadata.sorted_tables)]


def empty_database(app) -> None:
    from sqlalchemy import inspect

    from lti_app.extensions import db

    with app.app_context():
        db.session.remove()
        existing = set(inspect(db.engine).get_table_names())
        for table in _tables():
            if table.name in existing:
                db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _shared_app(database_uri, tmp_path_factory):
    """One app and one schema for the session.

    Profiled: building an app (its URL map) took ~35 ms a test, and a fresh
    instance folder meant a new demo LMS key (RSA) per test; create_all itself
    was cheap. Tests that need their own app still call make_app.
    """
    from lti_app.extensions import db

    app = make_app(database_uri, tmp_path_factory.mktemp("instance"))
    _APPS.remove(app)  # disposed per test by `app`, not dropped
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def app(_shared_app):
    """The shared app, its config restored and its tables emptied after the test.

    Rows are deleted, not rolled back: the tool commits through connections of
    its own (a new signing key, cached key sets, background jobs, other
    workers), which an outer test transaction would neither hold nor see.
    """
    from lti_app.extensions import limiter

    config = dict(_shared_app.config)
    extensions = dict(_shared_app.extensions)
    # The Limiter is one object for every app: a test app made with limits on
    # (tests/test_security.py) switches them on for the shared app too.
    limiter.enabled = bool(config.get("RATELIMIT_ENABLED"))
    yield _shared_app
    if limiter.enabled:  # only an app with limits on has made their storage
        limiter.reset()
    _background_work_ends(_shared_app)
    empty_database(_shared_app)
    _shared_app.config.clear()
    _shared_app.config.update(config)
    for name in set(_shared_app.extensions) - set(extensions):
        del _shared_app.extensions[name]  # e.g. a store made for a changed config
    _shared_app.extensions.update(extensions)


def _background_work_ends(app) -> None:
    """Job threads (a trainer's launch queues a roster refresh) and score
    deliveries end before the tables are emptied: work that outlived its test
    would write into the next one (e.g. a signing key with a reused kid)."""
    from lti_app.jobs.service import wait_for_threads
    from lti_app.learning.grade_delivery import wait_for_deliveries

    assert wait_for_threads(15), "a background job did not finish"
    assert wait_for_deliveries(app, 15), "a score delivery did not finish"


@pytest.fixture
def own_app(app, database_uri, tmp_path):
    """An app of the test's own, for tests that add routes (the shared one has served)."""
    return make_app(database_uri, tmp_path / "own-instance")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def lms(app):
    """A Moodle-like platform registered in the tool, its JWKS served over mocked HTTP."""
    from tests.fake_lms import FakeLms

    with FakeLms.serving() as mock:
        yield FakeLms(app, mock)


@pytest.fixture
def canvas(app):
    from tests.fake_lms import FakeLms

    with FakeLms.serving() as mock:
        yield FakeLms(app, mock, product="canvas", issuer="https://canvas.instructure.com",
                      client_id="10000000000042", deployment_id="7:abc")


@pytest.fixture(autouse=True)
def _dispose_engines():
    yield
    from lti_app.extensions import db

    while _APPS:
        app = _APPS.pop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


_RSA_KEYS: list = []


class _ReusedRsa:
    """`rsa` as lti_app.lti.keys sees it: a test's n-th new key is the session's n-th.

    Generating a 2048-bit key took ~40 ms, and every test that signs made one.
    """

    def __init__(self) -> None:
        self.made = 0

    def __getattr__(self, name):
        from cryptography.hazmat.primitives.asymmetric import rsa

        return getattr(rsa, name)

    def generate_private_key(self, public_exponent: int, key_size: int):
        from cryptography.hazmat.primitives.asymmetric import rsa

        while len(_RSA_KEYS) <= self.made:
            _RSA_KEYS.append(rsa.generate_private_key(public_exponent=public_exponent,
                                                      key_size=key_size))
        self.made += 1
        return _RSA_KEYS[self.made - 1]


@pytest.fixture(autouse=True)
def _reuse_tool_keys(monkeypatch):
    from lti_app.lti import keys

    monkeypatch.setattr(keys, "rsa", _ReusedRsa())


@pytest.fixture(autouse=True)
def _forget_process_caches():
    """Per-process caches must not carry one test's platform keys into the next."""
    from lti_app import security_headers
    from lti_app.lti import platform_keys

    platform_keys._memo.clear()
    security_headers._frame_origins.clear()
    yield
    platform_keys._memo.clear()
    security_headers._frame_origins.clear()
