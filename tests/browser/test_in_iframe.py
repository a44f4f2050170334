"""In a real browser, inside an LMS iframe on another site, with and without cookies."""

from __future__ import annotations

from datetime import date, timedelta

from course_content.loader import load_catalog
from tests.issuing.helpers import complete_course
from tests.browser.helpers import navigate


def _launch(page, person: str):
    page.click(f"a.launch[data-person={person}][data-link=library-basics]")
    frame = page.frame(name="tool")
    frame.wait_for_selector("main h1", timeout=15000)
    return frame


def test_learner_passes_a_quiz_and_downloads_the_certificate(lms_page, live_server):
    page = lms_page
    frame = _launch(page, "anna")
    assert frame.url.startswith(live_server["tool"])  # the tool runs on another site
    module = load_catalog().courses["library-basics"].published_modules[0]
    navigate(page, frame, f"a[href*='/modules/{module.slug}']")
    frame.wait_for_selector("#quiz")
    for question in module.quiz.questions:  # every question answered (or none is sent)
        if question.is_numeric:
            frame.fill(f"#q-{question.id}", str(question.answer).replace(".", ","))
        for option in question.correct:
            frame.check(f"#q-{question.id}-{option}")
    navigate(page, frame, "#quiz button")
    assert "Gehaald" in frame.inner_text("main")

    complete_course(live_server["app"], "demo-anna")
    navigate(page, frame, "nav >> text=Certificaat")
    frame.fill("#learner_name", "Anna de Vries")
    navigate(page, frame, "text=Mijn certificaat ophalen")
    with page.expect_download() as download:
        frame.click("a[download] >> nth=0")
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_trainer_confirms_a_shadowing_day(lms_page, live_server):
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.people.models import Enrollment, Person
    from lti_app.shadowing.models import ShadowDay

    page = lms_page
    _launch(page, "anna")  # Anna exists in the course
    app = live_server["app"]
    with app.app_context():
        anna = db.session.scalars(select(Person).where(Person.sub == "demo-anna")).one()
        # Logged in the course Carla trains: only its trainers decide it.
        course = db.session.scalars(select(Enrollment.context_id)
                                    .where(Enrollment.person_id == anna.id)).one()
        day = ShadowDay(person_id=anna.id, context_id=course,
                        day=date.today() - timedelta(days=2),
                        host_library_id="leiden", host_library_name="Universitaire Bibliotheken Leiden",
                        host_key="leiden", status="submitted", reflection="Goed bezoek")
        db.session.add(day)
        db.session.commit()
        day_id = day.id
    page.goto(page.url)  # back to the LMS page, as Carla now
    frame = _launch(page, "carla")
    navigate(page, frame, "nav >> text=Meeloopdagen")
    navigate(page, frame, f"a[href*='/trainer/shadowing/{day_id}']")
    frame.check("input[value=confirm]")
    navigate(page, frame, "text=Besluit opslaan")
    assert "Besluit opgeslagen" in frame.inner_text("main")
    with app.app_context():
        assert db.session.get(ShadowDay, day_id).status == "confirmed"


def test_the_tool_page_may_only_be_framed_by_registered_platforms(lms_page, live_server):
    frame = _launch(lms_page, "bram")
    response = lms_page.request.get(frame.url)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and live_server["lms"] in policy
    assert "*" not in policy and "x-frame-options" not in response.headers


def test_moodle_launch_ends_in_the_tool_with_and_without_cookies(lms_page, live_server, request):
    """Moodle offers no platform storage and accepts its message hint once: without
    the tool's cookie the frame asks who you are, and Continue lands in the tool,
    in the frame, with no second login at the LMS."""
    page = lms_page
    page.goto(f"{live_server['lms']}/dev/?profile=moodle")
    page.click("a.launch[data-person=anna][data-link=library-basics]")
    frame = page.frame(name="tool")
    frame.wait_for_selector("main h1", timeout=15000)
    if "no-third-party-cookies" in request.node.callspec.id:
        assert "Anna de Vries" in frame.inner_text("main")
        assert frame.locator("input[name=held_id]").count() == 1
        with frame.expect_navigation():
            frame.click("button[value=continue]")
        frame.wait_for_selector("main h1", timeout=15000)
    assert frame.url.startswith(live_server["tool"])
    assert "ltik=" in frame.url and "held_id" not in frame.content()
    assert "Invalid request" not in frame.inner_text("body")
