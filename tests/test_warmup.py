"""A warmed worker's first pages do no one-time work (issue 19).

`warm(app)` runs in each gunicorn worker before its first request
(lti_app/gunicorn_conf.py). Counted, never timed: after it, the first module
page, course overview and quiz result of a new app compile no template, render
no Markdown and no shared page part; without it they do (the counters work).
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask, template_rendered
from sqlalchemy import event

from course_content.markdown import render_markdown
from lti_app import gunicorn_conf, page_cache, warmup
from lti_app.extensions import db
from lti_app.warmup import warm
from tests.conftest import make_app
from tests.fake_lms import FakeLms
from tests.learning.helpers import first_module, launch_ltik, right_answers, submit_quiz
from tests.test_start_imports import heavy_modules_after


@pytest.fixture
def cold_process():
    """No Markdown rendered and no page part cached yet by this test process
    (both caches are per process, and other tests filled them)."""
    render_markdown.cache_clear()
    page_cache.clear()
    yield
    render_markdown.cache_clear()
    page_cache.clear()


@contextmanager
def page_work(app):
    """Templates compiled, templates rendered and Markdown texts rendered in the block."""
    work = SimpleNamespace(compiled=[], rendered=[], markdown=0)
    compile_template = app.jinja_env.compile

    def compiling(source, name=None, *args, **kwargs):
        work.compiled.append(name)
        return compile_template(source, name, *args, **kwargs)

    def rendered(_app, template, context, **_extra):
        work.rendered.append(template.name)

    app.jinja_env.compile = compiling
    template_rendered.connect(rendered, app)
    misses = render_markdown.cache_info().misses
    try:
        yield work
    finally:
        work.markdown = render_markdown.cache_info().misses - misses
        template_rendered.disconnect(rendered, app)
        del app.jinja_env.compile


def first_pages(app, *, warmed: bool) -> dict[str, SimpleNamespace]:
    """A new app (a new worker): launch, then each page for the first time."""
    if warmed:
        warm(app)
    client = app.test_client()
    module = first_module()
    with FakeLms.serving() as mock:
        ltik = launch_ltik(client, FakeLms(app, mock), locale="en",
                           sub="warmed" if warmed else "cold")
    work = {}

    def first(page: str, url: str) -> None:
        with page_work(app) as work[page]:
            response = client.get(url)
        assert response.status_code == 200
        work[page].html = response.get_data(as_text=True).replace(ltik, "LTIK")

    first("module page", f"/modules/{module.slug}?ltik={ltik}")
    first("overview", f"/course?ltik={ltik}")
    response, _data = submit_quiz(client, ltik, module, right_answers(module))
    assert response.status_code == 302
    first("quiz result", response.headers["Location"])
    return work


def _without_tokens(html: str) -> str:
    """A page without the values that differ per visit (form tokens, ids)."""
    html = re.sub(r'(name="(?:csrf_token|submission_id)"[^>]*value=")[^"]+', r"\1", html)
    html = re.sub(r'(id="(?:csrf_token|submission_id)"[^>]*value=")[^"]+', r"\1", html)
    return re.sub(r'content="[^"]*" name="csrf-token"|name="csrf-token" content="[^"]*"',
                  "", re.sub(r"/attempts/\d+", "/attempts/N", html))


def test_a_warmed_workers_first_pages_compile_and_render_nothing_twice(
        app, database_uri, tmp_path, cold_process):
    work = first_pages(make_app(database_uri, tmp_path / "warmed"), warmed=True)
    pages = {"module page": "learning/module.html", "overview": "learning/overview.html",
             "quiz result": "learning/quiz_result.html"}
    for page, template in pages.items():
        assert work[page].compiled == [], page
        assert work[page].markdown == 0, page
        # Only the page's own template: its menu and module parts come cached.
        assert work[page].rendered == [template], page


def test_a_cold_workers_first_pages_compile_and_render(app, database_uri, tmp_path,
                                                        cold_process):
    work = first_pages(make_app(database_uri, tmp_path / "cold"), warmed=False)
    assert "learning/module.html" in work["module page"].compiled
    assert "base.html" in work["module page"].compiled
    assert work["module page"].markdown >= 1  # the module's text
    assert "learning/_module_text.html" in work["module page"].rendered
    assert "learning/quiz_result.html" in work["quiz result"].compiled


def test_a_warmed_worker_shows_the_same_pages_as_a_cold_one(app, database_uri, tmp_path,
                                                             cold_process):
    cold = first_pages(make_app(database_uri, tmp_path / "cold"), warmed=False)
    page_cache.clear()
    warmed = first_pages(make_app(database_uri, tmp_path / "warmed"), warmed=True)
    for page in ("module page", "overview", "quiz result"):
        assert _without_tokens(warmed[page].html) == _without_tokens(cold[page].html), page


def test_warm_sends_nothing_to_the_database(app, database_uri, tmp_path):
    fresh = make_app(database_uri, tmp_path / "fresh")
    sent = []
    with fresh.app_context():
        engine = db.engine
    record = lambda _conn, _cursor, statement, *_args: sent.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        warm(fresh)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sent == []


def test_a_worker_warms_while_the_database_is_away(app, tmp_path):
    away = make_app(f"sqlite:///{tmp_path}/no-such-folder/tool.sqlite3", tmp_path / "away")
    steps = warm(away)
    assert {"catalogue", "templates", "markdown", "module parts"} <= set(steps)


def _worker(app) -> SimpleNamespace:
    return SimpleNamespace(wsgi=app, log=logging.getLogger("test.gunicorn"))


def test_the_hook_warms_the_tool_and_leaves_another_app_alone(app, monkeypatch):
    warmed = []
    monkeypatch.setattr(warmup, "warm", lambda wsgi: warmed.append(wsgi) or {"all": 1.0})
    bare = Flask("benchmarks.bare_page_app")
    gunicorn_conf.post_worker_init(_worker(bare))
    assert warmed == []
    gunicorn_conf.post_worker_init(_worker(app))
    assert warmed == [app]


def test_a_failed_warm_up_leaves_the_worker_serving_and_says_so(app, monkeypatch, caplog):
    def broken(_app):
        raise RuntimeError("content folder unreadable")

    monkeypatch.setattr(warmup, "warm", broken)
    with caplog.at_level(logging.ERROR, logger="test.gunicorn"):
        gunicorn_conf.post_worker_init(_worker(app))  # does not raise
    assert "warm-up failed" in caplog.text
    assert app.test_client().get("/healthz").status_code == 200


def test_warm_leaves_the_pdf_libraries_out_of_the_worker(tmp_path):
    """As tests/test_start_imports.py, after the warm-up too (< 150 MB a worker)."""
    assert heavy_modules_after(tmp_path, "from lti_app.warmup import warm; warm(app)") == []


def test_the_settings_log_the_readmes_access_format_without_queries():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"--access-logformat '{gunicorn_conf.access_log_format}'" in readme
    assert "%(U)s" in gunicorn_conf.access_log_format  # the path without its query
    for leaks in ("%(r)s", "%(q)s", "%(f)s", "{referer}i", "{raw_uri}"):
        assert leaks not in gunicorn_conf.access_log_format
