"""Work a page no longer repeats on every request (issue 19), with the same result.

Counts, never timings: the launch is read once, the overview's progress once,
a launch's frame origins come from a per-worker cache that a new launch
clears, WTForms' messages stay in the page's language, and the content
catalogue is trusted once loaded unless it is rechecked.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

from markupsafe import escape
from sqlalchemy import event

from course_content.loader import load_catalog
from lti_app import page_cache
from lti_app.extensions import db
from lti_app.forms import CheckedForm
from lti_app.timeutil import utc_now
from tests.fake_lms import FakeLms
from tests.learning.helpers import first_module, form_tokens, launch_ltik


def first_module_course():
    return load_catalog().courses["library-basics"]
from tests.test_framing import CANVAS, CUSTOMER, frame_ancestors
from wtforms import StringField
from wtforms.validators import DataRequired

GOOD = Path(__file__).parent / "course_content" / "fixtures" / "good"


@contextmanager
def statements(app, *, seen=lambda _conn, statement: statement):
    """What the block's SQL statements were: `seen(connection, statement)` of each."""
    sent: list = []

    def record(conn, _cursor, statement, *_args):
        sent.append(seen(conn, statement))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def isolation_levels(app):
    """The isolation level each of the block's statements ran at (AUTOCOMMIT: alone)."""
    return statements(app, seen=lambda conn, _statement:
                      conn.get_execution_options().get("isolation_level"))


def test_a_module_page_reads_the_launch_once_and_shows_the_launch(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en", name="Anna de Vries")
    module = first_module()
    with statements(app) as sent:
        page = client.get(f"/modules/{module.slug}?ltik={ltik}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Anna de Vries" in html and module.title.get("en") in html
    assert f"ltik={ltik}" in html  # the page's links keep the launch
    store_reads = [s for s in sent if "FROM stored_values" in s]
    assert len(store_reads) == 1, store_reads


def test_an_expired_or_forged_ltik_still_gets_no_page(app, client, lms):
    ltik = launch_ltik(client, lms)
    forged = ltik[:-4] + ("AAAA" if not ltik.endswith("AAAA") else "BBBB")
    assert client.get(f"/course?ltik={forged}").status_code == 401
    assert client.get("/course").status_code == 401


def test_the_overview_reads_the_progress_once(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    with statements(app) as sent:
        page = client.get(f"/course?ltik={ltik}")
    assert page.status_code == 200
    assert "Modules passed: 0 of" in page.get_data(as_text=True)
    assert len([s for s in sent if "module_progress" in s]) == 1


def test_learner_pages_read_the_link_and_the_progress_in_one_statement(app, client, lms):
    """The link (its course, checked on every page) and her progress in that
    course come in one SELECT on the overview and the module page."""
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    for url in (f"/course?ltik={ltik}", f"/modules/{module.slug}?ltik={ltik}"):
        with statements(app) as sent:
            assert client.get(url).status_code == 200
        [read] = [s for s in sent if "resource_links" in s or "module_progress" in s]
        assert "resource_links" in read and "module_progress" in read


def test_the_module_page_reads_her_reflections_in_the_same_read(app, client, lms):
    """The launch session, then the link with her progress in the module and
    her reflections on it: 2 statements for the whole module page."""
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    assert module.reflection  # the page has reflections to read
    client.get(f"/modules/{module.slug}?ltik={ltik}")  # the launch's first page
    with statements(app) as sent:
        assert client.get(f"/modules/{module.slug}?ltik={ltik}").status_code == 200
    assert len(sent) == 2 and "reflection_answers" in sent[1], [x[:80] for x in sent]


def test_the_result_page_reads_her_attempt_with_the_link_and_her_progress(app, client, lms):
    """The launch session, then the link, her progress and her attempt in one
    SELECT: 2 statements for the whole result page, which shows her score."""
    from tests.learning.helpers import right_answers, submit_quiz

    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    response, _data = submit_quiz(client, ltik, module, right_answers(module))
    with statements(app) as sent:
        page = client.get(response.headers["Location"])
    assert page.status_code == 200
    questions = len(module.quiz.questions)
    assert f"{questions} of {questions}" in page.get_data(as_text=True)
    assert len(sent) == 2 and "quiz_attempts" in sent[1], [x[:80] for x in sent]


def test_a_quiz_post_reads_its_course_in_the_lock_of_her_standing(app, client, lms):
    """Her enrolment, the lock on her standing and the link's course: one
    SELECT, taken before the attempt is written; the pass still counts."""
    from tests.learning.helpers import right_answers

    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    page = client.get(f"/modules/{module.slug}?ltik={ltik}")
    data = {**form_tokens(page.get_data(as_text=True)), **right_answers(module)}
    with statements(app) as sent:
        response = client.post(f"/modules/{module.slug}/quiz?ltik={ltik}", data=data)
    assert response.status_code == 302
    first_write = next(i for i, s in enumerate(sent) if s.startswith("INSERT"))
    [lock] = [s for s in sent if "FROM enrollments" in s]
    assert "resource_links.course_slug" in lock and sent.index(lock) < first_write
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "postgresql":
        assert "FOR UPDATE OF persons" in lock
    assert not any(s.startswith("SELECT resource_links.course_slug") for s in sent)
    overview = client.get(f"/course?ltik={ltik}").get_data(as_text=True)
    assert f"Modules passed: 1 of {len(first_module_course().published_modules)}" in overview


def test_a_launch_reads_its_link_once_and_lands_on_its_page(app, client, lms):
    """The landing is decided from the link the launch has just written, before
    its commit expires it: no second read, and no home page in between."""
    launch_ltik(client, lms, sub="first")  # the LMS course and its link exist
    with statements(app) as sent:
        response = lms.launch(client, sub="second")
    assert response.status_code == 303 and response.headers["Location"].startswith("/course?")
    assert len([s for s in sent if "FROM resource_links" in s]) == 1, [x[:80] for x in sent]


def test_the_overview_counts_her_days_in_the_same_read(app, client, lms):
    """Her progress and her confirmed days (each date once, any LMS course) in
    the one SELECT of the link: 2 statements for the whole overview."""
    from tests.issuing.helpers import complete_course

    ltik = launch_ltik(client, lms, sub="dana", locale="en")
    complete_course(app, "dana", shadow_days=1, modules=2)
    client.get(f"/course?ltik={ltik}")  # the launch's first page: its CSRF token, frame origins
    with statements(app) as sent:
        page = client.get(f"/course?ltik={ltik}").get_data(as_text=True)
    assert "Confirmed shadowing days: 1 of 2" in page
    assert f"Modules passed: 2 of {len(first_module_course().published_modules)}" in page
    assert len(sent) == 2 and "shadow_days" in sent[1], [x[:80] for x in sent]


def test_an_origin_learned_by_a_launch_frames_the_platforms_pages_at_once(app, client, lms):
    canvas = FakeLms(app, lms.mock, product="canvas", issuer=CANVAS,
                     client_id="10000000000042", deployment_id="7:abc", key_slot=1)
    first = launch_ltik(client, canvas, sub="u-1")
    before = client.get(f"/course?ltik={first}")  # the platform's origins now cached
    assert frame_ancestors(before) == f"'self' {CANVAS}"
    launch_ltik(client, canvas, sub="u-2", return_url=CUSTOMER + "/courses/7")
    # The first launch's page, in the same worker: the learned origin frames it.
    after = client.get(f"/course?ltik={first}")
    assert frame_ancestors(after) == f"'self' {CANVAS} {CUSTOMER}"


def test_the_login_saves_its_state_without_a_transaction_around_it(app, client, lms):
    """Its one read and one write each commit alone (no BEGIN, no COMMIT), and
    the state it saved still lets exactly one launch through."""
    with isolation_levels(app) as levels:
        auth = lms.login(client)
    assert levels and set(levels) == {"AUTOCOMMIT"}, levels
    data = {"id_token": lms.id_token(auth, lms.launch_request()), "state": auth["state"]}
    assert client.post("/lti/launch", data=data).status_code == 303
    assert client.post("/lti/launch", data=data).status_code == 401  # used up


def test_the_first_page_of_a_launch_writes_nothing_and_its_form_is_accepted(app, client, lms):
    """The launch stores its session with a CSRF token in it, in the same write
    as its context: the first page only reads, and its token is the one the
    form must send back."""
    ltik = launch_ltik(client, lms, locale="en")
    module = first_module()
    with statements(app) as sent:
        html = client.get(f"/modules/{module.slug}?ltik={ltik}").get_data(as_text=True)
    assert [s for s in sent if s.lstrip().startswith(("INSERT", "UPDATE", "DELETE"))] == []
    read = client.post(f"/modules/{module.slug}/read?ltik={ltik}",
                       data={"csrf_token": form_tokens(html)["csrf_token"]})
    assert read.status_code == 302
    forged = client.post(f"/modules/{module.slug}/read?ltik={ltik}", data={"csrf_token": "x"})
    assert forged.status_code == 400


def test_a_launch_that_learns_no_origin_keeps_the_cached_frame_origins(app, client, lms):
    """A class's launches come from origins the tool knows: the page after each
    one frames as before without asking the database for the origins again."""
    canvas = FakeLms(app, lms.mock, product="canvas", issuer=CANVAS,
                     client_id="10000000000042", deployment_id="7:abc", key_slot=1)
    first = launch_ltik(client, canvas, sub="u-1", return_url=CUSTOMER + "/courses/7")
    client.get(f"/course?ltik={first}")  # the platform's origins now cached
    second = launch_ltik(client, canvas, sub="u-2", return_url=CUSTOMER + "/courses/7")
    with statements(app) as sent:
        page = client.get(f"/course?ltik={second}")
    assert frame_ancestors(page) == f"'self' {CANVAS} {CUSTOMER}"
    assert not [s for s in sent if "FROM platforms" in s], [x[:80] for x in sent]


def test_wtforms_messages_stay_in_the_pages_language(app):
    class Named(CheckedForm):
        name = StringField(validators=[DataRequired()])

    messages = {}
    for language in ("nl", "en", "nl"):
        with app.test_request_context("/", method="POST", data={"name": ""},
                                      headers={"Accept-Language": language}):
            form = Named(meta={"csrf": False})
            assert not form.validate()
            messages[language] = form.name.errors[0]
    assert messages["en"] == "This field is required."
    assert messages["nl"] != messages["en"] and re.search(r"veld", messages["nl"], re.I)


def test_a_catalog_trusted_once_loaded_until_it_is_rechecked(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(GOOD, root)
    first = load_catalog(root, recheck=False)  # not cached yet: read from disk
    module_file = root / "mini" / "basics.md"
    module_file.write_text(module_file.read_text().replace(
        "estimated_minutes: 30", "estimated_minutes: 35"))
    stat = module_file.stat()
    os.utime(module_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_catalog(root, recheck=False) is first
    changed = load_catalog(root)
    assert changed.courses["mini"].modules[0].estimated_minutes == 35


def test_the_quiz_shared_by_learners_keeps_each_ones_language_and_answers(app, client, lms):
    module = first_module()
    question = module.quiz.questions[0]
    pages = {}
    for language in ("nl", "en", "nl"):
        ltik = launch_ltik(client, lms, locale=language, sub=f"u-{language}")
        pages[language] = (ltik, client.get(f"/modules/{module.slug}?ltik={ltik}"))
        html = pages[language][1].get_data(as_text=True)
        assert question.text.get(language) in html
        other = "en" if language == "nl" else "nl"
        assert question.text.get(other) not in html
    ltik, page = pages["nl"]
    answer = question.right_answer()
    refused = client.post(f"/modules/{module.slug}/quiz?ltik={ltik}", data={
        **form_tokens(page.get_data(as_text=True)), f"q-{question.id}": answer})
    assert refused.status_code == 422  # the other questions are open
    kept = refused.get_data(as_text=True)
    assert re.search(rf'id="q-{question.id}-{answer[0]}" checked', kept)
    assert 'class="question is-missing"' in kept
    fresh = client.get(f"/modules/{module.slug}?ltik={pages['en'][0]}").get_data(as_text=True)
    assert " checked" not in fresh and "is-missing" not in fresh


def test_template_strings_follow_a_language_forced_mid_request(app):
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Course') }}|{{ ngettext('%(num)d day', '%(num)d days', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert render_template_string(page).startswith("Cursus|")
        with force_locale("en"):  # e.g. a certificate in the learner's language
            assert render_template_string(page) == "Course|2 days"
        assert render_template_string(page).startswith("Cursus|")


@contextmanager
def rendered_templates(app):
    """The names of the templates render_template renders in the block."""
    from flask import template_rendered

    names: list[str] = []

    def record(_app, template, **_extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def test_the_parts_every_learner_sees_alike_are_rendered_once_with_each_ones_launch(
        app, client, lms):
    module = first_module()
    ltiks = [launch_ltik(client, lms, locale="nl", sub=f"u-{i}") for i in range(3)]
    pages = {}
    page_cache.clear()
    with rendered_templates(app) as rendered:
        for ltik in ltiks:
            pages[ltik] = client.get(f"/modules/{module.slug}?ltik={ltik}").get_data(as_text=True)
    # The module's text, the links around it (top, bottom) and the menu: rendered
    # for the first learner only.
    assert rendered.count("learning/_module_text.html") == 1, rendered
    assert rendered.count("learning/_module_nav.html") == 2, rendered
    assert rendered.count("_main_nav.html") == 1, rendered
    assert rendered.count("learning/_quiz_section.html") == 1, rendered
    assert rendered.count("learning/module.html") == 3
    submissions = set()
    for html in pages.values():
        # The quiz form's hidden fields are this page's own: its session's CSRF
        # token (the same as the page's other forms) and a new submission id.
        assert len(set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', html))) == 1
        submissions |= set(re.findall(r'name="submission_id" type="hidden" value="([a-f0-9]{32})"', html))
    assert len(submissions) == 3
    for ltik, html in pages.items():
        assert "LTIK-SLOT" not in html
        links = re.findall(r'(?:href|action)="(/[^"]*)"', html)
        tool_links = [link for link in links if not link.startswith("/static/")]
        assert len(tool_links) >= 5
        assert all(f"ltik={ltik}" in link for link in tool_links), tool_links
        assert not any(other in html for other in ltiks if other != ltik)


def test_a_module_page_reads_without_a_transaction_and_a_post_writes_in_one(app, client, lms):
    ltik = launch_ltik(client, lms)
    module = first_module()
    with isolation_levels(app) as levels:
        page = client.get(f"/modules/{module.slug}?ltik={ltik}")
        read, levels[:] = list(levels), []
        marked = client.post(f"/modules/{module.slug}/read?ltik={ltik}",
                             data={"csrf_token": form_tokens(page.get_data(as_text=True))["csrf_token"]})
        written = list(levels)
    assert page.status_code == 200 and marked.status_code in (302, 303)
    assert read and set(read) == {"AUTOCOMMIT"}
    assert written and "AUTOCOMMIT" not in written
    again = client.get(f"/modules/{module.slug}?ltik={ltik}").get_data(as_text=True)
    assert "Mark as read" not in again and "Markeer als gelezen" not in again


def test_the_module_list_is_rendered_once_and_shows_each_learners_own_state(app, client, lms):
    module = first_module()
    reader = launch_ltik(client, lms, locale="en", sub="u-reader")
    newcomer = launch_ltik(client, lms, locale="en", sub="u-newcomer")
    page = client.get(f"/modules/{module.slug}?ltik={reader}").get_data(as_text=True)
    client.post(f"/modules/{module.slug}/read?ltik={reader}",
                data={"csrf_token": form_tokens(page)["csrf_token"]})
    page_cache.clear()
    with rendered_templates(app) as rendered:
        mine = client.get(f"/course?ltik={reader}").get_data(as_text=True)
        theirs = client.get(f"/course?ltik={newcomer}").get_data(as_text=True)
    assert rendered.count("learning/_module_list.html") == 1, rendered

    def first_item(html):
        return re.search(r'<ol class="module-list">\s*(<li.*?</li>)', html, re.S).group(1)

    assert '<span class="badge">read</span>' in first_item(mine)
    assert '<span class="badge">not started</span>' in first_item(theirs)
    assert 'class="is-next"' in first_item(theirs)
    assert "<!--slot:" not in mine + theirs
    assert f"ltik={reader}" in first_item(mine) and f"ltik={newcomer}" in first_item(theirs)


def test_a_learners_reflection_stays_on_their_own_page_of_the_shared_prompts(app, client, lms):
    module = first_module()
    prompt = module.reflection[0]
    writer = launch_ltik(client, lms, locale="en", sub="u-writer")
    other = launch_ltik(client, lms, locale="en", sub="u-other")
    page_cache.clear()
    page = client.get(f"/modules/{module.slug}?ltik={writer}").get_data(as_text=True)
    text = "Mijn <eigen> gedachte & plan"
    client.post(f"/modules/{module.slug}/reflections?ltik={writer}",
                data={"csrf_token": form_tokens(page)["csrf_token"], f"r-{prompt.id}": text})
    with rendered_templates(app) as rendered:
        mine = client.get(f"/modules/{module.slug}?ltik={writer}").get_data(as_text=True)
        theirs = client.get(f"/modules/{module.slug}?ltik={other}").get_data(as_text=True)
    assert "learning/_reflection_section.html" not in rendered  # rendered once, before
    assert "Mijn &lt;eigen&gt; gedachte &amp; plan</textarea>" in mine
    assert "Saved on" in mine
    assert "gedachte" not in theirs and "Saved on" not in theirs
    assert f'id="r-{prompt.id}" name="r-{prompt.id}" rows="4" maxlength="5000"></textarea>' in theirs


def test_each_learner_sees_her_own_score_in_a_badge_rendered_once_per_state(app, client, lms):
    from lti_app.learning.models import ModuleProgress
    from lti_app.people.models import Enrollment, Person

    module = first_module()
    ltiks = {sub: launch_ltik(client, lms, locale="en", sub=sub)
             for sub in ("u-top", "u-good", "u-trying")}
    scores = {"u-top": (100, True), "u-good": (85, True), "u-trying": (40, False)}
    with app.app_context():
        for sub, (percent, passed) in scores.items():
            enrollment_id = db.session.scalar(
                db.select(Enrollment.id).join(Person).where(Person.sub == sub))
            db.session.add(ModuleProgress(
                enrollment_id=enrollment_id, course_slug="library-basics",
                module_slug=module.slug, attempts=1, best_percent=percent,
                passed_at=utc_now() if passed else None,
                passed_version=module.version if passed else None))
        db.session.commit()
    page_cache.clear()
    with rendered_templates(app) as rendered:
        pages = {sub: client.get(f"/course?ltik={ltik}").get_data(as_text=True)
                 for sub, ltik in ltiks.items()}
    assert "passed · 100%" in pages["u-top"] and "passed · 85%" in pages["u-good"]
    assert "best score 40%" in pages["u-trying"]
    assert "85%" not in pages["u-top"] + pages["u-trying"]
    assert rendered.count("learning/_module_badge.html") <= 4, rendered  # once per state


def test_quiz_feedback_is_rendered_once_per_answer_and_shows_each_ones_own(app, client, lms):
    from tests.learning.helpers import right_answers, submit_quiz, wrong_answers

    module = first_module()
    numeric = next(q for q in module.quiz.questions if q.is_numeric)
    right = right_answers(module)
    typed = {"u-a": right[f"q-{numeric.id}"][0], "u-c": f"€ {numeric.answer}"}
    answers = {"u-a": right, "u-b": wrong_answers(module),
               "u-c": {**right, f"q-{numeric.id}": [typed["u-c"]]}}
    typed["u-b"] = answers["u-b"][f"q-{numeric.id}"][0]
    ltiks = {sub: launch_ltik(client, lms, locale="en", sub=sub) for sub in answers}
    page_cache.clear()
    pages, renders = {}, {}
    for sub, ltik in ltiks.items():
        response, _data = submit_quiz(client, ltik, module, answers[sub])
        assert response.status_code == 302
        with rendered_templates(app) as rendered:
            pages[sub] = client.get(response.headers["Location"]).get_data(as_text=True)
        renders[sub] = rendered.count("learning/_quiz_feedback_item.html")
    questions = len(module.quiz.questions)
    assert renders == {"u-a": questions, "u-b": questions, "u-c": 0}
    for sub, html in pages.items():
        assert f'<span class="given">{escape(typed[sub])}</span>' in html
        assert not any(f'"given">{escape(other)}<' in html for s, other in typed.items() if s != sub)
        assert "slot:" not in html
    assert pages["u-a"].count('<li class="right">') == questions
    assert pages["u-b"].count('<li class="wrong">') == questions
    # Not passed: her own choices, but no right answers revealed.
    assert "right answer, not chosen" not in pages["u-b"]
    assert "right answer, not chosen" not in pages["u-a"]  # she chose all of them
