"""Two app instances on one database behave as one tool (several workers or hosts)."""

from __future__ import annotations

from tests.conftest import make_app


def test_login_on_one_instance_launch_on_another(app, database_uri, tmp_path, lms):
    other = make_app(database_uri, tmp_path / "other-instance")
    browser = app.test_client()
    auth = lms.login(browser)
    token = lms.id_token(auth, lms.launch_request(sub="roaming"))

    # Same browser (cookie jar), next request handled by the other instance.
    second_host = other.test_client()
    for cookie in browser._cookies.values():
        second_host.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    response = second_host.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert response.status_code == 303

    # ...and the page after it on the first instance again.
    page = browser.get(response.headers["Location"], follow_redirects=True)
    assert page.status_code == 200 and "Anna de Vries" in page.get_data(as_text=True)
    with other.app_context():
        from lti_app.extensions import db

        db.engine.dispose()


def test_replay_on_another_instance_is_refused(app, database_uri, tmp_path, lms):
    other = make_app(database_uri, tmp_path / "other-instance")
    browser = app.test_client()
    auth = lms.login(browser)
    token = lms.id_token(auth, lms.launch_request())
    data = {"id_token": token, "state": auth["state"]}
    assert browser.post("/lti/launch", data=data).status_code == 303
    second_host = other.test_client()
    for cookie in browser._cookies.values():
        second_host.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    assert second_host.post("/lti/launch", data=data).status_code == 401
    with other.app_context():
        from lti_app.extensions import db

        db.engine.dispose()
