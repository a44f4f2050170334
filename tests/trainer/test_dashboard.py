"""The dashboard of a seeded course: every stage, filters, search, sort, detail page."""

from __future__ import annotations

import re

from course_content.loader import load_catalog
from lti_app.extensions import db
from lti_app.people.models import ResourceLink
from tests.fake_lms import INSTRUCTOR
from tests.trainer.conftest import launch_trainer
from lti_app.testing import (
    library_basics,
    make_learner,
    make_progress,
    make_shadow_day,
    seed_every_stage,
)

MODULES = len(load_catalog().courses["library-basics"].published_modules)
LICENCE_MODULES = len(load_catalog().courses["licence-negotiation"].published_modules)


def _names(html: str) -> list[str]:
    """The learners' names in table order."""
    return re.findall(
        r'<th scope="row"><a href="/trainer/learners/\d+[^"]*">([^<]+)</a>', html
    )


def _row(html: str, name: str) -> str:
    match = re.search(
        rf"<tr>\s*<th scope=\"row\"><a [^>]*>{name}</a>.*?</tr>", html, re.S
    )
    assert match, f"no row for {name}"
    return match.group(0)


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_every_stage_is_shown(client, trainer, seed):
    seed(trainer.context_id, lambda c: seed_every_stage(c, library_basics()))
    response = client.get(trainer.url("/trainer/"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    # Sorted by family name without its prefix, Dutch style; the trainer is no row.
    assert _names(html) == [
        "Chris Bakker",
        "Roos Brouwer",
        "Karim El Amrani",
        "Wouter de Graaf",
        "Ilse de Groot",
        "Noor Hendriks",
    ]
    assert "Carla Visser</a>" not in html
    assert "Learners of Library Basics: 6 of 6 shown" in html
    assert html.count('<th scope="col" class="module-col"') == MODULES

    not_started = _text(_row(html, "Noor Hendriks"))
    assert "never opened the tool" in not_started and f"0/{MODULES}" in not_started
    # One cell in words for a learner who started nothing, not a dot per module.
    assert "No module started yet" in not_started and "·" not in not_started
    assert "never" in not_started

    in_progress = _text(_row(html, "Ilse de Groot"))
    assert in_progress.count("✓ 90% passed") == 3
    # The modules not started: an icon with its words for screen readers.
    assert in_progress.count("○ not started") == MODULES - 4
    assert "40% attempted, not passed yet" in in_progress and f"3/{MODULES}" in in_progress

    waiting = _text(_row(html, "Wouter de Graaf"))
    assert f"{MODULES}/{MODULES}" in waiting and "1/2" in waiting and "1 waiting" in waiting

    assert "2/2 eligible" in _text(_row(html, "Karim El Amrani"))
    assert "2/2 issued" in _text(_row(html, "Chris Bakker"))
    assert "revoked (requirements met)" in _text(_row(html, "Roos Brouwer"))


def test_module_columns_are_headed_by_their_titles(client, trainer, seed):
    seed(trainer.context_id, lambda c: seed_every_stage(c, library_basics()))
    html = client.get(trainer.url("/trainer/")).get_data(as_text=True)
    heads = re.findall(r'<th scope="col" class="module-col">(.*?)</th>', html, re.S)
    assert len(heads) == MODULES
    # The number and the title are printed in the header, not only in a tooltip.
    first = _text(heads[0])
    assert first == "Module 1 The library and the Dutch landscape", first
    for number, (head, module) in enumerate(
        zip(heads, library_basics().published_modules), start=1
    ):
        text = _text(head)
        assert text.startswith(f"Module {number} ") and module.title.en in text
    # The legend explains the symbols above the table.
    legend = _text(re.search(r'<p class="legend".*?</p>', html, re.S).group(0))
    assert "○ not started" in legend and "✓ 85% passed, with the best score" in legend


def test_roster_line_says_who_the_members_are(app, client, lms, seed):
    trainer = launch_trainer(app, client, lms)
    launch_trainer(app, client, lms, sub="trainer-2", name="Tom Trainer")
    seed(trainer.context_id, lambda c: [make_learner(context=c) for _n in range(3)])
    html = client.get(trainer.url("/trainer/")).get_data(as_text=True)
    line = _text(re.search(r'<p id="roster-roles">.*?</p>', html, re.S).group(0))
    assert line == "5 in this LMS course: 3 learners, 2 trainers. The table lists the learners only."
    assert "All learners 3" in _text(html)


def test_filters_search_and_sort(client, trainer, seed):
    seed(trainer.context_id, lambda c: seed_every_stage(c, library_basics()))

    def names(**params):
        response = client.get(trainer.url("/trainer/", **params))
        assert response.status_code == 200
        return _names(response.get_data(as_text=True))

    assert names(filter="not_started") == ["Noor Hendriks"]
    assert names(filter="in_progress") == ["Wouter de Graaf", "Ilse de Groot"]
    assert names(filter="waiting") == ["Wouter de Graaf"]
    assert names(filter="complete") == [
        "Chris Bakker",
        "Roos Brouwer",
        "Karim El Amrani",
    ]
    assert names(filter="certified") == ["Chris Bakker"]
    assert names(q="GRAAF") == ["Wouter de Graaf"]
    assert names(q="r", filter="complete") == [
        "Chris Bakker",
        "Roos Brouwer",
        "Karim El Amrani",
    ]
    assert names(q="nobody") == []
    assert names(sort="name", order="desc")[0] == "Noor Hendriks"
    by_progress = names(sort="progress")
    assert by_progress[-2:] == ["Ilse de Groot", "Noor Hendriks"]
    assert by_progress[3] == "Wouter de Graaf"  # every module and 1 of 2 days
    by_activity = names(sort="activity")
    assert by_activity[-1] == "Noor Hendriks"  # never active: last either way
    assert names(sort="activity", order="asc")[-1] == "Noor Hendriks"
    # Unknown values fall back to the defaults instead of failing.
    assert names(sort="evil", order="sideways", filter="x") == names()


def test_dashboard_counts_stages_and_keeps_choices_in_links(client, trainer, seed):
    seed(trainer.context_id, lambda c: seed_every_stage(c, library_basics()))
    html = client.get(trainer.url("/trainer/", q="de", sort="activity")).get_data(
        as_text=True
    )
    stages = _text(re.search(r'<nav class="stages".*?</nav>', html, re.S).group(0))
    assert stages == (
        "All learners 6 Not started 1 In progress 2 Waiting for a shadowing "
        "confirmation 1 Complete 3 Certificate issued 1"
    )
    export = re.search(r'href="(/trainer/export.csv[^"]+)"', html).group(1)
    assert "q=de" in export and "sort=activity" in export and "ltik=" in export


def test_last_activity_is_the_latest_of_launch_progress_and_days(
    app, client, trainer, seed
):
    from datetime import datetime, timezone

    old = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    newer = datetime(2026, 3, 2, 14, 30, tzinfo=timezone.utc)

    def build(context):
        learner = make_learner(
            context=context, given_name="Eva", family_name="Mulder", last_launch_at=old
        )
        make_progress(enrollment=learner, module_slug="library-landscape", at=newer)
        day = make_shadow_day(enrollment=learner, status="planned")
        day.updated_at = old
        return learner

    seed(trainer.context_id, build)
    html = client.get(trainer.url("/trainer/")).get_data(as_text=True)
    row = _row(html, "Eva Mulder")
    # Written in her trainer's time zone (Amsterdam, +1 in March) and language.
    assert 'datetime="2026-03-02T14:30:00+00:00">02/03/2026, 15:30</time>' in row


def test_trainers_see_the_module_cells_in_their_own_language(app, client, lms, seed):
    """Each kind of cell is rendered once per worker (trainer/cells.py): a
    Dutch trainer after an English one must not get the English words."""
    english = launch_trainer(app, client, lms)
    seed(english.context_id, lambda c: seed_every_stage(c, library_basics()))
    dutch = launch_trainer(app, client, lms, sub="trainer-2", locale="nl")
    for launch, passed, open_, attempted in [
        (english, "✓ 90% passed", "○ not started", "40% attempted, not passed yet"),
        (dutch, "✓ 90% gehaald", "○ niet begonnen", "40% geprobeerd, nog niet gehaald"),
        (english, "✓ 90% passed", "○ not started", "40% attempted, not passed yet"),
    ]:
        html = client.get(launch.url("/trainer/", all="1")).get_data(as_text=True)
        row = _text(_row(html, "Ilse de Groot"))
        assert row.count(passed) == 3 and row.count(open_) == MODULES - 4, row
        assert attempted in row


def test_the_course_of_the_launchs_link_is_shown(app, client, lms, seed):
    """Two links of one LMS course bound to different courses: each shows its own."""
    first = launch_trainer(app, client, lms)
    licence = launch_trainer(
        app,
        client,
        lms,
        resource_link_id="link-2",
        custom={"course": "licence-negotiation"},
    )
    html = client.get(licence.url("/trainer/")).get_data(as_text=True)
    assert "<h1>Licence negotiation" in html  # the trainer launched in English
    assert html.count('<th scope="col" class="module-col"') == LICENCE_MODULES
    html = client.get(first.url("/trainer/")).get_data(as_text=True)
    assert html.count('<th scope="col" class="module-col"') == MODULES
    with app.app_context():
        assert db.session.query(ResourceLink).count() == 2


def test_unbound_link_sends_the_trainer_to_link_setup(client, lms):
    response = lms.launch(client, roles=INSTRUCTOR, sub="t", custom={})
    ltik = re.search(r"ltik=([\w\-.]+)", response.headers["Location"]).group(1)
    page = client.get(f"/trainer/?ltik={ltik}")
    assert page.status_code == 302 and "/link/setup" in page.headers["Location"]


def test_learner_detail_shows_modules_days_and_certificate(client, trainer, seed):
    ids = seed(trainer.context_id, lambda c: seed_every_stage(c, library_basics()))
    html = client.get(trainer.url(f"/trainer/learners/{ids['waiting']}")).get_data(
        as_text=True
    )
    assert "<h1>Wouter de Graaf</h1>" in html
    assert html.count("passed · 90%") == MODULES
    assert "waiting for confirmation" in html and "confirmed" in html
    decide = re.findall(r'href="(/trainer/shadowing/\d+\?ltik=[^"]+)"', html)
    assert len(decide) == 1  # only the submitted day can be decided
    assert "/trainer/certificates?ltik=" in html  # the certificate actions
    assert client.get(decide[0]).status_code == 200

    html = client.get(trainer.url(f"/trainer/learners/{ids['in_progress']}")).get_data(
        as_text=True
    )
    assert "attempted · best 40%" in html and "No shadowing days logged yet." in html

    html = client.get(trainer.url(f"/trainer/learners/{ids['certified']}")).get_data(
        as_text=True
    )
    assert "Issued on" in html and re.search(r"/trainer/certificates/\d+\.pdf", html)
    html = client.get(trainer.url(f"/trainer/learners/{ids['revoked']}")).get_data(
        as_text=True
    )
    assert "Issued by mistake" in html
    # The newest certificate was revoked: the page says so, never "none issued yet".
    assert "revoked" in html and "Revoked on" in html
    assert "no certificate has been issued yet" not in html
    assert "All requirements are met: a new certificate can be issued." in html


def test_names_are_escaped(client, trainer, seed):
    seed(
        trainer.context_id,
        lambda c: make_learner(
            context=c, name="<script>alert(1)</script>", given_name="X", family_name="Y"
        ),
    )
    html = client.get(trainer.url("/trainer/")).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def _launch_without_link(app, context_id: int) -> str:
    """A stored launch that came through no resource link (as after deep linking)."""
    from lti_app.lti.context import LaunchContext, save_launch_context
    from lti_app.people.models import Context

    with app.app_context():
        context = db.session.get(Context, context_id)
        trainer = make_learner(context=context, role="trainer", given_name="Carla")
        launch = LaunchContext(
            launch_id=f"no-link-{context_id}",
            platform_id=trainer.person.platform_id,
            deployment_id=context.deployment_id,
            person_id=trainer.person_id,
            context_id=context_id,
            resource_link_id=None,
            enrollment_id=trainer.id,
            role="trainer",
            is_admin=False,
            person_name="Carla",
            context_title=None,
            locale="en",
            message_type="LtiDeepLinkingRequest",
            return_url=None,
        )
        db.session.commit()
    with app.test_request_context():
        ltik = save_launch_context(launch)
        db.session.commit()
    return ltik


def test_without_a_link_the_lms_courses_one_course_is_shown(app, client, seed):
    from lti_app.testing import make_context

    one = seed(None, lambda _none: make_context(title="One course"))
    ltik = _launch_without_link(app, one)
    page = client.get(f"/trainer/?ltik={ltik}")
    assert page.status_code == 200 and "<h1>Library Basics" in page.get_data(
        as_text=True
    )

    def add_second_course(context):
        db.session.add(
            ResourceLink(
                context=context,
                lms_resource_link_id="l2",
                course_slug="licence-negotiation",
            )
        )

    seed(one, add_second_course)
    page = client.get(f"/trainer/?ltik={ltik}")
    assert page.status_code == 409
    assert "Links in this LMS course open different courses" in page.get_data(
        as_text=True
    )


def test_without_a_link_the_certificates_page_uses_the_same_course(app, client, seed):
    """Regression: /trainer/ fell back to the LMS course's one bound course but
    /trainer/certificates answered 404 for the same launch."""
    from lti_app.testing import make_context

    one = seed(None, lambda _none: make_context(title="One course"))
    ltik = _launch_without_link(app, one)
    assert client.get(f"/trainer/?ltik={ltik}").status_code == 200
    page = client.get(f"/trainer/certificates?ltik={ltik}")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    assert "Library Basics" in page.get_data(as_text=True)


def test_an_admin_counts_as_the_courses_trainer(app):
    """Regression: trainer_name_of_context looked at role "trainer" only, so an
    admin who taught the LMS course was never printed on its certificates."""
    from lti_app.people.service import trainer_name_of_context
    from lti_app.testing import make_context

    with app.app_context():
        context = make_context(title="Admin teaches")
        make_learner(context=context, given_name="Lotte")
        make_learner(context=context, role="admin", given_name="Ada", family_name="Admin")
        db.session.commit()
        assert trainer_name_of_context(context.id) == "Ada Admin"
