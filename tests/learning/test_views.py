"""A learner reads modules, takes quizzes and sees progress; nothing counts twice."""

from __future__ import annotations

from sqlalchemy import func, select

from lti_app.extensions import db
from lti_app.learning.models import ModuleProgress, QuizAttempt
from tests.fake_lms import INSTRUCTOR
from course_content.loader import load_catalog
from tests.learning.helpers import (
    first_module, form_tokens, launch_ltik, right_answers, submit_quiz, wrong_answers,
)

MODULES = len(load_catalog().courses["library-basics"].published_modules)


def test_overview_lists_modules_and_next_step(client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    html = client.get(f"/course?ltik={ltik}").get_data(as_text=True)
    module = first_module()
    assert module.title.en in html
    assert "Continue with: " + module.title.en in html
    assert f"Modules passed: 0 of {MODULES}" in html
    assert "Confirmed shadowing days: 0 of 2" in html


def test_module_page_renders_sanitised_markdown_objectives_and_quiz(client, lms):
    ltik = launch_ltik(client, lms, locale="nl")
    module = first_module()
    html = client.get(f"/modules/{module.slug}?ltik={ltik}").get_data(as_text=True)
    assert f"<h1>{module.title.nl}</h1>" in html
    assert module.objectives.nl[0] in html
    assert "<h2" in html and "<script>alert" not in html
    for question in module.quiz.questions:
        assert f'name="q-{question.id}"' in html


def test_passing_quiz_shows_feedback_and_updates_progress(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    response, _ = submit_quiz(client, ltik, module, right_answers(module))
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    total = len(module.quiz.questions)
    assert f"{total} of {total} right (100%)" in result and "Passed" in result
    assert module.quiz.questions[0].explanation.en in result
    overview = client.get(f"/course?ltik={ltik}").get_data(as_text=True)
    assert f"Modules passed: 1 of {MODULES}" in overview


def test_failing_then_passing_keeps_best_score(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    failed, _ = submit_quiz(client, ltik, module, wrong_answers(module))
    text = client.get(failed.headers["Location"]).get_data(as_text=True)
    assert "Not passed yet" in text and "0%" in text
    submit_quiz(client, ltik, module, right_answers(module))
    submit_quiz(client, ltik, module, wrong_answers(module))  # a worse retry
    with app.app_context():
        [progress] = db.session.scalars(select(ModuleProgress)).all()
        assert progress.attempts == 3 and progress.best_percent == 100 and progress.is_passed
        assert progress.passed_version == module.version


def test_resubmitted_form_counts_once(app, client, lms):
    ltik = launch_ltik(client, lms)
    module = first_module()
    first, data = submit_quiz(client, ltik, module, right_answers(module))
    again = client.post(f"/modules/{module.slug}/quiz?ltik={ltik}", data=data)
    assert again.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
        assert db.session.scalars(select(ModuleProgress)).one().attempts == 1


def test_mark_as_read_is_idempotent(app, client, lms):
    ltik = launch_ltik(client, lms)
    module = first_module()
    html = client.get(f"/modules/{module.slug}?ltik={ltik}").get_data(as_text=True)
    token = form_tokens(html)["csrf_token"]
    for _ in range(2):
        response = client.post(f"/modules/{module.slug}/read?ltik={ltik}", data={"csrf_token": token})
        assert response.status_code == 302
    with app.app_context():
        [progress] = db.session.scalars(select(ModuleProgress)).all()
        assert progress.read_at is not None and progress.attempts == 0


def test_tampered_and_unknown_answers_count_wrong_and_store_nothing_odd(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    answers = right_answers(module)
    first_q = module.quiz.questions[0]
    answers[f"q-{first_q.id}"] = ["zz-not-an-option"]
    answers["q-no-such-question"] = ["a"]
    answers["q-<script>"] = ["x" * 5000]
    response, _ = submit_quiz(client, ltik, module, answers)
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.scalars(select(QuizAttempt)).one()
        assert attempt.correct == len(module.quiz.questions) - 1
        assert set(attempt.answers) == {q.id for q in module.quiz.questions}


def test_quiz_without_csrf_token_is_refused_and_saves_nothing(app, client, lms):
    ltik = launch_ltik(client, lms)
    module = first_module()
    response = client.post(f"/modules/{module.slug}/quiz?ltik={ltik}",
                           data={"submission_id": "a" * 32, **right_answers(module)})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_learner_never_sees_another_learners_attempt(app, client, lms):
    anna = launch_ltik(client, lms, sub="anna")
    module = first_module()
    response, _ = submit_quiz(client, anna, module, right_answers(module))
    attempt_url = response.headers["Location"]
    bram = launch_ltik(client, lms, sub="bram", name="Bram Jansen", locale="en")
    stolen = attempt_url.split("?")[0] + f"?ltik={bram}"
    assert client.get(stolen).status_code == 404
    overview = client.get(f"/course?ltik={bram}").get_data(as_text=True)
    assert f"0 of {MODULES}" in overview


def test_submission_id_of_another_learner_changes_nothing(app, client, lms):
    anna = launch_ltik(client, lms, sub="anna")
    module = first_module()
    _, data = submit_quiz(client, anna, module, wrong_answers(module))
    bram = launch_ltik(client, lms, sub="bram")
    page = client.get(f"/modules/{module.slug}?ltik={bram}").get_data(as_text=True)
    forged = {**data, **right_answers(module), "csrf_token": form_tokens(page)["csrf_token"]}
    response = client.post(f"/modules/{module.slug}/quiz?ltik={bram}", data=forged)
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
        assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == 1


def test_unknown_module_is_404(client, lms):
    ltik = launch_ltik(client, lms)
    assert client.get(f"/modules/no-such-module?ltik={ltik}").status_code == 404


def test_module_link_opens_the_module(client, lms):
    module = first_module()
    launch = lms.launch(client, custom={"course": "library-basics", "module": module.slug})
    # The launch goes straight to the module; the home page sends there as well.
    assert launch.status_code == 303
    assert launch.headers["Location"].startswith(f"/modules/{module.slug}?ltik=")
    ltik = launch.headers["Location"].split("ltik=")[1]
    response = client.get(f"/?ltik={ltik}")
    assert response.status_code == 302 and f"/modules/{module.slug}" in response.headers["Location"]


def test_each_launch_lands_on_its_own_page(client, lms):
    course_link = lms.launch(client, sub="a", custom={"course": "library-basics"})
    assert course_link.headers["Location"].startswith("/course?ltik=")
    unknown_module = lms.launch(client, sub="b", resource_link_id="odd",
                                custom={"course": "library-basics", "module": "no-such"})
    assert unknown_module.headers["Location"].startswith("/course?ltik=")
    unbound = lms.launch(client, sub="c", custom={}, resource_link_id="fresh")
    assert unbound.headers["Location"].startswith("/?ltik=")  # the page says it is not set up
    trainer = lms.launch(client, sub="t", roles=INSTRUCTOR)
    assert trainer.headers["Location"].startswith("/trainer/?ltik=")


def test_unbound_link_asks_trainer_once_and_learner_waits(app, client, lms):
    learner = launch_ltik(client, lms, sub="l", custom={}, resource_link_id="fresh")
    page = client.get(f"/?ltik={learner}")  # the launch said nl
    assert page.status_code == 409 and "nog niet ingesteld" in page.get_data(as_text=True)

    trainer = launch_ltik(client, lms, sub="t", roles=INSTRUCTOR, custom={},
                          resource_link_id="fresh")
    setup = client.get(f"/trainer/?ltik={trainer}")
    assert setup.status_code == 302 and "/link/setup" in setup.headers["Location"]
    html = client.get(f"/link/setup?ltik={trainer}").get_data(as_text=True)
    module = first_module("licence-negotiation")
    response = client.post(f"/link/setup?ltik={trainer}", data={
        "csrf_token": form_tokens(html)["csrf_token"],
        "target": f"licence-negotiation/{module.slug}"})
    assert response.status_code == 302
    assert client.get(f"/?ltik={learner}").headers["Location"].split("?")[0] == (
        f"/modules/{module.slug}")


def test_binding_to_an_unknown_target_is_refused(app, client, lms):
    trainer = launch_ltik(client, lms, roles=INSTRUCTOR, custom={}, resource_link_id="x")
    html = client.get(f"/link/setup?ltik={trainer}").get_data(as_text=True)
    response = client.post(f"/link/setup?ltik={trainer}", data={
        "csrf_token": form_tokens(html)["csrf_token"], "target": "no-course/whatever"})
    assert response.status_code == 422


def test_learner_cannot_bind_links(client, lms):
    ltik = launch_ltik(client, lms)
    assert client.get(f"/link/setup?ltik={ltik}").status_code == 403


# --- the quiz: unanswered questions, the review, scores ---------------------------


def _attempts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(QuizAttempt))


def test_an_empty_quiz_is_refused_on_the_page_and_is_no_attempt(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    response, _ = submit_quiz(client, ltik, module, {})
    html = response.get_data(as_text=True)
    total = len(module.quiz.questions)
    assert response.status_code == 422
    assert f"{total} questions are not answered yet. Your answers are kept; nothing was counted." in html
    assert html.count('class="question is-missing"') == total
    assert html.count("Answer this question.") == total
    assert _attempts(app) == 0
    with app.app_context():
        assert db.session.scalars(select(ModuleProgress)).all() == []


def test_an_incomplete_quiz_keeps_the_answers_and_marks_the_open_questions(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    questions = module.quiz.questions
    choice = next(q for q in questions if not q.is_numeric)
    numeric = next(q for q in questions if q.is_numeric)
    answers = {f"q-{choice.id}": choice.right_answer()[:1], f"q-{numeric.id}": ["  42,5 "]}
    response, _ = submit_quiz(client, ltik, module, answers)
    html = response.get_data(as_text=True)
    open_count = len(questions) - 2
    assert response.status_code == 422 and _attempts(app) == 0
    assert f"{open_count} questions are not answered yet." in html
    assert f'id="q-{choice.id}-{choice.right_answer()[0]}" checked' in html
    assert 'value="42,5"' in html
    assert f'id="question-{choice.id}" role="group"' in html  # not marked
    missing = [q for q in questions if q not in (choice, numeric)]
    assert f'class="question is-missing" id="question-{missing[0].id}"' in html
    assert f'href="#question-{missing[0].id}"' in html  # the summary links to it


def test_review_shows_the_learners_choices_and_holds_the_right_answers_back(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    wrong = wrong_answers(module)
    response, _ = submit_quiz(client, ltik, module, wrong)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    choice = next(q for q in module.quiz.questions if not q.is_numeric)
    chosen = next(o for o in choice.options if o.id == wrong[f"q-{choice.id}"][0])
    right = next(o for o in choice.options if o.id in choice.correct)
    assert chosen.text.en in html and "Your choice:" in html
    assert right.text.en not in html  # no copying on the retry
    assert choice.explanation.en not in html
    assert "are shown once you pass this module" in html
    needed = -(-module.quiz.pass_mark * len(module.quiz.questions) // 100)
    assert f"you need {needed} of {len(module.quiz.questions)} right" in html


def test_after_a_pass_every_review_shows_choices_right_answers_and_explanations(
        app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    failed, _ = submit_quiz(client, ltik, module, wrong_answers(module))
    submit_quiz(client, ltik, module, right_answers(module))
    html = client.get(failed.headers["Location"]).get_data(as_text=True)  # the failed one
    choice = next(q for q in module.quiz.questions if not q.is_numeric)
    assert "your choice, not right" in html and "right answer, not chosen" in html
    assert choice.explanation.en in html
    assert "are shown once you pass" not in html


def test_a_multiple_choice_hint_is_not_said_twice(client, lms):
    ltik = launch_ltik(client, lms, locale="nl")
    module = first_module()
    html = client.get(f"/modules/{module.slug}?ltik={ltik}").get_data(as_text=True)
    assert any(q.multiple for q in module.quiz.questions)
    assert "Kies alle juiste antwoorden." in html
    assert "vink alle juiste antwoorden aan" not in html
    assert "<legend" not in html.split('id="quiz"')[1]  # question text sits inside its box
    english = client.get(f"/modules/{module.slug}?ltik={launch_ltik(client, lms, locale='en')}")
    assert "(tick every right answer)" not in english.get_data(as_text=True)


# --- where am I -----------------------------------------------------------------


def test_course_page_shows_progress_and_time_left(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    course = load_catalog().courses["library-basics"]
    module = first_module()
    submit_quiz(client, ltik, module, right_answers(module))
    html = client.get(f"/course?ltik={ltik}").get_data(as_text=True)
    assert f'<progress id="modules-progress" max="{MODULES}" value="1"' in html
    assert f"Modules passed: 1 of {MODULES}" in html
    assert "Confirmed shadowing days: 0 of 2" in html
    total = sum(m.estimated_minutes for m in course.published_modules)
    left = total - module.estimated_minutes

    def spoken(minutes):
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
    assert f"Study time left: about {spoken(left)} of {spoken(total)}" in html


def test_module_page_shows_its_place_and_previous_and_next(client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    modules = load_catalog().courses["library-basics"].published_modules
    first = client.get(f"/modules/{modules[0].slug}?ltik={ltik}").get_data(as_text=True)
    assert f"Module 1 of {MODULES}" in first
    assert f"Next: {modules[1].title.en}" in first and "Previous:" not in first
    second = client.get(f"/modules/{modules[1].slug}?ltik={ltik}").get_data(as_text=True)
    assert f"Module 2 of {MODULES}" in second
    assert f"Previous: {modules[0].title.en}" in second
    assert f"Next: {modules[2].title.en}" in second
    last = client.get(f"/modules/{modules[-1].slug}?ltik={ltik}").get_data(as_text=True)
    assert f"Module {MODULES} of {MODULES}" in last and "Next:" not in last
    assert "Back to the course" in last


def test_menu_marks_the_current_page(client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    html = client.get(f"/modules/{first_module().slug}?ltik={ltik}").get_data(as_text=True)
    assert 'aria-current="page">Course</a>' in html
    assert html.count('aria-current="page"') == 1
    days = client.get(f"/shadowing/?ltik={ltik}").get_data(as_text=True)
    assert 'aria-current="page">Shadowing days</a>' in days


def test_mark_as_read_confirms_next_to_the_button(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    html = client.get(f"/modules/{module.slug}?ltik={ltik}").get_data(as_text=True)
    response = client.post(f"/modules/{module.slug}/read?ltik={ltik}", data=form_tokens(html))
    assert response.status_code == 302 and response.headers["Location"].endswith("#read")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    top, read = page.split('id="read"', 1)
    assert "Marked as read." not in top
    assert "Marked as read." in read.split("</div>", 2)[0] + read.split("</div>", 2)[1]
    assert "Read on" in read


def test_module_pages_carry_the_print_stylesheet(client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    html = client.get(f"/modules/{first_module().slug}?ltik={ltik}").get_data(as_text=True)
    assert 'href="/static/print.css" media="print"' in html
    response = client.get("/static/print.css")
    css = response.get_data(as_text=True)
    response.close()
    for hidden in (".topbar", "form", ".quiz", ".module-nav", "button"):
        assert hidden in css.split("display: none")[0]
