"""The trainer's dashboard in pages, inside the LMS iframe: page links, a stage
filter and the whole list are plain links that keep each other's choices."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_app.demo_lms import demo_data
from lti_app.extensions import db
from lti_app.people.models import Context
from lti_app.testing import library_basics, seed_learners
from tests.browser.helpers import navigate


ROWS = r"(?:Rijen|Rows) %d–%d (?:van|of) \d+"


def _names(frame) -> list[str]:
    return frame.locator("table.dashboard tbody th[scope=row] a").all_inner_texts()


def _status(frame) -> str:
    return frame.locator("#paging-top .paging-status").inner_text()


def test_trainer_pages_filters_and_shows_the_whole_list(lms_page, live_server):
    page = lms_page
    page.click("a.launch[data-person=carla][data-link=library-basics]")
    frame = page.frame(name="tool")
    frame.wait_for_selector("main h1", timeout=15000)
    with live_server["app"].app_context():
        context = db.session.scalar(
            select(Context).where(Context.lms_context_id == demo_data.CONTEXT_ID)
        )
        seed_learners(context, library_basics(), 120)
        db.session.commit()
    navigate(page, frame, "nav.stages a[aria-current=page]")  # "All learners": the page again
    frame.wait_for_selector("#paging-top a[rel=next]")
    # (Dutch once the coordinator merges the new strings; English until then.)
    assert re.fullmatch(ROWS % (1, 50), _status(frame)), _status(frame)
    first = _names(frame)
    assert len(first) == 50

    navigate(page, frame, "#paging-top a[rel=next]")
    frame.wait_for_url(re.compile(r"page=2"))
    assert re.fullmatch(ROWS % (51, 100), _status(frame)), _status(frame)
    assert not set(_names(frame)) & set(first)

    # A stage filter starts on its first page; its page links keep it.
    navigate(page, frame, "nav.stages a[href*='filter=complete']")
    frame.wait_for_url(re.compile(r"filter=complete"))
    assert "page=" not in frame.url
    assert re.fullmatch(ROWS % (1, 50), _status(frame)), _status(frame)
    navigate(page, frame, "#paging-top a[rel=next]")
    frame.wait_for_url(re.compile(r"filter=complete.*page=2|page=2.*filter=complete"))

    navigate(page, frame, "#paging-top a[href*='all=1']")
    frame.wait_for_url(re.compile(r"all=1"))
    total = int(_status(frame).rsplit(" ", 1)[-1].replace(".", "").replace(",", ""))
    assert len(_names(frame)) == total > 50 and "filter=complete" in frame.url
