"""Who may open what: learners get 403 and learn nothing; ids never cross a course
or a platform; only institution administrators see the overview."""

from __future__ import annotations

import pytest

from tests.db_snapshot import snapshot
from tests.fake_lms import ADMIN, LEARNER, TEACHING_ASSISTANT
from tests.learning.helpers import first_module, form_tokens
from tests.trainer.conftest import launch_trainer
from lti_app.testing import (
    library_basics,
    make_context,
    make_learner,
    make_platform,
    seed_every_stage,
)

SECRET_NAME = "Geheime Naam"


def _trainer_urls(enrollment_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/trainer/"),
        ("GET", f"/trainer/learners/{enrollment_id}"),
        ("GET", "/trainer/export.csv"),
        ("GET", "/trainer/export.xlsx"),
        ("GET", "/trainer/insights"),
        ("GET", "/trainer/insights.csv"),
        ("GET", "/trainer/admin"),
        ("POST", "/trainer/roster/refresh"),
    ]


def _seed_course(seed, context_id: int) -> dict[str, int]:
    def build(context):
        stages = seed_every_stage(context, library_basics())
        stages["secret"] = make_learner(context=context, name=SECRET_NAME)
        return stages

    return seed(context_id, build)


def test_learner_gets_403_on_every_trainer_url_and_learns_nothing(
    app, client, lms, seed
):
    trainer = launch_trainer(app, client, lms)
    ids = _seed_course(seed, trainer.context_id)
    learner = launch_trainer(
        app, client, lms, roles=LEARNER, sub="learner-9", name="Anna de Vries"
    )
    # A valid CSRF token of the learner's own launch, so the POST reaches the rule.
    page = client.get(learner.url(f"/modules/{first_module().slug}"))
    token = form_tokens(page.get_data(as_text=True))["csrf_token"]
    before = snapshot(app)
    for method, path in _trainer_urls(ids["waiting"]):
        if method == "POST":
            response = client.post(learner.url(path), data={"csrf_token": token})
        else:
            response = client.get(learner.url(path))
        assert response.status_code == 403, path
        text = response.get_data(as_text=True)
        assert SECRET_NAME not in text and "Wouter" not in text, path
        assert (
            "csv" not in response.content_type and "sheet" not in response.content_type
        )
    assert snapshot(app) == before


def test_without_a_launch_every_trainer_url_is_refused(app, client, lms, seed):
    trainer = launch_trainer(app, client, lms)
    ids = _seed_course(seed, trainer.context_id)
    for method, path in _trainer_urls(ids["waiting"]):
        response = client.open(path, method=method)
        # A POST has no CSRF token either, and that check comes first.
        assert response.status_code == (400 if method == "POST" else 401), path
        assert SECRET_NAME not in response.get_data(as_text=True)


def test_teaching_assistant_sees_the_dashboard(app, client, lms, seed):
    trainer = launch_trainer(app, client, lms, roles=TEACHING_ASSISTANT, sub="ta")
    _seed_course(seed, trainer.context_id)
    html = client.get(trainer.url("/trainer/")).get_data(as_text=True)
    assert SECRET_NAME in html
    assert client.get(trainer.url("/trainer/admin")).status_code == 403


def test_trainer_sees_only_the_learners_of_their_lms_course(app, client, lms, seed):
    mine = launch_trainer(app, client, lms)
    other = launch_trainer(app, client, lms, sub="trainer-2", context_id="course-2")
    theirs = _seed_course(seed, other.context_id)
    html = client.get(mine.url("/trainer/")).get_data(as_text=True)
    assert SECRET_NAME not in html and "No learners in this course yet." in html
    csv = client.get(mine.url("/trainer/export.csv")).get_data(as_text=True)
    assert SECRET_NAME not in csv
    assert SECRET_NAME in client.get(other.url("/trainer/")).get_data(as_text=True)
    assert (
        client.get(mine.url(f"/trainer/learners/{theirs['secret']}")).status_code == 404
    )


@pytest.mark.parametrize("where", ["other_context", "other_platform", "trainer_self"])
def test_ids_never_cross_a_course_or_a_platform(app, client, lms, seed, where):
    trainer = launch_trainer(app, client, lms)
    _seed_course(seed, trainer.context_id)

    def foreign(context):
        if where == "other_context":
            target = make_context(deployment=context.deployment, title="Other course")
        elif where == "other_platform":
            target = make_context(platform=make_platform(), title="Other institution")
        else:  # the trainer's own enrolment is no learner's
            return next(e for e in _enrollments(context) if e.role == "trainer")
        return make_learner(context=target, name=SECRET_NAME)

    enrollment_id = seed(trainer.context_id, foreign)
    before = snapshot(app)
    response = client.get(trainer.url(f"/trainer/learners/{enrollment_id}"))
    assert response.status_code == 404
    assert SECRET_NAME not in response.get_data(as_text=True)
    assert client.get(trainer.url("/trainer/learners/999999")).status_code == 404
    assert snapshot(app) == before


def test_admin_overview_lists_the_platforms_courses_only(app, client, lms, seed):
    admin = launch_trainer(
        app, client, lms, roles=ADMIN, sub="admin-1", name="Dirk Bakker"
    )
    course = library_basics()
    seed(admin.context_id, lambda c: seed_every_stage(c, course))

    def others(context):
        sibling = make_context(
            deployment=context.deployment, title="Bibliotheek Basis B"
        )
        make_learner(context=sibling)
        make_context(
            deployment=context.deployment, title="Unbound course", course_slug=None
        )
        elsewhere = make_context(platform=make_platform(), title="Other institution")
        make_learner(context=elsewhere)

    seed(admin.context_id, others)
    response = client.get(admin.url("/trainer/admin"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Other institution" not in html
    rows = _overview_rows(html)
    assert rows["Library Basics"] == ["Library Basics", "6", "5", "3", "1"]
    assert rows["Bibliotheek Basis B"] == ["Library Basics", "1", "1", "0", "0"]
    assert rows["Unbound course"] == ["no course chosen yet", "0", "0", "—", "—"]
    # The dashboard links to it, for administrators only.
    assert "/trainer/admin?ltik=" in client.get(admin.url("/trainer/")).get_data(
        as_text=True
    )


def test_trainer_without_admin_role_gets_403_on_the_overview(app, client, lms):
    trainer = launch_trainer(app, client, lms)
    assert client.get(trainer.url("/trainer/admin")).status_code == 403
    assert "/trainer/admin" not in client.get(trainer.url("/trainer/")).get_data(
        as_text=True
    )


def _enrollments(context):
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.people.models import Enrollment

    return db.session.scalars(
        select(Enrollment).where(Enrollment.context_id == context.id)
    )


def _overview_rows(html: str) -> dict[str, list[str]]:
    import re

    rows = {}
    for match in re.finditer(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', html, re.S):
        cells = re.findall(r"<td[^>]*>\s*([^<]*?)\s*</td>", match.group(2))
        rows[match.group(1)] = cells
    return rows
