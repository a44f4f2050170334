"""Launch and navigate as a learner or trainer in tests."""

from __future__ import annotations

import re

from course_content.loader import load_catalog


def launch_ltik(client, lms, **kwargs) -> str:
    response = lms.launch(client, **kwargs)
    assert response.status_code == 303, response.get_data(as_text=True)
    return re.search(r"ltik=([\w\-.]+)", response.headers["Location"]).group(1)


def first_module(course_slug: str = "library-basics"):
    return load_catalog().courses[course_slug].published_modules[0]


def right_answers(module) -> dict[str, list[str]]:
    return {f"q-{q.id}": q.right_answer() for q in module.quiz.questions}


def wrong_answers(module) -> dict[str, list[str]]:
    answers = {}
    for q in module.quiz.questions:
        if q.is_numeric:
            answers[f"q-{q.id}"] = [str(q.answer + q.tolerance + 1)]
            continue
        wrong = [o.id for o in q.options if o.id not in q.correct]
        answers[f"q-{q.id}"] = wrong[:1]
    return answers


def form_tokens(html: str) -> dict[str, str]:
    tokens = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)}
    submission = re.search(r'name="submission_id"[^>]*value="([^"]+)"', html)
    if submission:
        tokens["submission_id"] = submission.group(1)
    return tokens


def submit_quiz(client, ltik, module, answers):
    page = client.get(f"/modules/{module.slug}?ltik={ltik}")
    assert page.status_code == 200
    data = {**form_tokens(page.get_data(as_text=True)), **answers}
    response = client.post(f"/modules/{module.slug}/quiz?ltik={ltik}", data=data)
    response.close()  # as a server does once it is sent: runs after-response work
    return response, data
