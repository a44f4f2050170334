"""Kennisdeling in a real Moodle 4.5, through Moodle's own pages in Chromium.

Each test makes its own Moodle course, people and activities (Moodle's PHP
API, e2e/moodle/php/fixtures.php) and reads what Moodle stored in its own
database. The tool is registered once per session (conftest.registration).
"""

from __future__ import annotations

import itertools
import time

from sqlalchemy import select

from course_content.loader import load_catalog
from e2e.moodle.site import wait_for

EMBED = 2  # Moodle's launchcontainer: embedded in the course page
_ids = itertools.count(1)


# -- Moodle-side helpers -------------------------------------------------------------
def make_course(moodle, title: str) -> int:
    n = next(_ids)
    return moodle.fixture("course", fullname=f"{title} {n}", shortname=f"KD-E2E-{n}")["id"]


def make_person(moodle, course_id: int, first: str, last: str, role: str) -> dict:
    """A Moodle user enrolled in the course as `role` (student, editingteacher)."""
    username = f"{first.lower()}{next(_ids)}"
    password = f"Pass-{username}-1"
    user_id = moodle.fixture("user", username=username, password=password, firstname=first,
                             lastname=last, email=f"{username}@example.org")["id"]
    moodle.fixture("enrol", courseid=course_id, userid=user_id, role=role)
    return {"id": user_id, "username": username, "password": password,
            "name": f"{first} {last}"}


def add_activity(moodle, registration, course_id: int, name: str, *, course: str,
                 module: str | None = None) -> dict:
    """An External tool activity of the registered tool, embedded, graded out of 100."""
    custom = f"course={course}" + (f"\nmodule={module}" if module else "")
    return moodle.fixture("lti", courseid=course_id, name=name, typeid=registration.type_id,
                          launchcontainer=EMBED, custom=custom)


def grade_in_moodle(moodle, lti_id: int, user_id: int):
    """(finalgrade, grademax, timemodified) of the user in the activity's grade item."""
    rows = moodle.query(
        "SELECT g.finalgrade, i.grademax, g.timemodified FROM mdl_grade_items i "
        "JOIN mdl_grade_grades g ON g.itemid = i.id "
        "WHERE i.itemtype = 'mod' AND i.itemmodule = 'lti' AND i.iteminstance = %s "
        "AND g.userid = %s", (lti_id, user_id))
    return rows[0] if rows and rows[0][0] is not None else None


def grade_history(moodle, lti_id: int, user_id: int) -> int:
    """How many times Moodle stored a grade of the user in the activity (its history)."""
    return moodle.query(
        "SELECT count(*) FROM mdl_grade_items i JOIN mdl_grade_grades_history h "
        "ON h.itemid = i.id WHERE i.itemtype = 'mod' AND i.itemmodule = 'lti' "
        "AND i.iteminstance = %s AND h.userid = %s AND h.finalgrade IS NOT NULL",
        (lti_id, user_id))[0][0]


def open_activity(page, moodle, tool, cmid: int):
    """The activity's page in Moodle; the tool's page in Moodle's frame."""
    page.goto(moodle.url(f"/mod/lti/view.php?id={cmid}"))
    frame = page.frame_locator("#contentframe")
    frame.locator("main h1").wait_for()
    tool_frame = page.frame(url=lambda url: url.startswith(tool.base))
    assert tool_frame is not None, [f.url for f in page.frames]  # the tool, on its own site
    return frame


# -- the course content --------------------------------------------------------------
def library_basics():
    return load_catalog().courses["library-basics"]


def quiz_module():
    return next(m for m in library_basics().published_modules if m.quiz)


def pass_quiz(frame, module) -> None:
    """Answer every question right, from course_content/, and submit."""
    for question in module.quiz.questions:
        if getattr(question, "type", "choice") == "numeric":
            frame.locator(f"[name='q-{question.id}']").fill(str(question.answer))
            continue
        for option in question.correct:
            frame.locator(f"#q-{question.id}-{option}").check()
    frame.locator("#quiz button").click()


# -- the checks ----------------------------------------------------------------------
def test_dynamic_registration_gives_moodle_an_active_tool_with_its_services(
        moodle, tool, registration):
    config = dict(moodle.query(
        "SELECT name, value FROM mdl_lti_types_config WHERE typeid = %s",
        (registration.type_id,)))
    assert config["initiatelogin"] == tool.url("/lti/login")
    assert config["publickeyset"] == tool.url("/lti/jwks")
    assert config["ltiservice_gradesynchronization"] == "2"  # grade sync and columns
    assert config["ltiservice_memberships"] == "1"  # the roster
    assert config["contentitem"] == "1"  # deep linking
    from lti_app.extensions import db
    from lti_app.platforms.models import Platform

    with tool.app.app_context():
        platform = db.session.get(Platform, registration.platform_id)
        assert (platform.issuer, platform.client_id) == (moodle.wwwroot, registration.client_id)
        assert platform.auth_login_url == moodle.url("/mod/lti/auth.php")
        # Moodle's deployment id is its tool type's id.
        assert [d.deployment_id for d in platform.deployments] == [str(registration.type_id)]
        db.session.remove()
    assert "status=approved" in tool.cli("platform", "list")


def test_learner_launch_embedded_and_quiz_score_in_moodle_gradebook(
        moodle, tool, registration, browsing, timings):
    module = quiz_module()
    course_id = make_course(moodle, "Library Basics")
    learner = make_person(moodle, course_id, "Lotte", "Leerling", "student")
    activity = add_activity(moodle, registration, course_id, module.title.en,
                            course="library-basics", module=module.slug)

    page = browsing.as_user(learner["username"], learner["password"])
    started = time.monotonic()
    frame = open_activity(page, moodle, tool, activity["cmid"])
    launch_seconds = time.monotonic() - started
    timings["a learner's launch: view.php to the tool's page in the frame"] = launch_seconds
    assert module.title.en in frame.locator("main h1").inner_text()
    assert launch_seconds < 15, f"the launch took {launch_seconds:.1f} s"

    pass_quiz(frame, module)
    frame.locator("main").get_by_text("Passed. Well done!").first.wait_for()
    started = time.monotonic()
    final, maximum, _ = wait_for(
        lambda: grade_in_moodle(moodle, activity["instance"], learner["id"]),
        timeout=30, what="the quiz score in mdl_grade_grades")
    timings["the quiz score: result page to mdl_grade_grades"] = time.monotonic() - started
    assert float(final) == float(maximum) == 100.0

    # And where the learner sees it: Moodle's user report.
    page.goto(moodle.url(f"/grade/report/user/index.php?id={course_id}"))
    row = page.locator("tr", has=page.locator("th, td", has_text=module.title.en)).first
    assert "100.00" in row.inner_text()


def test_trainer_dashboard_shows_the_moodle_roster(moodle, tool, registration, browsing):
    course_id = make_course(moodle, "Library Basics")
    learners = [make_person(moodle, course_id, "Anouk", "Achterberg", "student"),
                make_person(moodle, course_id, "Bas", "Boekhout", "student")]
    trainer = make_person(moodle, course_id, "Carla", "Cursusleider", "editingteacher")
    activity = add_activity(moodle, registration, course_id, "Library Basics",
                            course="library-basics")

    # Neither learner ever opened the tool: their names come from Moodle's roster (NRPS).
    page = browsing.as_user(trainer["username"], trainer["password"])
    frame = open_activity(page, moodle, tool, activity["cmid"])
    for learner in learners:
        frame.locator("main").get_by_text(learner["name"]).first.wait_for(timeout=30_000)
    assert trainer["name"] not in frame.locator("table").first.inner_text()


def test_deep_linking_a_module_creates_a_graded_activity(
        moodle, tool, registration, browsing):
    module = quiz_module()
    course_id = make_course(moodle, "Library Basics")
    trainer = make_person(moodle, course_id, "Dirk", "Docent", "editingteacher")

    page = browsing.as_user(trainer["username"], trainer["password"])
    page.goto(moodle.url(f"/course/modedit.php?add=lti&typeid={registration.type_id}"
                         f"&course={course_id}&section=1&return=0"), wait_until="networkidle")
    page.locator("#id_selectcontent").click()  # "Select content": the deep linking launch
    chooser = page.frame_locator("iframe[name=contentitem-page-iframe]")
    chooser.locator(f"input[name=target][value='library-basics/{module.slug}']").check()
    chooser.locator("form button").click()
    # Moodle closes its dialog and fills the form from the tool's content item.
    name = page.locator("#id_name")
    wait_for(lambda: name.input_value(), timeout=20, what="the activity name from the tool")
    assert module.title.en in name.input_value()
    with page.expect_navigation():
        page.locator("#id_submitbutton2").click()  # "Save and return to course"

    rows = moodle.query(
        "SELECT l.id, l.name, l.instructorcustomparameters, i.grademax FROM mdl_lti l "
        "JOIN mdl_grade_items i ON i.iteminstance = l.id AND i.itemmodule = 'lti' "
        "WHERE l.course = %s", (course_id,))
    assert len(rows) == 1, rows
    lti_id, title, custom, grademax = rows[0]
    assert module.title.en in title and module.slug in custom
    assert float(grademax) == 100.0
    line_items = moodle.query(
        "SELECT ltilinkid, resourceid, tag FROM mdl_ltiservice_gradebookservices "
        "WHERE courseid = %s", (course_id,))
    assert line_items and line_items[0][0] == lti_id, line_items


def _learner_rows(tool, moodle_user_id: int):
    from lti_app.people.models import Enrollment, Person

    return select(Enrollment).join(Person).where(Person.sub == str(moodle_user_id))


def test_completed_reaches_moodle_after_the_last_day_is_confirmed(
        moodle, tool, registration, browsing):
    from lti_app.extensions import db
    from lti_app.learning.models import GradeDelivery, ModuleProgress
    from lti_app.testing.shadowing import make_shadow_day
    from lti_app.timeutil import utc_now

    course = library_basics()
    assert course.shadow_days_required >= 1
    course_id = make_course(moodle, "Library Basics")
    learner = make_person(moodle, course_id, "Eva", "Eindspurt", "student")
    trainer = make_person(moodle, course_id, "Frits", "Fluitsma", "editingteacher")
    activity = add_activity(moodle, registration, course_id, "Library Basics (course)",
                            course="library-basics")

    # The learner opens the course link: the tool knows her, her course and its column.
    learner_page = browsing.as_user(learner["username"], learner["password"])
    open_activity(learner_page, moodle, tool, activity["cmid"])
    last = [module for module in course.published_modules if module.quiz][-1]
    # Every module but that one passed, every day but one confirmed, one waiting.
    with tool.app.app_context():
        enrollment = db.session.scalars(_learner_rows(tool, learner["id"])).one()
        for module in course.published_modules:
            if module.slug == last.slug:
                continue
            db.session.add(ModuleProgress(
                enrollment_id=enrollment.id, course_slug=course.slug, module_slug=module.slug,
                attempts=1, best_percent=100, passed_at=utc_now(), read_at=utc_now(),
                passed_version=module.version))
        for _ in range(course.shadow_days_required - 1):
            make_shadow_day(enrollment=enrollment, status="confirmed")
        waiting = make_shadow_day(enrollment=enrollment, status="submitted")
        waiting_id = waiting.id
        db.session.commit()
        enrollment_id = enrollment.id
        db.session.remove()

    # She passes the last quiz: all modules passed, the course is not complete yet.
    learner_page.goto(moodle.url(f"/mod/lti/view.php?id={activity['cmid']}"))
    frame = learner_page.frame_locator("#contentframe")
    frame.locator(f"a[href*='/modules/{last.slug}']").first.click()
    pass_quiz(frame, last)
    frame.locator("main").get_by_text("Passed. Well done!").first.wait_for()
    # Her launches already sent her standing (14 of 15); the pass sends all modules.
    final, maximum, _ = wait_for(
        lambda: (lambda grade: grade if grade and float(grade[0]) == float(grade[1]) else None)(
            grade_in_moodle(moodle, activity["instance"], learner["id"])),
        timeout=30, what="the course link's score at the maximum in mdl_grade_grades")
    assert float(final) == float(maximum)  # all modules: the grade is already the maximum
    scores_before = grade_history(moodle, activity["instance"], learner["id"])

    # The trainer confirms the last day in the tool, inside Moodle.
    page = browsing.as_user(trainer["username"], trainer["password"])
    frame = open_activity(page, moodle, tool, activity["cmid"])
    frame.locator("nav a[href*='/trainer/shadowing']").first.click()
    frame.locator(f"a[href*='/trainer/shadowing/{waiting_id}']").click()
    frame.locator("input[value=confirm]").check()
    frame.locator("form button").last.click()
    frame.locator("main").get_by_text("Decision saved.").first.wait_for()

    # Moodle keeps only the grade (mod/lti/service/gradebookservices drops
    # activityProgress, and grade_update leaves an unchanged grade untouched: no
    # history row, no new timemodified), so the score at the maximum stays; the
    # one the tool sent after the confirmation says Completed, and Moodle took it.
    def completed_delivered():
        with tool.app.app_context():
            delivery = db.session.scalars(select(GradeDelivery).where(
                GradeDelivery.enrollment_id == enrollment_id)).one()
            done = (delivery.activity_progress, delivery.status, delivery.last_error) == (
                "Completed", "delivered", None)
            db.session.remove()
            return done

    wait_for(completed_delivered, timeout=30,
             what="Completed delivered to Moodle after the last day was confirmed")
    final, maximum, _ = grade_in_moodle(moodle, activity["instance"], learner["id"])
    assert float(final) == float(maximum)
    assert grade_history(moodle, activity["instance"], learner["id"]) >= scores_before


def test_launch_without_any_tool_cookie(moodle, tool, registration, browsing):
    """As in Safari: the frame keeps no cookie of the tool at all."""
    module = quiz_module()
    course_id = make_course(moodle, "Library Basics")
    learner = make_person(moodle, course_id, "Gijs", "Geenkoek", "student")
    activity = add_activity(moodle, registration, course_id, module.title.en,
                            course="library-basics", module=module.slug)

    page = browsing.as_user(learner["username"], learner["password"])
    context = page.context

    def without_tool_cookies(route):
        # The README's recipe: no cookie of the tool's site survives to the next request.
        context.clear_cookies(domain="127.0.0.1")
        route.continue_()

    context.route(f"{tool.base}/**", without_tool_cookies)
    first_request = len(tool.requests)
    page.goto(moodle.url(f"/mod/lti/view.php?id={activity['cmid']}"))
    frame = page.frame_locator("#contentframe")
    # No cookie proves this browser started the login: the tool asks first, in the
    # frame, naming who will be signed in (no second login round trip to Moodle).
    frame.get_by_text("Gijs Geenkoek").first.wait_for()
    frame.get_by_role("button", name="Continue").click()
    frame.locator("main h1", has_text=module.title.en).wait_for()
    pass_quiz(frame, module)  # and the page works on: forms, CSRF, the launch session
    frame.locator("main").get_by_text("Passed. Well done!").first.wait_for()
    # What the tool received from the browser in all that: not one cookie.
    from_browser = [r for r in tool.requests[first_request:] if r.from_browser]
    assert from_browser and not [r for r in from_browser if r.cookie_names], from_browser
    wait_for(lambda: grade_in_moodle(moodle, activity["instance"], learner["id"]),
             timeout=30, what="the quiz score in mdl_grade_grades")
