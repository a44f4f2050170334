"""Courses that teach by doing: numeric questions, module files, private
reflections, branching scenarios, one pass mark per course and the glossary.

These run on a small content folder of their own (the engine fixture), so they
test the engine whatever state the real courses are in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from course_content import loader
from course_content.loader import load_catalog
from lti_app.extensions import db
from lti_app.learning import grade_delivery
from lti_app.learning.models import GradeDelivery, ModuleProgress, ReflectionAnswer
from lti_app.learning.service import reflections_of
from tests.fake_lms import INSTRUCTOR
from tests.learning.helpers import form_tokens, launch_ltik, right_answers, submit_quiz

ENGINE = Path(__file__).resolve().parents[1] / "course_content" / "fixtures" / "engine"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
LINEITEM = "https://moodle.example.edu/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3"
SCORES = "https://moodle.example.edu/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"


@pytest.fixture(autouse=True)
def engine_content(monkeypatch):
    assert (ENGINE / "mini" / "course.yaml").is_file()
    monkeypatch.setattr(loader, "DEFAULT_ROOT", ENGINE)


def mini():
    return load_catalog(ENGINE).courses["mini"]


def learner(client, lms, sub="anna", locale="en", **kwargs):
    return launch_ltik(client, lms, sub=sub, locale=locale, custom={"course": "mini"},
                       resource_link_id=kwargs.pop("resource_link_id", "mini"), **kwargs)


def page(client, path, ltik):
    response = client.get(f"{path}?ltik={ltik}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# --- numeric questions -------------------------------------------------------


def test_numeric_question_is_an_input_with_its_unit(client, lms):
    ltik = learner(client, lms)
    html = page(client, "/modules/basics", ltik)
    assert re.search(r'<input type="text" inputmode="decimal" name="q-q3"', html)
    assert '<span class="unit">euros</span>' in html


@pytest.mark.parametrize(("typed", "locale", "is_right"), [
    ("12,5", "nl", True), ("12.5", "en", True), ("12,54", "en", True),
    ("12.56", "nl", False), ("twelve", "en", False),
])
def test_numeric_answer_scored_with_tolerance_and_comma(app, client, lms, typed, locale,
                                                        is_right):
    ltik = learner(client, lms, locale=locale)
    basics = mini().module("basics")
    answers = {**right_answers(basics), "q-q3": [typed]}
    response, _ = submit_quiz(client, ltik, basics, answers)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    expected = "5 of 5 right (100%)" if is_right else "4 of 5 right (80%)"
    if locale == "nl":
        expected = "5 van 5 goed (100%)" if is_right else "4 van 5 goed (80%)"
    assert expected in result or expected.replace("goed", "juist") in result, result[:2000]
    # The review shows what the learner typed and the right number, as their
    # language writes it.
    assert f'<span class="given">{typed}</span>' in result
    right = "12,5 euro" if locale == "nl" else "12.5 euros"
    assert right in result
    with app.app_context():
        progress = db.session.scalars(select(ModuleProgress)).one()
        assert progress.best_percent == (100 if is_right else 80)


# --- files of a module --------------------------------------------------------


def test_declared_resource_downloads_as_an_attachment(client, lms):
    ltik = learner(client, lms)
    html = page(client, "/modules/basics", ltik)
    assert f"/modules/basics/resources/usage.csv?ltik={ltik}" in html
    response = client.get(f"/modules/basics/resources/usage.csv?ltik={ltik}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "usage.csv" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_data() == (ENGINE / "mini" / "resources" / "usage.csv").read_bytes()
    response.close()


@pytest.mark.parametrize("path", [
    "/modules/basics/resources/course.yaml",          # a file of the course, not declared
    "/modules/basics/resources/..%2Fcourse.yaml",     # traversal, encoded
    "/modules/basics/resources/%2E%2E%2Fbasics.md",
    "/modules/basics/resources/..%5Cbasics.md",
    "/modules/basics/resources/../basics.md",
    "/modules/basics/resources//etc/passwd",
    "/modules/basics/resources/USAGE.CSV",             # names match exactly
    "/modules/basics/resources/usage.csv%00.txt",
    "/modules/sim/resources/usage.csv",                # declared by another module
    "/modules/nope/resources/usage.csv",
])
def test_anything_else_is_a_404(client, lms, path):
    ltik = learner(client, lms)
    response = client.get(f"{path}?ltik={ltik}")
    assert response.status_code == 404
    assert b"course:" not in response.get_data() and b"slug: basics" not in response.get_data()


def test_a_resource_needs_a_launch(client):
    assert client.get("/modules/basics/resources/usage.csv").status_code == 401


# --- reflections ----------------------------------------------------------------


def _save_reflections(client, ltik, module_slug, texts):
    html = page(client, f"/modules/{module_slug}", ltik)
    data = {"csrf_token": form_tokens(html)["csrf_token"], **texts}
    return client.post(f"/modules/{module_slug}/reflections?ltik={ltik}", data=data)


def test_reflections_are_saved_and_shown_again_after_a_reload(app, client, lms):
    ltik = learner(client, lms)
    html = page(client, "/modules/basics", ltik)
    assert 'name="r-own-library"' in html and "What does your library do?" in html
    response = _save_reflections(client, ltik, "basics", {
        "r-own-library": "We lend <b>books</b>.", "r-next-step": "Licences.",
        "r-unknown": "ignored",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#reflection")
    html = page(client, "/modules/basics", ltik)
    assert "We lend &lt;b&gt;books&lt;/b&gt;." in html and "Licences." in html
    with app.app_context():
        rows = db.session.scalars(select(ReflectionAnswer).order_by(ReflectionAnswer.id)).all()
        assert [(r.prompt_id, r.text) for r in rows] == [
            ("own-library", "We lend <b>books</b>."), ("next-step", "Licences.")]
    # Saving again with one emptied removes that one, and changes the other.
    _save_reflections(client, ltik, "basics", {"r-own-library": "", "r-next-step": "TDM."})
    with app.app_context():
        assert [(r.prompt_id, r.text) for r in db.session.scalars(select(ReflectionAnswer))] == [
            ("next-step", "TDM.")]


def test_the_module_page_shows_her_read_state_and_every_reflection_of_hers(client, lms):
    """The page reads the link, her progress and her reflections in one SELECT
    (one row per reflection): each must show once, with her read state."""
    ltik = learner(client, lms)
    _save_reflections(client, ltik, "basics", {"r-own-library": "Eerst.", "r-next-step": "Twee."})
    html = page(client, "/modules/basics", ltik)
    client.post(f"/modules/basics/read?ltik={ltik}",
                data={"csrf_token": form_tokens(html)["csrf_token"]})
    other = learner(client, lms, sub="someone-else")
    _save_reflections(client, other, "basics", {"r-own-library": "Van een ander."})

    html = page(client, "/modules/basics", ltik)
    assert "Read on" in html and "Mark as read" not in html
    assert html.count("Eerst.</textarea>") == 1 and html.count("Twee.</textarea>") == 1
    assert "Van een ander." not in html
    assert "Read on" not in page(client, "/modules/basics", other)


def test_reflections_need_the_csrf_token(client, lms):
    ltik = learner(client, lms)
    response = client.post(f"/modules/basics/reflections?ltik={ltik}",
                           data={"r-own-library": "x"})
    assert response.status_code == 400


def test_reflections_are_private(app, client, lms):
    anna = learner(client, lms, sub="anna")
    _save_reflections(client, anna, "basics", {"r-own-library": "Anna's own thoughts."})
    with app.app_context():
        answer_id = db.session.scalars(select(ReflectionAnswer.id)).one()
    assert "Anna&#39;s own thoughts." in page(client, f"/reflections/{answer_id}", anna)

    bram = learner(client, lms, sub="bram")
    assert "Anna" not in page(client, "/modules/basics", bram).split("Reflection", 1)[1]
    assert client.get(f"/reflections/{answer_id}?ltik={bram}").status_code == 404

    trainer_elsewhere = learner(client, lms, sub="carla", roles=INSTRUCTOR,
                                context_id="course-2", context_title="Other course",
                                resource_link_id="other-link")
    assert client.get(f"/reflections/{answer_id}?ltik={trainer_elsewhere}").status_code == 404
    trainer_here = learner(client, lms, sub="dirk", roles=INSTRUCTOR)
    assert client.get(f"/reflections/{answer_id}?ltik={trainer_here}").status_code == 404

    with app.app_context():
        person_id = db.session.scalars(select(ReflectionAnswer)).one().enrollment.person_id
        [exported] = reflections_of(person_id)
        assert exported["text"] == "Anna's own thoughts." and exported["module"] == "basics"


# --- the branching scenario -----------------------------------------------------


def _choose(client, ltik, node, choice, module_slug="sim"):
    html = page(client, f"/modules/{module_slug}", ltik)
    data = {"csrf_token": form_tokens(html)["csrf_token"], "node": node, "choice": choice}
    response = client.post(f"/modules/{module_slug}/scenario?ltik={ltik}", data=data)
    response.close()
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#scenario")
    return response


def _progress(app):
    with app.app_context():
        return db.session.scalars(select(ModuleProgress)).one_or_none()


def test_scenario_one_node_at_a_time_passes_only_at_an_end(app, client, lms):
    ltik = learner(client, lms)
    html = page(client, "/modules/sim", ltik)
    assert "The publisher offers 5% more." in html
    assert 'value="accept"' in html and 'value="counter"' in html
    assert "The publisher offers 3%." not in html and 'id="quiz"' not in html

    _choose(client, ltik, "offer", "counter")
    html = page(client, "/modules/sim", ltik)
    assert "You chose: Counter: 2%" in html and "The publisher thinks." in html
    assert "The publisher offers 3%." in html and 'value="agree"' in html
    assert _progress(app) is None or not _progress(app).is_passed

    _choose(client, ltik, "counter", "back")  # a loop back is no end
    assert _progress(app) is None or not _progress(app).is_passed

    _choose(client, ltik, "offer", "counter")
    _choose(client, ltik, "counter", "agree")
    html = page(client, "/modules/sim", ltik)
    assert "Well negotiated." in html and "Signed at 3%." in html
    assert 'name="choice"' not in html
    progress = _progress(app)
    assert progress.is_passed and progress.best_percent == 100 and progress.attempts == 1
    assert "Modules passed: 1 of 2" in page(client, "/course", ltik)


def test_scenario_ignores_stale_or_unknown_choices(app, client, lms):
    ltik = learner(client, lms)
    _choose(client, ltik, "counter", "agree")  # not the current node
    _choose(client, ltik, "offer", "agree")    # not a choice of this node
    _choose(client, ltik, "offer", "")
    assert "The publisher offers 5% more." in page(client, "/modules/sim", ltik)
    assert _progress(app) is None


def test_scenario_state_is_per_learner_and_kept_server_side(client, lms):
    anna = learner(client, lms, sub="anna")
    _choose(client, anna, "offer", "counter")
    bram = learner(client, lms, sub="bram")
    assert "The publisher offers 5% more." in page(client, "/modules/sim", bram)
    again = learner(client, lms, sub="anna")  # a new launch: same state
    assert "The publisher offers 3%." in page(client, "/modules/sim", again)


def test_scenario_restart_goes_back_and_keeps_the_pass(app, client, lms):
    ltik = learner(client, lms)
    _choose(client, ltik, "offer", "accept")
    assert "Always ask for the reasoning." in page(client, "/modules/sim", ltik)
    html = page(client, "/modules/sim", ltik)
    token = form_tokens(html)["csrf_token"]
    assert client.post(f"/modules/sim/scenario/restart?ltik={ltik}").status_code == 400
    response = client.post(f"/modules/sim/scenario/restart?ltik={ltik}",
                           data={"csrf_token": token})
    assert response.status_code == 302
    html = page(client, "/modules/sim", ltik)
    assert "The publisher offers 5% more." in html and "You chose" not in html
    assert _progress(app).is_passed
    _choose(client, ltik, "offer", "accept")  # a second end: the first pass stays
    progress = _progress(app)
    assert progress.attempts == 2 and progress.best_percent == 100


def test_scenario_choice_needs_the_csrf_token(client, lms):
    ltik = learner(client, lms)
    response = client.post(f"/modules/sim/scenario?ltik={ltik}",
                           data={"node": "offer", "choice": "accept"})
    assert response.status_code == 400


def _graded_launch(client, lms, module_slug, sub):
    ags = {"scope": SCOPES, "lineitem": LINEITEM,
           "lineitems": "https://moodle.example.edu/mod/lti/services.php/2/lineitems"}
    return launch_ltik(client, lms, sub=sub, locale="en", ags=ags,
                       custom={"course": "mini", "module": module_slug},
                       resource_link_id=f"graded-{module_slug}")


def test_scenario_end_queues_the_same_score_a_passed_quiz_does(app, client, lms):
    lms.mock.post(lms.platform.token_url, status=200,
                  json={"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600})
    lms.mock.post(SCORES, status=200, json={})

    quiz_ltik = _graded_launch(client, lms, "basics", "quiz-learner")
    basics = mini().module("basics")
    submit_quiz(client, quiz_ltik, basics, right_answers(basics))
    assert grade_delivery.wait_for_deliveries(client.application, 15)

    sim_ltik = _graded_launch(client, lms, "sim", "scenario-learner")
    _choose(client, sim_ltik, "offer", "counter")
    assert grade_delivery.wait_for_deliveries(client.application, 15)
    assert [c for c in lms.mock.calls if c.request.url == SCORES].__len__() == 1  # not yet
    _choose(client, sim_ltik, "counter", "agree")
    assert grade_delivery.wait_for_deliveries(client.application, 15)

    scores = [json.loads(c.request.body) for c in lms.mock.calls if c.request.url == SCORES]
    assert [s["userId"] for s in scores] == ["quiz-learner", "scenario-learner"]
    quiz_score, scenario_score = scores
    for key in ("scoreGiven", "scoreMaximum", "activityProgress", "gradingProgress"):
        assert quiz_score[key] == scenario_score[key], key
    assert (scenario_score["scoreGiven"], scenario_score["activityProgress"]) == (
        100.0, "Completed")
    with app.app_context():
        assert len(db.session.scalars(select(GradeDelivery)).all()) == 2


# --- the course page and the glossary --------------------------------------------


def test_course_page_states_the_pass_mark_and_links_the_glossary(client, lms):
    ltik = learner(client, lms)
    html = page(client, "/course", ltik)
    assert "Pass mark for every module's quiz: 80%" in html
    assert f"/glossary?ltik={ltik}" in html
    assert "Pass mark: 80%" in page(client, "/modules/basics", ltik)


@pytest.mark.parametrize(("locale", "term", "definition"), [
    ("en", "cost per use", "Price divided by use."),
    ("nl", "kosten per gebruik", "Prijs gedeeld door gebruik."),
])
def test_glossary_page_in_both_languages(client, lms, locale, term, definition):
    ltik = learner(client, lms, locale=locale)
    html = page(client, "/glossary", ltik)
    assert f'<dt id="cost-per-use">{term}</dt>' in html and definition in html
    assert html.index("big deal") < html.index(term)
