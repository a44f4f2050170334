"""The host's link in a real browser: the token in the fragment is posted by the
page's script and leaves the address bar; no request carries it in its URL."""

from __future__ import annotations

from datetime import date, timedelta


def test_host_opens_the_link_and_confirms(browser, live_server):
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.people.models import Person
    from lti_app.platforms.models import Platform
    from lti_app.shadowing import service
    from lti_app.shadowing.host_links import host_token
    from lti_app.shadowing.models import ShadowDay

    app = live_server["app"]
    with app.app_context():
        platform = db.session.scalars(select(Platform)).first()
        if platform is None:  # the demo LMS registers itself on its first page
            context = browser.new_context()
            context.new_page().goto(f"{live_server['lms']}/dev/")
            context.close()
            platform = db.session.scalars(select(Platform)).first()
        person = Person(platform_id=platform.id, sub="host-test", name="Anna de Vries")
        db.session.add(person)
        db.session.flush()
        day = ShadowDay(person_id=person.id, day=date.today() - timedelta(days=2),
                        host_library_id="leiden", host_library_name="Universitaire Bibliotheken Leiden",
                        host_key="leiden", status="planned", reflection="Goed bezoek",
                        department="Team Open Science")
        db.session.add(day)
        db.session.flush()
        invitation = service.submit_day(day=day, actor_name="Anna", today=date.today())
        token = host_token(day.id, invitation.token_id)
        db.session.commit()
        day_id = day.id

    context = browser.new_context(locale="en-GB")
    requested = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.goto(f"{live_server['tool']}/host/#t={token}")
    page.wait_for_selector("text=Team Open Science")
    assert token not in page.url  # out of the address bar (and the history)
    page.check("input[value=confirm]")
    page.fill("#name", "Joke Hendriks")
    with page.expect_navigation():
        page.click("main button")
    assert "The day is confirmed" in page.inner_text("main")
    assert not any(token in url for url in requested), requested
    context.close()
    with app.app_context():
        assert db.session.get(ShadowDay, day_id).status == "confirmed"
