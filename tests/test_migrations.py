"""The migration chain on an empty database, one step back and forth, old rows kept,
and the CHECK constraints that refuse values outside the models' vocabularies.

SQLite by default; with TEST_DATABASE_URL on PostgreSQL, a scratch database.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from lti_app.jobs.models import Job

BEFORE_CHECKS = "dc6daba424d0"  # the revision before 9055d967dc7d
CHECKS = {  # table -> its ck_<table>_<column> constraints, as the models name them
    "enrollments": {"role"},
    "shadow_days": {"status", "decided_by"},
    "shadow_day_events": {"action", "actor_kind"},
    "grade_deliveries": {"status", "activity_progress", "grading_progress",
                         "delivered_activity"},
    "jobs": {"status"},
}
DEMO_TABLES = {"demo_links", "demo_line_items", "demo_scores", "demo_results"}
SNAPSHOT = {"course_title": {"nl": "Bibliotheek Basis", "en": "Library Basics"},
            "completed_on": "2026-03-12"}


@pytest.fixture
def flask_db(empty_database_uri, tmp_path):
    """Run `flask db <args>` on that database (in this process: an app per command
    costs a second, and the chain needs a dozen)."""
    from tests.conftest import make_app

    app = make_app(empty_database_uri, tmp_path / "instance", DEMO_LMS_ENABLED=False)

    def run(*args: str) -> str:
        result = app.test_cli_runner().invoke(args=["db", *args])
        assert result.exit_code == 0, f"{result.output}{result.exception!r}"
        return result.output

    return run


@pytest.fixture
def engine(empty_database_uri):
    engine = create_engine(empty_database_uri)
    yield engine
    engine.dispose()


def _checks(engine) -> dict[str, set[str]]:
    inspector = inspect(engine)
    return {table: {c["name"] for c in inspector.get_check_constraints(table)}
            for table in CHECKS}


def _expected_checks() -> dict[str, set[str]]:
    return {table: {f"ck_{table}_{column}" for column in columns}
            for table, columns in CHECKS.items()}


def test_upgrade_from_empty_then_one_step_down_and_up(flask_db, engine):
    flask_db("upgrade")
    inspector = inspect(engine)
    assert not DEMO_TABLES & set(inspector.get_table_names())
    assert _checks(engine) == _expected_checks()
    indexes = {i["name"] for t in ("grade_deliveries", "shadow_days")
               for i in inspector.get_indexes(t)}
    assert {"ix_grade_deliveries_status_next_attempt_at",
            "ix_shadow_days_person_id_status"} <= indexes

    flask_db("downgrade", "9055d967dc7d")  # before f99284054186: the demo tables come back
    assert DEMO_TABLES <= set(inspect(engine).get_table_names())
    flask_db("upgrade")
    flask_db("downgrade", BEFORE_CHECKS)
    assert _checks(engine) == {table: set() for table in CHECKS}
    flask_db("upgrade")
    assert _checks(engine) == _expected_checks()
    flask_db("check")  # alembic's check fails on any difference from the models


def test_certificates_survive_the_upgrade_and_the_downgrade(flask_db, engine):
    flask_db("upgrade", BEFORE_CHECKS)
    now = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        platform_id = conn.execute(text(
            "INSERT INTO platforms (name, issuer, client_id, auth_login_url, auth_token_url,"
            " accepts_new_deployments, created_at) VALUES ('P', 'https://lms', 'c',"
            " 'https://lms/auth', 'https://lms/token', :no, :now) RETURNING id"),
            {"no": False, "now": now}).scalar_one()
        person_id = conn.execute(text(
            "INSERT INTO persons (platform_id, sub, created_at, last_seen_at)"
            " VALUES (:platform, 's1', :now, :now) RETURNING id"),
            {"platform": platform_id, "now": now}).scalar_one()
        for slug, completed_on in (("library-basics", "2026-03-12"), ("licences", "")):
            conn.execute(text(
                "INSERT INTO certificates (person_id, course_slug, course_version,"
                " verification_code, learner_name, language, completed_on, snapshot, issued_at)"
                " VALUES (:person, :slug, 'v1', :code, 'Anna', 'nl', :completed_on, :snapshot,"
                " :now)"),
                {"person": person_id, "slug": slug, "code": f"code-{slug}",
                 "completed_on": completed_on, "snapshot": json.dumps(SNAPSHOT), "now": now})

    flask_db("upgrade")
    table = Certificate.__table__
    query = select(table.c.course_slug, table.c.completed_on, table.c.snapshot).order_by(
        table.c.course_slug)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    assert rows == [("library-basics", date(2026, 3, 12), SNAPSHOT),
                    ("licences", None, SNAPSHOT)]

    flask_db("downgrade", BEFORE_CHECKS)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT course_slug, completed_on, snapshot FROM certificates ORDER BY course_slug"
        )).all()
    assert [(slug, on, json.loads(s)) for slug, on, s in rows] == [
        ("library-basics", "2026-03-12", SNAPSHOT), ("licences", "", SNAPSHOT)]


def test_the_migrated_schema_refuses_an_unknown_status(flask_db, engine):
    flask_db("upgrade")
    insert = text("INSERT INTO jobs (kind, status, done, total, created_at)"
                  " VALUES ('certificates_zip', :status, 0, 0, :now)")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert, {"status": "queued", "now": now})
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert, {"status": "lost", "now": now})
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE jobs SET status = 'lost'"))


def test_the_models_refuse_an_unknown_status(app):
    with app.app_context():
        with pytest.raises(IntegrityError):  # the database's CHECK (create_all)
            db.session.execute(text(
                "INSERT INTO jobs (kind, status, done, total, created_at)"
                " VALUES ('certificates_zip', 'lost', 0, 0, CURRENT_TIMESTAMP)"))
        db.session.rollback()
        db.session.add(Job(kind="certificates_zip", status="lost"))
        with pytest.raises(StatementError):  # refused before it is sent
            db.session.flush()
        db.session.rollback()
        job = Job(kind="certificates_zip", status="queued")  # plain strings still work
        db.session.add(job)
        db.session.commit()
        assert db.session.scalar(select(Job.status).where(Job.status == "queued")) == "queued"


BEFORE_APPROVAL = "f99284054186"  # the revision before 3b7e1c0a9d42 (registration status)


def test_existing_platforms_become_approved_and_keep_their_people(flask_db, engine):
    flask_db("upgrade", BEFORE_APPROVAL)
    now = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        platform_id = conn.execute(text(
            "INSERT INTO platforms (name, issuer, client_id, auth_login_url, auth_token_url,"
            " accepts_new_deployments, created_at) VALUES ('P', 'https://lms', 'c',"
            " 'https://lms/auth', 'https://lms/token', :no, :now) RETURNING id"),
            {"no": False, "now": now}).scalar_one()
        conn.execute(text(
            "INSERT INTO persons (platform_id, sub, created_at, last_seen_at)"
            " VALUES (:platform, 's1', :now, :now)"), {"platform": platform_id, "now": now})

    flask_db("upgrade")
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT status, institution, suggested_institution FROM platforms")).all() == [
            ("approved", None, None)]
        # Adding the columns must not copy the table: on SQLite that drop would
        # cascade to every person (and their certificates).
        assert conn.execute(text("SELECT count(*) FROM persons")).scalar_one() == 1
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE platforms SET status = 'trusted'"))

    flask_db("downgrade", BEFORE_APPROVAL)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM persons")).scalar_one() == 1
        assert "status" not in {c["name"] for c in inspect(conn).get_columns("platforms")}
