"""A learner goes through a module and its quiz with the keyboard only (Tab,
Space, Enter, arrows), inside the LMS frame; and axe checks the pages this adds
(the refused quiz, the review, the phone menu)."""

from __future__ import annotations

from course_content.loader import load_catalog
from tests.browser.helpers import fitted, navigate
from tests.browser.test_accessibility import _violations  # skips without axe-core

MODULE = load_catalog().courses["library-basics"].published_modules[0]


def _launch(browser, live_server, person="anna"):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server['lms']}/dev/")
    page.click(f"a.launch[data-person={person}][data-link=library-basics]")
    frame = page.frame(name="tool")
    frame.wait_for_selector("main h1", timeout=15000)
    return context, page, frame


def _active(frame) -> dict:
    return frame.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, id: e.id, type: e.type || '', name: e.name || '',
                value: e.value || '', text: (e.innerText || '').trim()}; }""")


def _tab_to(page, frame, matches, limit=200):
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = _active(frame)
        if matches(active):
            return active
    raise AssertionError("never reached by Tab")


def test_a_module_and_its_quiz_with_the_keyboard_only(browser, live_server):
    context, page, frame = _launch(browser, live_server)
    try:
        frame.locator("main").focus()
        _tab_to(page, frame, lambda a: a["tag"] == "A" and a["text"].startswith("Ga verder met"))
        page.keyboard.press("Enter")
        frame.wait_for_selector("#quiz")
        assert "Module 1 " in frame.inner_text(".module-nav")  # "Module 1 of 15"

        # Mark as read: the confirmation is where the learner is, and focused.
        _tab_to(page, frame, lambda a: a["tag"] == "BUTTON" and a["text"] == "Markeer als gelezen")
        page.keyboard.press("Space")
        frame.wait_for_selector("#read .flash")
        assert _active(frame)["id"] == "read"

        # Sending the quiz with nothing answered: the warning, focused; nothing sent.
        _tab_to(page, frame, lambda a: a["tag"] == "BUTTON" and a["text"] == "Controleer mijn antwoorden")
        page.keyboard.press("Enter")
        frame.wait_for_selector("#quiz-missing:not([hidden])")
        assert _active(frame)["id"] == "quiz-missing"
        assert "/attempts/" not in frame.url

        # Every question answered right, from the keyboard.
        frame.locator("#quiz-title").evaluate("e => { e.tabIndex = -1; e.focus(); }")
        for question in MODULE.quiz.questions:
            active = _tab_to(page, frame, lambda a: a["name"] == f"q-{question.id}")
            if question.is_numeric:
                page.keyboard.type(str(question.answer).replace(".", ","))
            elif question.multiple:
                for option in question.options:  # each checkbox is a tab stop
                    if active["value"] != option.id:
                        active = _tab_to(page, frame, lambda a: a["value"] == option.id, limit=3)
                    if option.id in question.correct:
                        page.keyboard.press("Space")
            else:  # a radio group is one tab stop; the arrows choose
                ids = [o.id for o in question.options]
                page.keyboard.press("Space")
                for _ in range(ids.index(next(iter(question.correct)))):
                    page.keyboard.press("ArrowDown")
        _tab_to(page, frame, lambda a: a["tag"] == "BUTTON" and a["text"] == "Controleer mijn antwoorden")
        page.keyboard.press("Enter")
        frame.wait_for_selector(".result")
        total = len(MODULE.quiz.questions)
        assert f"{total} van {total}" in frame.inner_text(".result")
        assert "Gehaald" in frame.inner_text(".result")
        _tab_to(page, frame, lambda a: a["tag"] == "A" and a["text"] == "Volgende module")
        page.keyboard.press("Enter")
        frame.wait_for_function("() => document.querySelector('.module-nav')"
                                " && document.querySelector('.module-nav').innerText.includes('Module 2 ')")
    finally:
        context.close()


def _send_past_the_script(page, frame) -> None:
    """The quiz sent without module.js's check; the server's refusal, settled.
    The warning is also on the page being left: without waiting for the new
    page, the answers that follow could go into the old one. Checks land on
    their box only in the fitted frame."""
    with frame.expect_navigation():
        frame.evaluate("() => document.querySelector('form.quiz-form').submit()")
    frame.wait_for_selector("#quiz-missing:not([hidden])")
    fitted(page, frame)


def test_new_learner_pages_meet_wcag_aa(browser, live_server):
    context, page, frame = _launch(browser, live_server)
    try:
        navigate(page, frame, f"a[href*='/modules/{MODULE.slug}']")
        frame.wait_for_selector("#quiz")
        _send_past_the_script(page, frame)
        assert _violations(frame) == []  # the refused quiz, open questions marked
        frame.locator(".question").first.locator("input").first.check()
        _send_past_the_script(page, frame)
        for group in frame.locator(".question").all():
            first = group.locator("input").first
            if first.get_attribute("type") == "text":
                first.fill("1")
            elif not group.locator("input:checked").count():
                first.check()
        navigate(page, frame, "form.quiz-form > button")
        frame.wait_for_selector(".result")
        assert _violations(frame) == []  # the review, right answers held back
    finally:
        context.close()
    # Launched at a desktop size: on a phone-sized LMS page the frame lies below
    # the fold, a frame of another site that Chromium may throttle (the
    # launch once timed out in CI). The phone check is on the tool's own tab.
    context, page, frame = _launch(browser, live_server)
    try:
        tool = context.new_page()
        tool.set_viewport_size({"width": 375, "height": 800})
        tool.goto(frame.url)
        header = tool.locator(".topbar").bounding_box()
        assert header["height"] <= 60
        tool.click(".menu-toggle")
        assert tool.locator(".topbar nav").is_visible()
        assert _violations(tool) == []  # the phone menu, open
    finally:
        context.close()
