"""Trainer dashboard: server time and SQL statements at 100 and at 1,000 learners.

Both courses are seeded in one database (learners spread over every stage:
not started, in progress, waiting for a confirmation, complete, certified,
revoked; Library Basics has 12 modules and asks for 2 shadowing days). The
baseline is the same page at a tenth of the learners: the query count must stay
flat; a page of 50 rows should cost about the same at either size, the whole
list and the CSV grow with the rows written, nothing more.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import event, select, text

from lti_app import create_app
from lti_app.extensions import db
from lti_app.lti.context import LaunchContext, save_launch_context
from lti_app.people.models import ResourceLink
from lti_app.testing import (
    library_basics,
    make_context,
    make_learner,
    make_platform,
    seed_learners,
)

from .database import bench_database
from .rows import Row, ratio_row, timing_row

SIZES = (100, 1000)
WARM_UP = 3
# Label, URL without the ltik: the first page, another page, a stage filter
# with a search, a sort that is not the default one, the whole list, the CSV.
PAGES = {
    "dashboard": "/trainer/",
    "dashboard page 2": "/trainer/?page=2",
    "dashboard filtered (in progress, 'learner')": "/trainer/?filter=in_progress&q=learner",
    "dashboard sorted (last activity)": "/trainer/?sort=activity",
    "dashboard whole list": "/trainer/?all=1",
    "CSV export": "/trainer/export.csv",
}


def run(n: int) -> list[Row]:
    with (
        tempfile.TemporaryDirectory(prefix="kd-bench-") as tmp,
        bench_database(Path(tmp)) as database_url,
    ):
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "benchmark-secret",
                "SERVER_NAME": "tool.example.org",
            },
            instance_path=tmp,
        )
        with app.app_context():
            db.create_all()
        ltiks = {size: _seed_course(app, size) for size in SIZES}
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                # The statistics autovacuum keeps in production: without them
                # the planner takes every aggregate for one row (see README).
                with db.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                        text("ANALYZE")
                    )
        rows: list[Row] = []
        for label, path in PAGES.items():
            samples, counts = {}, {}
            for size in SIZES:
                url = f"{path}{'&' if '?' in path else '?'}ltik={ltiks[size]}"
                samples[size] = _time(app, url, n)
                counts[size] = _statements(app, url)
                row = timing_row(f"{label}: {size:,} learners", samples[size])
                rows.append(
                    Row(row.name, {**row.values, "SQL statements": counts[size]})
                )
            small, large = SIZES
            ratio = ratio_row(
                f"{label}: {large:,} / {small:,} learners",
                samples[large],
                samples[small],
            )
            rows.append(
                Row(
                    ratio.name,
                    {
                        **ratio.values,
                        "SQL statements": f"{counts[large] / counts[small]:.2f}x",
                    },
                )
            )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return rows


def _seed_course(app: Flask, size: int) -> str:
    """An LMS course with `size` learners and a trainer; returns the trainer's ltik."""
    course = library_basics()
    with app.app_context():
        context = make_context(platform=make_platform(), title=f"Bench {size}")
        trainer = make_learner(
            context=context, given_name="Carla", family_name="Visser", role="trainer"
        )
        seed_learners(context, course, size)
        link_id = db.session.scalar(
            select(ResourceLink.id).where(ResourceLink.context_id == context.id)
        )
        launch = LaunchContext(
            launch_id=f"bench-dashboard-{size}",
            platform_id=context.deployment.platform_id,
            deployment_id=context.deployment_id,
            person_id=trainer.person_id,
            context_id=context.id,
            resource_link_id=link_id,
            enrollment_id=trainer.id,
            role="trainer",
            is_admin=False,
            person_name="Carla Visser",
            context_title=context.title,
            locale="en",
            message_type="LtiResourceLinkRequest",
            return_url=None,
        )
        db.session.commit()
    with app.test_request_context():
        ltik = save_launch_context(launch)
        db.session.commit()
    return ltik


def _time(app: Flask, url: str, n: int) -> list[float]:
    client = app.test_client()
    samples = []
    for i in range(n + WARM_UP):
        start = time.perf_counter()
        response = client.get(url)
        body = response.get_data()  # the CSV streams: time until its last line
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200 or not body:
            raise AssertionError(f"{url} answered {response.status_code}")
        if i >= WARM_UP:
            samples.append(elapsed)
    return samples


def _statements(app: Flask, url: str) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        app.test_client().get(url).get_data()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)
