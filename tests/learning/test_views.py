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
    ltik = launch_ltik(client, lms, custom={"course": "library-basics", "module": module.slug})
    response = client.get(f"/?ltik={ltik}")
    assert response.status_code == 302 and f"/modules/{module.slug}" in response.headers["Location"]


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
