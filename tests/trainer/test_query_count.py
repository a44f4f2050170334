"""The dashboard, the insights and the overview cost a fixed number of SQL statements."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from sqlalchemy import event

from lti_app.extensions import db
from tests.fake_lms import ADMIN
from tests.trainer.conftest import launch_trainer
from lti_app.testing import library_basics, make_context, seed_learners
from tests.trainer.helpers import answer_quizzes


@contextlib.contextmanager
def counting(app) -> Iterator[list[str]]:
    statements: list[str] = []
    request_thread = threading.get_ident()

    def count(conn, cursor, statement, parameters, context, executemany):
        # Only the request's own statements: a trainer's launch starts a roster
        # job (and pages a grade sweep) on other threads of the same engine.
        if threading.get_ident() == request_thread:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _count(app, client, url: str) -> int:
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_dashboard_queries_do_not_grow_with_learners(app, client, trainer, seed):
    course = library_basics()
    seed(trainer.context_id, lambda c: seed_learners(c, course, 10))
    client.get(
        trainer.url("/trainer/")
    )  # warm: the launch's session, the tool's caches
    small = _count(app, client, trainer.url("/trainer/"))

    seed(trainer.context_id, lambda c: seed_learners(c, course, 990))
    html = client.get(trainer.url("/trainer/")).get_data(as_text=True)
    assert "1000 of 1000 shown" in html
    large = _count(app, client, trainer.url("/trainer/"))
    assert large == small
    # The launch's lookups, the roster state and job, the roles line, and the
    # learners: one statement for the counts, one for the page's rows.
    assert small <= 8, small
    # Filters, search, sorting, another page, the whole list and the exports
    # cost no more.
    for params in (
        {"filter": "waiting", "q": "learner", "sort": "activity"},
        {"page": "7", "sort": "progress"},
        {"all": "1"},
    ):
        assert _count(app, client, trainer.url("/trainer/", **params)) == small, params
    assert _count(app, client, trainer.url("/trainer/export.csv")) <= small
    assert _count(app, client, trainer.url("/trainer/export.xlsx")) <= small


def test_insights_queries_do_not_grow_with_learners(app, client, trainer, seed):
    course = library_basics()
    seed(trainer.context_id, lambda c: seed_learners(c, course, 10))
    seed(trainer.context_id, lambda c: answer_quizzes(c, course))
    client.get(trainer.url("/trainer/insights"))  # warm
    small = _count(app, client, trainer.url("/trainer/insights"))
    csv_small = _count(app, client, trainer.url("/trainer/insights.csv"))
    xlsx_small = _count(app, client, trainer.url("/trainer/export.xlsx"))

    seed(trainer.context_id, lambda c: seed_learners(c, course, 290))
    seed(trainer.context_id, lambda c: answer_quizzes(c, course))
    html = client.get(trainer.url("/trainer/insights")).get_data(as_text=True)
    assert "300 learners in this LMS course." in html
    assert _count(app, client, trainer.url("/trainer/insights")) == small
    assert _count(app, client, trainer.url("/trainer/insights.csv")) == csv_small
    assert _count(app, client, trainer.url("/trainer/export.xlsx")) == xlsx_small
    assert small <= 12, small


def test_admin_overview_queries_do_not_grow(app, client, lms, seed):
    admin = launch_trainer(app, client, lms, roles=ADMIN, sub="admin-1")
    course = library_basics()

    def other_course(context):
        return make_context(deployment=context.deployment, title="Another course")

    other = seed(admin.context_id, other_course)
    seed(admin.context_id, lambda c: seed_learners(c, course, 12))
    client.get(admin.url("/trainer/admin"))
    small = _count(app, client, admin.url("/trainer/admin"))
    seed(other, lambda c: seed_learners(c, course, 300))
    seed(admin.context_id, lambda c: seed_learners(c, course, 300))
    assert _count(app, client, admin.url("/trainer/admin")) == small
    assert small <= 12, small
