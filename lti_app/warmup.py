"""A worker's one-time work, done before it takes its first request.

Measured (issue 19, one worker, a quiet machine): a cold worker spent ~0.6 s
of its first launch reading the content catalogue, and ~50-100 ms more on each
of its first module page, quiz submit and quiz result (templates compiled,
Markdown rendered, translations loaded). After a deploy, that lands exactly
when the first learners queue.
`warm(app)` does it once per worker (gunicorn's post_worker_init, see
lti_app/gunicorn_conf.py); the requests then find the caches filled.

It needs no request and no launch, writes nothing to the database, and does
not import the PDF libraries (WeasyPrint, pyHanko, pypdf: ~100 MB a worker,
imported only where certificates are made or checked). It is not called by
create_app: tests and the `flask` CLI build apps often and need none of it.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from types import SimpleNamespace

from babel import Locale, dates
from flask import Flask, g
from flask_babel import force_locale, get_translations
from sqlalchemy.orm import configure_mappers

from course_content.markdown import render_markdown
from course_content.models import Catalog, Course, CourseModule

from .forms import wtforms_translations
from .i18n import LANGUAGES
from .launch_scope import catalog
from .learning.module_list import module_list
from .learning.page_parts import module_page_parts, quiz_feedback
from .templating import FORMAT_LOCALES, main_nav

# The learners' pages, the launch's and the error pages, with the shared ones
# (no folder). Not the trainers', shadowing or certificate pages: ~250 ms and
# ~2.5 MB more per worker for pages a few people open, compiled when they do.
TEMPLATE_PREFIXES = ("learning/", "lti/", "errors/")
# Modules the request path imports inside functions, on first use.
LAZY_IMPORTS = ("netrc", "encodings.unicode_escape")
REDIS_IMPORTS = ("redis", "rq")  # only when the app queues jobs or stores on Redis


def warm(app: Flask) -> dict[str, float]:
    """Fill this process's caches for `app`; the ms each step took, by name."""
    steps: dict[str, float] = {}

    def timed(name: str, work: Callable[[], object]) -> None:
        start = time.perf_counter()
        work()
        steps[name] = round((time.perf_counter() - start) * 1000, 1)

    with app.app_context():
        timed("catalogue", catalog)
        content = catalog()
    timed("imports", lambda: _import_lazy_modules(app))
    timed("translations", lambda: _load_translations(app))
    timed("templates", lambda: _compile_templates(app))
    timed("markdown", lambda: _render_markdown(content))
    timed("module parts", lambda: _render_module_parts(app, content))
    return steps


def _import_lazy_modules(app: Flask) -> None:
    names = list(LAZY_IMPORTS)
    if app.config.get("JOBS_REDIS_URL") or app.config.get("REDIS_URL"):
        names += REDIS_IMPORTS
    for name in names:
        importlib.import_module(name)
    configure_mappers()  # else the first query of the first request does it (~25 ms)


def _load_translations(app: Flask) -> None:
    """Both languages' catalogues: pages, WTForms' messages, Babel's locale data."""
    with app.test_request_context("/"):
        for language in LANGUAGES:
            with force_locale(language):
                get_translations()
            wtforms_translations(language)
            locale = Locale.parse(FORMAT_LOCALES[language])
            moment = datetime.now(timezone.utc)
            dates.format_datetime(moment, "medium", locale=locale)
            dates.format_date(date.today(), "medium", locale=locale)


def _compile_templates(app: Flask) -> None:
    env = app.jinja_env
    for name in env.list_templates():
        if "/" not in name or name.startswith(TEMPLATE_PREFIXES):
            env.get_template(name)  # compiled once, kept in env.cache


def _render_markdown(content: Catalog) -> None:
    """Every text a module page renders as Markdown, in both languages."""
    for text in _markdown_texts(content):
        render_markdown(text)


def _markdown_texts(content: Catalog) -> Iterator[str]:
    for module in _published_modules(content):
        texts = [module.body]
        if module.scenario:
            for node in module.scenario.nodes.values():
                texts += [node.text, node.debrief]
        for text in texts:
            if text is not None:
                yield from (text.get(language) for language in LANGUAGES)


def _published_modules(content: Catalog) -> Iterator[CourseModule]:
    for course in content.courses.values():
        yield from course.published_modules


def _render_module_parts(app: Flask, content: Catalog) -> None:
    """The parts of the learners' pages that every learner sees alike
    (lti_app/page_cache.py): each module page's, each course's module list,
    the learners' menu; in both languages."""
    learner = SimpleNamespace(is_trainer=False)
    for language in LANGUAGES:
        # A request context only for url_for and the language: without an ltik
        # no launch session is opened, and no launch is read (g.launch).
        with app.test_request_context("/course"), force_locale(language):
            g.ltik = "warm-up"  # parts are cached for launched pages only
            g.launch = None
            main_nav(learner)
            for course in content.courses.values():
                module_list(course, {}, None)
                for module in course.published_modules:
                    _module_parts(course, module)


def _module_parts(course: Course, module: CourseModule) -> None:
    """As the module page asks for them (learning/page_parts.module_page_parts),
    and the feedback of a pass with every answer right, the result page most of
    a class sees first."""
    module_page_parts(course, module, submission_id="warm-up", reflections={})
    if module.quiz:
        right = {q.id: q.right_answer() for q in module.quiz.questions}
        quiz_feedback(module, right, reveal=True)
