"""After the launch: the ltik keeps the session in links and forms, no cookie needed."""

from __future__ import annotations

import re

from tests.fake_lms import INSTRUCTOR


def _landing(client, lms, **kwargs):
    """The URL of the first page after the launch (redirects followed)."""
    response = lms.launch(client, **kwargs)
    assert response.status_code == 303
    location = response.headers["Location"]
    while True:
        page = client.get(location)
        if page.status_code not in (301, 302, 303):
            return location
        location = page.headers["Location"]


def test_page_links_and_forms_carry_the_launch_token(app, client, lms):
    location = _landing(client, lms)
    html = client.get(location).get_data(as_text=True)
    ltik = re.search(r"ltik=([\w\-.]+)", location).group(1)
    assert f'action="/language?ltik={ltik}"' in html


def test_navigation_works_without_any_cookie(app, client, lms):
    location = _landing(client, lms)
    cookieless = app.test_client(use_cookies=False)
    page = cookieless.get(location)
    assert page.status_code == 200 and "Welkom, Anna de Vries" in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers


def test_no_token_means_open_it_from_the_course(client):
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert "open the tool again" in response.get_data(as_text=True)


def test_tampered_token_is_refused(client, lms):
    location = _landing(client, lms)
    response = client.get(location[:-3] + "xyz")
    assert response.status_code == 401


def test_expired_token_is_refused(app, client, lms):
    location = _landing(client, lms)
    app.config["LTI_LAUNCH_LIFETIME"] = -1
    assert client.get(location).status_code == 401


def test_learner_cannot_open_trainer_pages(client, lms):
    location = _landing(client, lms)
    ltik = location.split("ltik=")[1]
    response = client.get(f"/trainer/?ltik={ltik}")
    assert response.status_code == 403


def test_language_switch_needs_csrf_token_and_works_cookieless(app, client, lms):
    location = _landing(client, lms, roles=INSTRUCTOR, sub="carla", name="Carla Visser")
    cookieless = app.test_client(use_cookies=False)
    html = cookieless.get(location).get_data(as_text=True)
    action = re.search(r'action="([^"]+)"', html).group(1).replace("&amp;", "&")
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    forged = cookieless.post(action, data={"lang": "en"})
    assert forged.status_code == 400
    assert "Welkom" in cookieless.get(location).get_data(as_text=True)  # nothing changed

    wrong = cookieless.post(action, data={"lang": "en", "csrf_token": token[:-4] + "AAAA"})
    assert wrong.status_code == 400

    ok = cookieless.post(action, data={"lang": "en", "csrf_token": token})
    assert ok.status_code == 302
    assert "Welcome, Carla Visser" in cookieless.get(location).get_data(as_text=True)


def test_csrf_token_of_one_launch_fails_in_another(app, client, lms):
    first = _landing(client, lms, sub="one")
    second = _landing(client, lms, sub="two")
    html = client.get(first).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    ltik_two = second.split("ltik=")[1]
    response = client.post(f"/language?ltik={ltik_two}", data={"lang": "en", "csrf_token": token})
    assert response.status_code == 400


def test_personal_pages_are_not_cached_and_leak_no_referrer(client, lms):
    page = client.get(_landing(client, lms))
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
