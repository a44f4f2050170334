"""Shadowing days: the status flow, the host link, the count, access rules, form errors."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.shadowing.models import ShadowDay, ShadowDayEvent
from tests.db_snapshot import snapshot
from tests.fake_lms import INSTRUCTOR
from tests.learning.helpers import form_tokens, launch_ltik

YESTERDAY = date.today() - timedelta(days=1)
LAST_WEEK = date.today() - timedelta(days=7)
NEXT_WEEK = date.today() + timedelta(days=7)


ALACT = {"alact_action": "Shadowed the intake desk.",
         "alact_looking_back": "They answered in two minutes; I felt slow.",
         "alact_awareness": "A fixed intake form saves time.",
         "alact_alternatives": "We could copy their intake form.",
         "alact_trial": "Try the form at our desk next month."}


def _csrf(client, url):
    return form_tokens(client.get(url).get_data(as_text=True))["csrf_token"]


def _day_data(**overrides):
    data = {"day": YESTERDAY.isoformat(), "host_library": "utrecht",
            "host_library_other": "", "department": "Open Science team",
            "host_contact_name": "Joke Hendriks", "host_contact_email": "j.hendriks@uu.nl",
            "learning_goals": "See how they run the repository.",
            "activities": "Shadowed the repository manager.",
            **ALACT}
    data.update(overrides)
    return data


def _add_day(client, ltik, **overrides):
    url = f"/shadowing/new?ltik={ltik}"
    response = client.post(url, data={"csrf_token": _csrf(client, url), **_day_data(**overrides)})
    return response


def _day_id(response):
    return int(re.search(r"/shadowing/(\d+)", response.headers["Location"]).group(1))


def _submit(client, ltik, day_id):
    url = f"/shadowing/{day_id}?ltik={ltik}"
    client.post(f"/shadowing/{day_id}/submit?ltik={ltik}", data={"csrf_token": _csrf(client, url)})
    html = client.get(url).get_data(as_text=True)
    link = re.search(r'value="(http://localhost/host/#t=[^"]+)"', html).group(1)
    code = re.search(r'class="code">([A-Z0-9]{4}-[A-Z0-9]{4})<', html).group(1)
    return link.replace("http://localhost", ""), code


def _open(host, link, **headers):
    """What the browser does with /host/#t=TOKEN: load /host/, its script posts the token."""
    path, token = link.split("#t=", 1)
    page = host.get(path, headers=headers)
    assert page.status_code == 200 and token not in page.get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return host.post("/host/confirm", data={"csrf_token": csrf, "token": token}, headers=headers)


def _host_decide(app, link, decision="confirm", comment="", name="Joke"):
    host = app.test_client()  # another browser, no LMS
    page = _open(host, link)
    if page.status_code != 200:
        return page
    fields = form_tokens(page.get_data(as_text=True))
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    # A decision redirects to the thank-you page (a GET), which the host then sees.
    return host.post("/host/confirm", data={"csrf_token": fields["csrf_token"], "token": token,
                                            "decision": decision, "comment": comment,
                                            "name": name}, follow_redirects=True)


def test_learner_logs_submits_and_host_confirms_by_link(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    response = _add_day(client, ltik)
    assert response.status_code == 302
    day_id = _day_id(response)
    link, code = _submit(client, ltik, day_id)

    assert "ltik" not in link  # the learner's session never travels to the host
    host_page = _open(app.test_client(), link, **{"Accept-Language": "en"})
    text = host_page.get_data(as_text=True)
    assert host_page.status_code == 200
    assert "Anna de Vries" in text and "Open Science team" in text
    assert "ltik" not in text and "Modules" not in text  # this day and nothing else

    done = _host_decide(app, link, "confirm", name="Joke Hendriks")
    assert done.status_code == 200 and "De dag is bevestigd" in done.get_data(as_text=True)
    with app.app_context():
        day = db.session.get(ShadowDay, day_id)
        assert day.status == "confirmed" and day.decided_by == "host"
        actions = [e.action for e in day.events]
        assert actions == ["created", "submitted", "confirmed"]
    listing = client.get(f"/shadowing/?ltik={ltik}").get_data(as_text=True)
    assert "Confirmed days counting towards your certificate: 1 of 2" in listing


def test_host_link_works_once(app, client, lms):
    ltik = launch_ltik(client, lms)
    day_id = _day_id(_add_day(client, ltik))
    link, _code = _submit(client, ltik, day_id)
    assert _host_decide(app, link).status_code == 200
    before = snapshot(app)
    again = _open(app.test_client(), link, **{"Accept-Language": "en"})
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert snapshot(app) == before


def test_tampered_link_and_link_for_another_day_are_refused(app, client, lms):
    ltik = launch_ltik(client, lms)
    first = _day_id(_add_day(client, ltik))
    second = _day_id(_add_day(client, ltik, host_library="leiden"))
    link1, _ = _submit(client, ltik, first)
    link2, _ = _submit(client, ltik, second)
    host = app.test_client()
    assert _open(host, link1[:-4] + "AAAA").status_code == 410
    # The token id of day 1 with the signed envelope of day 2 cannot be combined.
    token1, token2 = link1.split("#t=")[1], link2.split("#t=")[1]
    assert _open(host, f"/host/#t={token1.split('.')[0]}.{token2.split('.', 1)[1]}").status_code == 410


def test_expired_link_is_refused(app, client, lms):
    ltik = launch_ltik(client, lms)
    day_id = _day_id(_add_day(client, ltik))
    link, _ = _submit(client, ltik, day_id)
    with app.app_context():
        from lti_app.timeutil import utc_now

        day = db.session.get(ShadowDay, day_id)
        day.confirmation_expires_at = utc_now() - timedelta(seconds=1)
        db.session.commit()
    assert _open(app.test_client(), link).status_code == 410


def test_new_link_replaces_the_old_one(app, client, lms):
    ltik = launch_ltik(client, lms)
    day_id = _day_id(_add_day(client, ltik))
    old, _ = _submit(client, ltik, day_id)
    new, _ = _submit(client, ltik, day_id)
    assert _open(app.test_client(), old).status_code == 410
    assert _open(app.test_client(), new).status_code == 200


def test_host_confirms_by_short_code(app, client, lms):
    ltik = launch_ltik(client, lms)
    day_id = _day_id(_add_day(client, ltik))
    _link, code = _submit(client, ltik, day_id)
    host = app.test_client()
    token = form_tokens(host.get("/host/code").get_data(as_text=True))["csrf_token"]
    response = host.post("/host/code", data={"csrf_token": token, "code": code.lower()})
    # The day's page at once: no redirect, so no token in any URL.
    assert response.status_code == 200 and "Open Science team" in response.get_data(as_text=True)
    assert "Location" not in response.headers
    wrong = host.post("/host/code", data={"csrf_token": token, "code": "AAAA-AAAA"})
    assert wrong.status_code == 422


def test_host_declines_with_reason_and_learner_reopens(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    day_id = _day_id(_add_day(client, ltik))
    link, _ = _submit(client, ltik, day_id)
    no_reason = _host_decide(app, link, "decline", comment="")
    assert no_reason.status_code == 422
    assert _host_decide(app, link, "decline", comment="She was not here that day").status_code == 200
    listing = client.get(f"/shadowing/?ltik={ltik}").get_data(as_text=True)
    assert "declined" in listing and "She was not here that day" in listing
    edit_url = f"/shadowing/{day_id}/edit?ltik={ltik}"
    response = client.post(edit_url, data={"csrf_token": _csrf(client, edit_url),
                                           **_day_data(day=LAST_WEEK.isoformat())})
    assert response.status_code == 302
    with app.app_context():
        day = db.session.get(ShadowDay, day_id)
        assert day.status == "planned" and day.day == LAST_WEEK
        assert [e.action for e in day.events][-2:] == ["reopened", "updated"]


def test_trainer_confirms_on_behalf_and_completion_counts_distinct_days(app, client, lms):
    ltik = launch_ltik(client, lms, sub="anna")
    first = _day_id(_add_day(client, ltik))
    second = _day_id(_add_day(client, ltik, day=LAST_WEEK.isoformat(), host_library="leiden"))
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, name="Carla Visser",
                          locale="en")
    waiting = client.get(f"/trainer/shadowing?ltik={trainer}").get_data(as_text=True)
    assert "Anna de Vries" in waiting
    for day_id in (first, second):
        url = f"/trainer/shadowing/{day_id}?ltik={trainer}"
        response = client.post(url, data={"csrf_token": _csrf(client, url), "decision": "confirm"})
        assert response.status_code == 302
    with app.app_context():
        assert {d.decided_by_name for d in db.session.scalars(select(ShadowDay))} == {"Carla Visser"}
    overview = client.get(f"/course?ltik={launch_ltik(client, lms, sub='anna', locale='en')}")
    assert "Confirmed shadowing days: 2 of 2" in overview.get_data(as_text=True)


def test_same_date_two_libraries_counts_once(app, client, lms):
    from lti_app.shadowing.service import confirmed_day_count

    ltik = launch_ltik(client, lms)
    for library in ("utrecht", "leiden"):
        _add_day(client, ltik, host_library=library)
    trainer = launch_ltik(client, lms, sub="t", roles=INSTRUCTOR)
    with app.app_context():
        ids = list(db.session.scalars(select(ShadowDay.id)))
    for day_id in ids:
        url = f"/trainer/shadowing/{day_id}?ltik={trainer}"
        client.post(url, data={"csrf_token": _csrf(client, url), "decision": "confirm"})
    with app.app_context():
        person_id = db.session.scalars(select(ShadowDay.person_id)).first()
        assert confirmed_day_count(person_id) == 1


def test_days_count_once_across_two_lms_courses(app, client, lms):
    """One date confirmed in two LMS courses is one day; another date makes two."""

    def confirm_in(course, **day):
        ltik = launch_ltik(client, lms, sub="anna", context_id=course, locale="en")
        day_id = _day_id(_add_day(client, ltik, **day))
        trainer = launch_ltik(client, lms, sub=f"trainer-{course}", roles=INSTRUCTOR,
                              context_id=course, locale="en")
        url = f"/trainer/shadowing/{day_id}?ltik={trainer}"
        decided = client.post(url, data={"csrf_token": _csrf(client, url),
                                         "decision": "confirm"})
        assert decided.status_code == 302
        return client.get(f"/course?ltik={ltik}").get_data(as_text=True)

    confirm_in("course-A", host_library="utrecht")
    overview = confirm_in("course-B", host_library="leiden")
    assert "Confirmed shadowing days: 1 of 2" in overview
    overview = confirm_in("course-B", host_library="leiden", day=LAST_WEEK.isoformat())
    assert "Confirmed shadowing days: 2 of 2" in overview


def test_future_day_cannot_be_confirmed(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    day_id = _day_id(_add_day(client, ltik, day=NEXT_WEEK.isoformat()))
    response = client.post(f"/shadowing/{day_id}/submit?ltik={ltik}",
                           data={"csrf_token": _csrf(client, f"/shadowing/{day_id}?ltik={ltik}")})
    assert response.status_code == 422 and "once it has taken place" in response.get_data(as_text=True)
    trainer = launch_ltik(client, lms, sub="t", roles=INSTRUCTOR, locale="en")
    url = f"/trainer/shadowing/{day_id}?ltik={trainer}"
    before = snapshot(app)
    refused = client.post(url, data={"csrf_token": _csrf(client, url), "decision": "confirm"})
    assert refused.status_code == 422
    assert snapshot(app) == before


def test_same_library_same_date_is_refused_and_input_kept(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    _add_day(client, ltik)
    again = _add_day(client, ltik, alact_trial="My second, unique reflection text")
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "already logged a day at this library on this date" in html
    assert "My second, unique reflection text" in html
    with app.app_context():
        assert len(db.session.scalars(select(ShadowDay)).all()) == 1


def test_missing_host_and_bad_email_are_explained_in_dutch(app, client, lms):
    ltik = launch_ltik(client, lms, locale="nl")
    response = _add_day(client, ltik, host_library="", host_library_other="",
                        host_contact_email="not-an-email", activities="Mijn tekst blijft staan")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "geldig e-mailadres" in html
    assert "Mijn tekst blijft staan" in html
    response = _add_day(client, ltik, host_library="", host_library_other="")
    assert "Kies de gastbibliotheek" in response.get_data(as_text=True)


def test_other_library_by_name(app, client, lms):
    ltik = launch_ltik(client, lms)
    response = _add_day(client, ltik, host_library="other", host_library_other="Bibliotheek Rijksmuseum")
    assert response.status_code == 302
    with app.app_context():
        day = db.session.scalars(select(ShadowDay)).one()
        assert day.host_library_name == "Bibliotheek Rijksmuseum" and day.host_library_id is None


def test_learner_sees_and_changes_only_their_own_days(app, client, lms):
    anna = launch_ltik(client, lms, sub="anna")
    day_id = _day_id(_add_day(client, anna))
    bram = launch_ltik(client, lms, sub="bram", name="Bram Jansen")
    assert client.get(f"/shadowing/{day_id}?ltik={bram}").status_code == 404
    before = snapshot(app)
    token = _csrf(client, f"/shadowing/new?ltik={bram}")
    for path in (f"/shadowing/{day_id}/edit", f"/shadowing/{day_id}/submit",
                 f"/shadowing/{day_id}/delete"):
        response = client.post(f"{path}?ltik={bram}", data={"csrf_token": token, **_day_data()})
        assert response.status_code == 404
    assert snapshot(app) == before
    assert client.get(f"/trainer/shadowing?ltik={bram}").status_code == 403


def test_trainer_sees_only_days_of_their_own_course(app, client, lms):
    anna = launch_ltik(client, lms, sub="anna", context_id="course-A")
    day_id = _day_id(_add_day(client, anna))
    other_trainer = launch_ltik(client, lms, sub="t2", roles=INSTRUCTOR, context_id="course-B",
                                name="Tom Trainer")
    assert "Anna" not in client.get(f"/trainer/shadowing?ltik={other_trainer}").get_data(as_text=True)
    url = f"/trainer/shadowing/{day_id}?ltik={other_trainer}"
    assert client.get(url).status_code == 404
    before = snapshot(app)
    response = client.post(url, data={"csrf_token": _csrf(client, f"/shadowing/new?ltik={other_trainer}"),
                                      "decision": "confirm"})
    assert response.status_code == 404
    assert snapshot(app) == before


def test_every_change_is_recorded_with_who(app, client, lms):
    ltik = launch_ltik(client, lms)
    day_id = _day_id(_add_day(client, ltik))
    edit_url = f"/shadowing/{day_id}/edit?ltik={ltik}"
    client.post(edit_url, data={"csrf_token": _csrf(client, edit_url), **_day_data(department="Helpdesk")})
    with app.app_context():
        events = db.session.scalars(select(ShadowDayEvent).order_by(ShadowDayEvent.id)).all()
        assert [(e.action, e.actor_kind, e.actor_name) for e in events] == [
            ("created", "learner", "Anna de Vries"), ("updated", "learner", "Anna de Vries")]


def test_expired_link_page_has_the_410_title_in_both_languages(app, client, lms):
    """Regression: errors.py had no title for 410, so the host saw "Something went
    wrong on our side" for a link that had only expired."""
    ltik = launch_ltik(client, lms)
    day_id = _day_id(_add_day(client, ltik))
    link, _ = _submit(client, ltik, day_id)
    with app.app_context():
        from lti_app.timeutil import utc_now

        day = db.session.get(ShadowDay, day_id)
        day.confirmation_expires_at = utc_now() - timedelta(seconds=1)
        db.session.commit()
    english = _open(app.test_client(), link, **{"Accept-Language": "en"})
    assert english.status_code == 410
    html = english.get_data(as_text=True)
    assert "This link has expired or has been used" in html
    assert "Something went wrong" not in html
    dutch = _open(app.test_client(), link, **{"Accept-Language": "nl"})
    assert dutch.status_code == 410
    assert "Deze link is verlopen of al gebruikt" in dutch.get_data(as_text=True)
