"""The dashboard in pages of 50: row counts, page links that keep the choices,
the whole list on demand, hand-edited query strings, exports never paged; and
the SQL that filters and sorts agrees with the course rules."""

from __future__ import annotations

import csv
import html as html_text
import io
import re
from urllib.parse import quote

import pytest

from lti_app.completion import course_status
from lti_app.learning.models import ModuleProgress
from lti_app.shadowing.models import CONFIRMED, ShadowDay
from lti_app.testing import (
    library_basics,
    make_learner,
    make_progress,
    make_shadow_day,
    seed_every_stage,
    seed_learners,
)
from lti_app.trainer.learners import every_row, learner_page
from lti_app.trainer.table import TableQuery
from sqlalchemy import func, select

from lti_app.extensions import db
from tests.trainer.test_dashboard import _names, _text

LEARNERS = 120  # three pages: 50, 50, 20


@pytest.fixture
def cohort(trainer, seed):
    seed(trainer.context_id, lambda c: seed_learners(c, library_basics(), LEARNERS))
    return trainer


def _page(client, trainer, **params) -> str:
    response = client.get(trainer.url("/trainer/", **params))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _status(html: str) -> str:
    return _text(re.search(r'<p class="paging-status">.*?</p>', html, re.S).group(0))


def _links(html: str) -> list[str]:
    nav = re.search(r'<nav class="stages paging" id="paging-top".*?</nav>', html, re.S)
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', nav.group(0))]


def test_pages_of_fifty_with_row_counts(client, cohort):
    everyone = _names(_page(client, cohort, all="1"))
    assert len(everyone) == LEARNERS
    # Sorted by family name without "van": Test0000, Test0001, ...
    assert everyone == sorted(everyone, key=lambda name: name.split()[-1])

    first = _page(client, cohort)
    assert _names(first) == everyone[:50]
    assert _status(first) == f"Rows 1–50 of {LEARNERS}"
    assert f"Learners of Library Basics: {LEARNERS} of {LEARNERS} shown" in first

    second = _page(client, cohort, page="2")
    assert _names(second) == everyone[50:100]
    assert _status(second) == f"Rows 51–100 of {LEARNERS}"
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2</a>' in second

    last = _page(client, cohort, page="3")
    assert _names(last) == everyone[100:]
    assert _status(last) == f"Rows 101–{LEARNERS} of {LEARNERS}"
    assert "Next</a>" not in last and "Previous</a>" in last


def test_page_links_keep_the_filter_search_and_order(client, cohort):
    html = _page(client, cohort, filter="complete", q="learner", sort="activity")
    links = _links(html)
    page_two = [link for link in links if "page=2" in link]
    assert page_two, links
    for wanted in ("filter=complete", "q=learner", "sort=activity", "order=desc", "ltik="):
        assert wanted in page_two[0]
    # Complete: the complete, certified and revoked learners, half of them.
    matching = LEARNERS // 2
    assert _status(html) == f"Rows 1–50 of {matching}"
    following = client.get(page_two[0]).get_data(as_text=True)
    assert _status(following) == f"Rows 51–{matching} of {matching}"
    assert 'aria-sort="descending"' in following
    # A new filter starts again on the first page, keeping the order.
    second = _page(client, cohort, sort="name", page="2")
    stage_link = re.search(r'href="([^"]*filter=waiting[^"]*)"', second).group(1)
    assert "page=" not in stage_link and "sort=name" in stage_link


def test_the_whole_list_on_demand_and_back(client, cohort):
    html = _page(client, cohort, page="2")
    show_all = [link for link in _links(html) if "all=1" in link]
    assert len(show_all) == 1 and "page=" not in show_all[0]
    whole = client.get(show_all[0]).get_data(as_text=True)
    assert len(_names(whole)) == LEARNERS
    assert _status(whole) == f"Rows 1–{LEARNERS} of {LEARNERS}"
    # The search form keeps the whole list; the way back is a link.
    assert '<input type="hidden" name="all" value="1">' in whole
    assert "Show 50 per page</a>" in whole


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-3"},
        {"page": "0"},
        {"page": "1e9"},
        {"page": "99999999999999999999"},
        {"sort": "evil", "order": "sideways"},
        {"filter": "x", "all": "yes"},
        {"q": quote("%_\\")},
    ],
)
def test_bad_query_values_fall_back_to_defaults(client, cohort, params):
    html = _page(client, cohort, **params)
    if "q" in params:  # LIKE's wildcards are searched as the characters they are
        assert _names(html) == [] and "No learners match." in html
        return
    if params.get("page") == "99999999999999999999":
        # A page past the last shows the last one.
        assert _status(html) == f"Rows 101–{LEARNERS} of {LEARNERS}"
        return
    assert _names(html) == _names(_page(client, cohort))


def test_exports_are_never_paged(client, cohort):
    response = client.get(cohort.url("/trainer/export.csv", page="2", sort="name"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + LEARNERS
    html = _page(client, cohort, page="2")
    export = re.search(r'href="(/trainer/export.csv[^"]+)"', html).group(1)
    assert "page=" not in export


def test_sql_stages_agree_with_the_course_rules(app, trainer, seed):
    """The filters run in SQL; the status on each row comes from completion.
    For every learner of a mixed course, both say the same."""
    course = library_basics()

    def build(context):
        seed_every_stage(context, course)
        seed_learners(context, course, 24)
        # More confirmed days than asked and progress on a module that is not
        # published: neither may count more than the course asks.
        extra = make_learner(context=context, given_name="Extra", family_name="Dagen")
        make_progress(enrollment=extra, module_slug="not-a-published-module",
                      course_slug=course.slug, is_passed=True)
        for _n in range(course.shadow_days_required + 2):
            make_shadow_day(enrollment=extra, status="confirmed")

    seed(trainer.context_id, build)
    with app.app_context(), app.test_request_context():
        rows = list(every_row(course, trainer.context_id))
        assert len(rows) == 6 + 24 + 1
        for row in rows:
            progress = {
                p.module_slug: p
                for p in db.session.scalars(
                    select(ModuleProgress).where(
                        ModuleProgress.enrollment_id == row.enrollment_id,
                        ModuleProgress.course_slug == course.slug,
                    )
                )
            }
            days = db.session.scalar(
                select(func.count(func.distinct(ShadowDay.day))).where(
                    ShadowDay.person_id == row.person_id, ShadowDay.status == CONFIRMED
                )
            )
            assert row.status == course_status(course, progress, days), row.name
        for stage in ("not_started", "in_progress", "waiting", "complete", "certified"):
            page = learner_page(course, trainer.context_id, TableQuery(filter=stage),
                                size=1000)
            in_sql = {row.enrollment_id for row in page.rows}
            in_python = {
                row.enrollment_id for row in rows if getattr(row, f"is_{stage}")
            }
            assert in_sql == in_python, stage
            assert page.counts.stages[stage] == len(in_python)


def test_family_name_prefixes_sort_dutch_style(client, trainer, seed):
    def build(context):
        for given, family in [
            ("Anna", "van der Berg"),
            ("Bram", "'t Hart"),
            ("Cor", "de Vries"),
            ("Dirk", "Zijlstra"),
            ("Eva", "El Amrani"),
            ("Fleur", "van de ter Aa"),
        ]:
            make_learner(context=context, given_name=given, family_name=family)

    seed(trainer.context_id, build)
    names = [html_text.unescape(name) for name in _names(_page(client, trainer))]
    assert names == [
        "Fleur van de ter Aa",
        "Anna van der Berg",
        "Eva El Amrani",
        "Bram 't Hart",
        "Cor de Vries",
        "Dirk Zijlstra",
    ]
