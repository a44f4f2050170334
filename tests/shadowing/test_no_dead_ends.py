"""Shadowing without dead ends: every mistake is answered on its own page, with
what was typed kept and the field marked; every decision redirects; dates in
the person's language (nl, or British English)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.shadowing.models import ShadowDay
from tests.db_snapshot import snapshot
from tests.fake_lms import INSTRUCTOR
from tests.learning.helpers import form_tokens, launch_ltik
from tests.shadowing.test_shadowing import (
    ALACT, _add_day, _csrf, _day_id, _host_decide, _open, _submit,
)


def _marked(html: str, field: str) -> bool:
    """The field is flagged for assistive technology and has its message."""
    tag = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field}"[^>]*>', html)
    return bool(tag) and 'aria-invalid="true"' in tag.group(0) and f'id="{field}-error"' in html


def test_ask_for_confirmation_without_reflection_stays_on_the_day_page(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    day_id = _day_id(_add_day(client, ltik, **{name: "" for name in ALACT}))
    page_url = f"/shadowing/{day_id}?ltik={ltik}"
    page = client.get(page_url).get_data(as_text=True)
    # The steps are asked on the day's page itself, before the button.
    assert 'id="alact_action"' in page and "Save the reflection and ask for confirmation" in page
    before = snapshot(app)
    response = client.post(f"/shadowing/{day_id}/submit?ltik={ltik}", data={
        "csrf_token": _csrf(client, page_url), "alact_action": "I shadowed the desk.",
        "alact_looking_back": "", "alact_awareness": "", "alact_alternatives": "",
        "alact_trial": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Universiteitsbibliotheek Utrecht" in html or "Utrecht" in html  # the day's page
    assert "Please check what you entered" not in html  # not the bare error page
    assert "Your reflection is not complete yet" in html
    assert "I shadowed the desk." in html  # input kept
    for field in ("alact_looking_back", "alact_awareness", "alact_alternatives", "alact_trial"):
        assert _marked(html, field), field
    assert not _marked(html, "alact_action")
    assert snapshot(app) == before  # nothing half-saved, no link made

    complete = client.post(f"/shadowing/{day_id}/submit?ltik={ltik}",
                           data={"csrf_token": _csrf(client, page_url), **ALACT})
    assert complete.status_code == 302
    with app.app_context():
        day = db.session.get(ShadowDay, day_id)
        assert day.status == "submitted" and day.alact_trial == ALACT["alact_trial"]


def test_future_day_is_explained_on_its_page(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    day_id = _day_id(_add_day(client, ltik, day="2099-01-01"))
    page_url = f"/shadowing/{day_id}?ltik={ltik}"
    response = client.post(f"/shadowing/{day_id}/submit?ltik={ltik}",
                           data={"csrf_token": _csrf(client, page_url)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "once it has taken place" in html
    assert "All shadowing days" in html  # the day's page, with its way back


def test_empty_form_marks_every_required_field(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    url = f"/shadowing/new?ltik={ltik}"
    form = client.get(url).get_data(as_text=True)
    # Required and optional are said in the labels.
    assert re.search(r'for="day">Date <span class="required-mark">\(required\)', form)
    assert re.search(r'for="host_library">Host library <span class="required-mark">', form)
    assert re.search(r'for="department">[^<]*<span class="optional-mark">\(optional\)', form)
    # The other library's name belongs to "Another library…" (shown only with it).
    assert 'data-show-when="host_library=other"' in form
    response = client.post(url, data={"csrf_token": _csrf(client, url), "day": "",
                                      "host_library": "", "host_library_other": "",
                                      "activities": "Kept text"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _marked(html, "day") and _marked(html, "host_library")
    assert "Enter the date of the day." in html and "Choose the host library" in html
    assert "Kept text" in html
    # The summary links to each field.
    assert 'href="#day"' in html and 'href="#host_library"' in html


def test_host_wrong_code_gets_the_form_again(app, client, lms):
    host = app.test_client()
    page = host.get("/host/code", headers={"Accept-Language": "en"})
    token = form_tokens(page.get_data(as_text=True))["csrf_token"]
    wrong = host.post("/host/code", data={"csrf_token": token, "code": "ABCD-EFGH"},
                      headers={"Accept-Language": "en"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422  # not 410, not "our side"
    assert "Something went wrong" not in html and "our side" not in html
    assert "This code is not valid" in html
    assert _marked(html, "code") and 'value="ABCD-EFGH"' in html  # the form, filled in
    assert 'action="/host/code"' in html


def test_host_expired_link_page_offers_the_code_form(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    link, _code = _submit(client, ltik, _day_id(_add_day(client, ltik)))
    _host_decide(app, link)
    again = _open(app.test_client(), link, **{"Accept-Language": "en"})
    html = again.get_data(as_text=True)
    assert again.status_code == 410 and "already used" in html
    assert 'action="/host/code"' in html and 'id="code"' in html


def test_host_decision_redirects_to_a_thank_you_page(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    day_id = _day_id(_add_day(client, ltik))
    link, _code = _submit(client, ltik, day_id)
    host = app.test_client()
    page = _open(host, link, **{"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    decided = host.post("/host/confirm", data={
        "csrf_token": form_tokens(html)["csrf_token"], "token": token, "decision": "confirm",
        "name": "Joke"}, headers={"Accept-Language": "en"})
    assert decided.status_code == 303 and decided.headers["Location"].endswith("/host/done")
    before = snapshot(app)
    thanks = host.get("/host/done", headers={"Accept-Language": "en"})
    assert thanks.status_code == 200 and "The day is confirmed." in thanks.get_data(as_text=True)
    # Back or reload: the same GET again, nothing sent again.
    assert host.get("/host/done").status_code == 200
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.get(ShadowDay, day_id).status == "confirmed"


def test_dates_follow_the_language_nl_and_british_english(app, client, lms):
    english = launch_ltik(client, lms, sub="bram", name="Bram Jansen", locale="en")
    day_id = _day_id(_add_day(client, english, day="2026-12-31"))
    listing = client.get(f"/shadowing/?ltik={english}").get_data(as_text=True)
    assert "31 Dec 2026" in listing and "Dec 31, 2026" not in listing
    page = client.get(f"/shadowing/{day_id}?ltik={english}").get_data(as_text=True)
    assert "Thursday, 31 December 2026" in page  # not "Thursday, December 31, 2026"
    history = re.search(r'<ul class="history">\s*<li>([^<]+)', page).group(1)
    assert re.match(r"\d\d/\d\d/\d{4}, \d\d:\d\d —", history.strip()), history  # not 12/1/26, 8:03 AM
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, locale="en")
    assert "31 Dec 2026" in client.get(f"/trainer/shadowing?ltik={trainer}").get_data(as_text=True)

    dutch = launch_ltik(client, lms, sub="anna", locale="nl")
    _add_day(client, dutch, day="2026-12-31")
    listing = client.get(f"/shadowing/?ltik={dutch}").get_data(as_text=True)
    assert "31 dec 2026" in listing


def test_worksheet_and_focus_questions_reach_the_host(app, client, lms):
    from lti_app.launch_scope import catalog
    from lti_app.shadowing.questions import modules_with_questions, ref_of

    ltik = launch_ltik(client, lms, locale="en")
    listing = client.get(f"/shadowing/?ltik={ltik}").get_data(as_text=True)
    assert "/shadowing/worksheet" in listing
    with app.app_context():
        modules = modules_with_questions([catalog().course("library-basics")])
    assert len(modules) > 3
    sheet = client.get(f"/shadowing/worksheet?ltik={ltik}").get_data(as_text=True)
    for module in modules:
        assert module.ask_your_host.en in sheet
    chosen = modules[:2]
    day_id = _day_id(_add_day(client, ltik, focus_questions=[ref_of(m) for m in chosen]))
    with app.app_context():
        assert db.session.scalars(select(ShadowDay.focus_questions)).one().count("\n") == 1
    link, _code = _submit(client, ltik, day_id)
    host_page = _open(app.test_client(), link, **{"Accept-Language": "en"}).get_data(as_text=True)
    assert "What the learner wanted to ask you" in host_page
    for module in chosen:
        assert module.ask_your_host.en in host_page
    assert modules[2].ask_your_host.en not in host_page


def test_templating_formats_dates_en_gb_and_nl(app):
    from datetime import datetime, timezone

    from flask_babel import force_locale

    from lti_app.templating import format_date, format_datetime

    moment = datetime(2026, 12, 1, 7, 3, tzinfo=timezone.utc)
    with app.test_request_context():
        with force_locale("en"):
            assert format_date(date(2026, 12, 31)) == "31 Dec 2026"
            assert format_date(date(2026, 12, 31), "short") == "31/12/2026"
            assert format_datetime(moment, "short") == "01/12/2026, 08:03"  # Amsterdam time
        with force_locale("nl"):
            assert format_date(date(2026, 12, 31)) == "31 dec 2026"
            assert format_date(date(2026, 12, 31), "short") == "31-12-2026"
            assert format_datetime(moment, "short") == "01-12-2026, 08:03"
