"""In the LMS frame: the learner copies the verification link with the Copy
button (Clipboard API, "copied" shown); a verifier uploads the PDF to /verify.
With SHARE_SHOT=/path/shot.png the pages are photographed (the sharing block,
the upload's result and the verify page) for a review."""

from __future__ import annotations

import os

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from lti_app.people.models import Person
from tests.browser.helpers import navigate
from tests.issuing.helpers import complete_course

SHOT = os.environ.get("SHARE_SHOT")  # unset: no pictures


def _learner_with_certificate(browser, live_server, app):
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="en-GB",
                                  extra_http_headers={"Accept-Language": "en"})
    # The frame's permission is delegated by the LMS page (allow="clipboard-write").
    for origin in (live_server["lms"], live_server["tool"]):
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    page.goto(f"{live_server['lms']}/dev/")
    page.click("a.launch[data-person=bram][data-link=library-basics]")  # Bram: English
    frame = page.frame(name="tool")
    frame.wait_for_selector("main h1", timeout=15000)
    with app.app_context():
        sub = db.session.scalars(select(Person.sub).where(
            Person.name == "Bram Jansen")).one()
        db.session.remove()
    complete_course(app, sub)
    ltik = frame.url.split("ltik=")[1].split("&")[0]
    frame.goto(f"{live_server['tool']}/certificate?ltik={ltik}")
    # On the fitted frame only: a click while the LMS still grows it misses the button.
    navigate(page, frame, "main form button:not([name=preview])")
    frame.wait_for_selector("#sharing-heading")
    return context, page, frame


def test_copy_the_verification_link_and_upload_the_pdf(browser, live_server, app):
    context, page, frame = _learner_with_certificate(browser, live_server, app)
    try:
        link = frame.input_value("#verify-link")
        assert "/verify/" in link
        frame.locator("#sharing-heading").scroll_into_view_if_needed()
        if SHOT:
            page.screenshot(path=SHOT, full_page=True)

        frame.click("#copy-verify-link")
        frame.wait_for_selector("#verify-link-copied:not(:empty)")
        assert frame.inner_text("#verify-link-copied") == "Link copied."
        assert page.evaluate("navigator.clipboard.readText()") == link  # the LMS page reads it

        # A verifier, outside the LMS, uploads the PDF that was issued.
        with app.app_context():
            pdf = db.session.scalars(select(Certificate)).one().pdfs[0].pdf
            db.session.remove()
        verifier = context.new_page()
        verifier.goto(f"{live_server['tool']}/verify")
        verifier.set_input_files("#document", files=[{
            "name": "certificate.pdf", "mimeType": "application/pdf", "buffer": pdf}])
        verifier.click("#upload-form button")
        verifier.wait_for_selector("#upload-result")
        assert "This PDF is the document that was issued, unchanged." in verifier.inner_text(
            "#upload-result")
        if SHOT:
            verifier.screenshot(path=SHOT.replace(".png", "-upload.png"), full_page=True)
        verifier.click("#upload-result a")
        verifier.wait_for_selector("text=The PDF as issued")
        if SHOT:
            verifier.screenshot(path=SHOT.replace(".png", "-verify.png"), full_page=True)
    finally:
        context.close()
