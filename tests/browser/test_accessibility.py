"""WCAG 2.1 A/AA checks with axe-core on the main pages, inside the LMS iframe.

axe-core comes from npm (`.ci/run` installs it; locally: `npm install --prefix
.ci/node axe-core@4`); without it these tests are skipped, except in CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.helpers import navigate

AXE = Path(os.environ.get("AXE_CORE_JS", Path(__file__).parents[2]
                          / ".ci/node/node_modules/axe-core/axe.min.js"))
if not AXE.exists():
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError(f"axe-core is missing at {AXE}")
    pytest.skip("axe-core is not installed", allow_module_level=True)

RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}


def _violations(frame) -> list:
    frame.evaluate(AXE.read_text())
    result = frame.evaluate("rules => axe.run(document, rules)", RULES)
    return [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in result["violations"]]


def _launch(page, person):
    page.click(f"a.launch[data-person={person}][data-link=library-basics]")
    frame = page.frame(name="tool")
    frame.wait_for_selector("main h1", timeout=15000)
    return frame


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server['lms']}/dev/")
    yield page
    context.close()


def test_learner_pages_meet_wcag_aa(page):
    frame = _launch(page, "anna")
    assert _violations(frame) == []  # course overview
    navigate(page, frame, "a[href*='/modules/library-landscape']")
    frame.wait_for_selector("#quiz")
    assert _violations(frame) == []  # module with its quiz
    navigate(page, frame, "nav >> text=Meeloopdagen")
    navigate(page, frame, "text=Meeloopdag toevoegen")
    frame.wait_for_selector("#day")
    assert _violations(frame) == []  # the shadowing form


def test_trainer_dashboard_meets_wcag_aa(page):
    frame = _launch(page, "carla")
    assert _violations(frame) == []


def test_trainer_insights_meets_wcag_aa(page):
    frame = _launch(page, "carla")
    navigate(page, frame, "nav a[href*='/trainer/insights']")
    frame.wait_for_selector("#stages-chart")
    assert _violations(frame) == []  # charts, their tables, the questions


def test_shadowing_pages_meet_wcag_aa(page, live_server):
    """The day's page with its refused request (ALACT steps marked), the
    worksheet, and the host's page after a wrong code."""
    from datetime import date, timedelta

    frame = _launch(page, "anna")
    navigate(page, frame, "nav >> text=Meeloopdagen")
    navigate(page, frame, "text=Meeloopdag toevoegen")
    frame.wait_for_selector("#day")
    navigate(page, frame, "main form button:not(.secondary)")  # empty: every required field marked
    frame.wait_for_selector("#error-summary")
    assert _violations(frame) == []
    frame.fill("#day", (date.today() - timedelta(days=1)).isoformat())
    frame.select_option("#host_library", "leiden")
    frame.locator("input[name=focus_questions]").first.check()
    navigate(page, frame, "main form button:not(.secondary)")
    frame.wait_for_selector("form[action*='/submit'] button")
    navigate(page, frame, "form[action*='/submit'] button")  # no reflection yet
    frame.wait_for_selector("#error-summary")
    assert _violations(frame) == []
    navigate(page, frame, "nav >> text=Meeloopdagen")
    navigate(page, frame, "main a[href*='/shadowing/worksheet']")
    frame.wait_for_selector("ol.worksheet")
    assert _violations(frame) == []
    host = page.context.new_page()
    host.goto(f"{live_server['tool']}/host/code")
    host.fill("#code", "AAAA-AAAA")
    host.click("main button")
    host.wait_for_selector(".field-error")
    assert _violations(host.main_frame) == []
