"""Acting in the demo LMS's iframe only once it has settled."""

from __future__ import annotations

import time

from playwright.sync_api import Error as PlaywrightError


def fitted(page, frame, timeout: float = 15.0) -> None:
    """Wait until the demo LMS has fitted its iframe to the page the tool loaded
    (lti.frameResize, lti_app/static/frame.js): a click while the frame still grows
    lands beside its target (the outer page's layout moves the frame), and the form
    is never sent. frame.js reports changes of 4 px or more, so the frame is fitted
    when it is within 4 px of the page (the page's height read again each time: it
    may still grow)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            frame.wait_for_load_state()
            height = frame.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        except PlaywrightError as exc:  # the frame went on to another page meanwhile
            if "context was destroyed" not in str(exc) or time.monotonic() > deadline:
                raise
            continue
        if page.evaluate(_FRAME_FITS, height):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the LMS never fitted its frame to {height} px")
        time.sleep(0.05)


_FRAME_FITS = """h => { const f = document.querySelector("iframe[name=tool]");
    return !!f && Math.abs(parseFloat(f.style.height) - Math.max(400, Math.min(h, 5000))) < 4; }"""


def navigate(page, frame, selector: str) -> None:
    """Click what loads another page in the frame (a link, a form's button), on a
    settled frame, and wait until the new page has settled too."""
    frame.wait_for_selector(selector)  # the page that has it (a launch may pass another)
    # A trainer's first dashboard reloads itself once its roster refresh is done
    # (#roster-refreshing, its own script): a click before that races the reload
    # (ERR_ABORTED, seen in CI). Only the reloaded page is settled.
    frame.wait_for_selector("#roster-refreshing", state="detached", timeout=15000)
    fitted(page, frame)
    with frame.expect_navigation():
        frame.click(selector)
    fitted(page, frame)
