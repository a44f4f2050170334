"""A slow or greedy platform cannot hold a worker: the key set fetch has one deadline
for the whole call, a byte cap, and a failure is remembered (no second call).

The platforms are real HTTP servers on 127.0.0.1 (tests/drip_server.py) that
send one byte every 0.2 s, far below any per-read socket timeout; the deadline
is set to 0.6 s.
"""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import update

from lti_app.extensions import db
from lti_app.lti import http
from lti_app.platforms.models import Platform
from tests.db_snapshot import snapshot
from tests.drip_server import drip_server

DEADLINE = 0.6
MARGIN = 1.0  # the watchdog, the launch's own work, a loaded test machine


@pytest.fixture
def platform_server(app, lms):
    app.config.update(LTI_JWKS_TIMEOUT=DEADLINE, OUTBOUND_TIMEOUT=DEADLINE)
    lms.mock.add_passthru("http://127.0.0.1")
    with drip_server() as server:
        yield server


def _use_key_set(app, url: str) -> None:
    with app.app_context():
        db.session.execute(update(Platform).values(jwks_url=url))
        db.session.commit()


def _timed_launch(client, lms, **kwargs):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    start = time.monotonic()
    response = lms.launch(client, **kwargs)
    return response, time.monotonic() - start


@pytest.mark.parametrize("path", ["/certs/drip-head", "/certs/drip-body"])
def test_a_dripping_key_set_is_refused_within_the_deadline_and_remembered(
        app, client, lms, platform_server, path):
    lms.launch(client, sub="existing-user")  # the database is not empty
    _use_key_set(app, platform_server.url(path))
    before = snapshot(app)

    response, took = _timed_launch(client, lms, sub="attacker")
    text = response.get_data(as_text=True)
    assert response.status_code == 503, text
    assert "public keys could not be fetched" in text and "Traceback" not in text
    assert took < DEADLINE + MARGIN, took
    assert platform_server.hits[path] == 1
    assert snapshot(app) == before

    # Within the failure memory: refused at once, the platform is not asked again.
    response, took = _timed_launch(client, lms, sub="attacker")
    assert response.status_code == 503 and took < 0.5, took
    assert platform_server.hits[path] == 1
    assert snapshot(app) == before


def test_the_refusal_is_in_the_users_language(app, client, lms, platform_server):
    _use_key_set(app, platform_server.url("/certs/drip-body"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    response = lms.launch(client, sub="attacker")
    assert response.status_code == 503
    assert "publieke sleutels van de leeromgeving" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/certs/big", "/certs/big-unannounced", "/certs/deep"])
def test_an_oversized_or_too_deep_key_set_is_refused(app, client, lms, platform_server, path):
    _use_key_set(app, platform_server.url(path))
    before = snapshot(app)
    response, took = _timed_launch(client, lms, sub="attacker")
    text = response.get_data(as_text=True)
    assert response.status_code == 503, text
    assert "public keys could not be fetched" in text and "Traceback" not in text
    assert snapshot(app) == before
    response, _took = _timed_launch(client, lms, sub="attacker")
    assert response.status_code == 503 and platform_server.hits[path] == 1


def test_a_working_platform_after_the_memory_expires_is_asked_again(
        app, client, lms, platform_server, monkeypatch):
    """The memory is short: once it has passed, the platform is asked again."""
    _use_key_set(app, platform_server.url("/certs/drip-body"))
    assert _timed_launch(client, lms)[0].status_code == 503
    app.config["OUTBOUND_FAILURE_MEMORY"] = 0  # as if the 30 s had passed
    assert _timed_launch(client, lms)[0].status_code == 503
    assert platform_server.hits["/certs/drip-body"] == 2


def test_the_bounded_session_limits_any_call(app, platform_server):
    """The helper itself: deadline, byte cap and depth, outside a launch."""
    with app.app_context():
        session = http.BoundedSession("token", deadline=DEADLINE)
        start = time.monotonic()
        with pytest.raises(http.DeadlineExceeded):
            session.post(platform_server.url("/token/drip-head"), data={"a": "b"})
        assert time.monotonic() - start < DEADLINE + MARGIN
        with pytest.raises(http.RecentlyFailed):  # remembered: no second request
            session.post(platform_server.url("/token/drip-head"), data={"a": "b"})
        assert platform_server.hits["/token/drip-head"] == 1
        with pytest.raises(http.BodyTooLarge):  # 100 KB > the token's 16 KB
            session.get(platform_server.url("/token/big"))
        with pytest.raises(http.UnsafeBody):
            http.BoundedSession("roster", deadline=DEADLINE).get(
                platform_server.url("/roster/deep"))
        assert session.get(platform_server.url("/token/ok")).json() == {}
    assert http.json_too_deep(b'{"a": [[[]]], "b": "[[[[[[["}', limit=4) is False
    assert http.json_too_deep(b"[[[[]]]]", limit=3) is True


def test_while_one_launch_waits_for_a_slow_key_set_the_others_do_not(
        app, client, lms, platform_server):
    """Single flight: three launches at once from a platform whose key set drips
    send one request; the others wait for it (not for a deadline of their own)
    and are refused when it fails."""
    import threading

    _use_key_set(app, platform_server.url("/certs/drip-body"))
    clients = [app.test_client() for _ in range(3)]
    forms = []
    for browser in clients:
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        auth = lms.login(browser)
        token = lms.id_token(auth, lms.launch_request(sub="attacker"))
        forms.append({"id_token": token, "state": auth["state"]})
    results: list[tuple[int, float]] = []

    def launch(browser, form):
        start = time.monotonic()
        response = browser.post("/lti/launch", data=form)
        results.append((response.status_code, time.monotonic() - start))

    threads = [threading.Thread(target=launch, args=pair) for pair in zip(clients, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(status for status, _took in results) == [503, 503, 503]
    took = sorted(seconds for _status, seconds in results)
    assert took[2] < DEADLINE + MARGIN, took
    assert platform_server.hits["/certs/drip-body"] == 1


def test_a_launch_that_comes_while_a_slow_fetch_runs_is_refused_at_once(
        app, client, lms, platform_server, monkeypatch):
    """A fetch that has run longer than a healthy platform needs marks the
    platform slow: a launch arriving then does not wait for it."""
    app.config["LTI_JWKS_IN_FLIGHT_WAIT"] = 0.2
    app.config.update(LTI_JWKS_TIMEOUT=3.0)
    _use_key_set(app, platform_server.url("/certs/drip-body"))
    import threading

    first = app.test_client()
    auth = lms.login(first)
    form = {"id_token": lms.id_token(auth, lms.launch_request(sub="a")), "state": auth["state"]}
    thread = threading.Thread(target=lambda: first.post("/lti/launch", data=form))
    thread.start()
    time.sleep(0.5)  # the first fetch has run 0.5 s: longer than the in-flight wait
    response, took = _timed_launch(client, lms, sub="b")
    thread.join(10)
    assert response.status_code == 503 and took < 0.3, took
    assert platform_server.hits["/certs/drip-body"] == 1


def _three_launches_at_once(app, lms) -> list[int]:
    """Three learners' launches sent together, nothing cached yet; their statuses.
    The key set takes 0.3 s to answer (a normal LMS): the others arrive meanwhile."""
    import threading

    import responses

    # Room for a busy CI machine: the waiting launches must see the fetch end,
    # not the wait's limit (the limit has a test of its own, above).
    app.config["LTI_JWKS_IN_FLIGHT_WAIT"] = 5.0

    def slowish(request):
        time.sleep(0.3)
        return 200, {}, json.dumps(lms.platform.jwks())

    lms.mock.remove(responses.GET, lms.platform.jwks_url)
    lms.mock.add_callback(responses.GET, lms.platform.jwks_url, callback=slowish)
    clients = [app.test_client() for _ in range(3)]
    forms = []
    for browser in clients:
        auth = lms.login(browser)
        forms.append({"id_token": lms.id_token(auth, lms.launch_request(sub="anna")),
                      "state": auth["state"]})
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda b, f: statuses.append(
        b.post("/lti/launch", data=f).status_code), args=pair)
        for pair in zip(clients, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return statuses


def test_launches_at_once_share_one_key_set_fetch(app, lms):
    """A healthy platform, nothing cached yet (the first launches of a morning):
    every launch passes, and the key set is fetched once."""
    assert _three_launches_at_once(app, lms) == [303, 303, 303]
    assert lms.jwks_fetches == 1


def test_a_launch_waiting_for_the_fetch_finds_its_result_stored(app, lms, monkeypatch):
    """The fetching worker reads the answer after the response has come (here:
    slowly, as a worker the CPU is taken from would). Under the first load run
    of a class, a waiting launch saw the fetch end before its key set was
    stored, and was refused (503): the single flight now holds both."""
    from lti_app.lti import platform_keys

    read_max_age = platform_keys._max_age

    def slow_max_age(*args):
        time.sleep(0.5)
        return read_max_age(*args)

    monkeypatch.setattr(platform_keys, "_max_age", slow_max_age)
    assert _three_launches_at_once(app, lms) == [303, 303, 303]
    assert lms.jwks_fetches == 1
