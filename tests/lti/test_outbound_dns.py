"""Outbound calls look their host up within their deadline, and connect to the
addresses they found (lti/outbound_dns.py, lti/http.py).

The platforms are real HTTP servers on 127.0.0.1 (tests/drip_server.py); the
system's resolver is replaced for the made-up names only.
"""

from __future__ import annotations

import socket
import threading

import pytest

from lti_app.lti import http
from tests.db_snapshot import snapshot
from tests.drip_server import drip_server
from tests.lti.test_registration import start

_real_getaddrinfo = socket.getaddrinfo


def _answers(port: int, *addresses: str) -> list[tuple]:
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]


@pytest.fixture
def resolver(monkeypatch):
    """names[host] = a function of the port giving getaddrinfo's answer;
    lookups[host] counts the lookups of that name."""
    names, lookups = {}, {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            lookups[host] = lookups.get(host, 0) + 1
            return names[host](port)
        return _real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names, lookups


def test_a_name_the_resolver_never_answers_fails_at_the_deadline_and_is_remembered(
        app, resolver):
    names, lookups = resolver
    asked, release, answered = threading.Event(), threading.Event(), threading.Event()

    def hang(port):
        asked.set()
        release.wait(30)
        answered.set()
        raise socket.gaierror("released")

    names["lms.hangs.example"] = hang
    app.config.update(OUTBOUND_FAILURE_MEMORY=60)
    try:
        with app.app_context():
            with pytest.raises(http.DeadlineExceeded):
                http.bounded_get("http://lms.hangs.example/certs", purpose="jwks",
                                 deadline=0.3)
            # The call gave up while the resolver still had not answered.
            assert asked.is_set() and not answered.is_set()
            # Remembered: the next call fails at once, without a second lookup.
            with pytest.raises(http.RecentlyFailed):
                http.bounded_get("http://lms.hangs.example/certs", purpose="jwks")
            assert lookups["lms.hangs.example"] == 1
    finally:
        release.set()


def test_a_host_is_reached_at_its_next_address_when_the_first_refuses(app, resolver):
    names, _ = resolver
    with drip_server() as server, app.app_context():
        # Nothing listens on 127.0.0.2 (the server is bound to 127.0.0.1).
        names["lms.two.example"] = lambda port: _answers(port, "127.0.0.2", "127.0.0.1")
        port = server.server_address[1]
        response = http.bounded_get(f"http://lms.two.example:{port}/certs", purpose="jwks")
        assert response.status_code == 200 and response.json() == {}
        assert server.hits["/certs"] == 1


def test_a_registration_url_that_rebinds_to_a_private_address_is_never_fetched(
        app, client, resolver):
    """DNS rebinding: the name answers a public address to the SSRF check, then
    127.0.0.1, where a service of the tool's own host would answer."""
    names, lookups = resolver
    app.testing = False
    app.config["LTI_ALLOW_HTTP_PLATFORMS"] = True  # http, but still no private hosts
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with drip_server() as server:
        port = server.server_address[1]

        def rebinding(port):
            first = lookups["moodle.rebind.example"] == 1
            return _answers(port, "145.100.190.243" if first else "127.0.0.1")

        names["moodle.rebind.example"] = rebinding
        before = snapshot(app)
        page = start(client, f"http://moodle.rebind.example:{port}/config")
        assert page.status_code == 400
        assert "private network" in page.get_data(as_text=True)
        assert lookups["moodle.rebind.example"] == 2  # the check, then the call's own
        assert sum(server.hits.values()) == 0
        assert snapshot(app) == before


def test_a_local_lms_is_fetched_where_local_hosts_are_allowed(app, client, resolver):
    """Debug and testing allow http to localhost: the call connects there."""
    names, _ = resolver
    names["localhost"] = lambda port: _answers(port, "127.0.0.1")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with drip_server() as server:
        port = server.server_address[1]
        page = start(client, f"http://localhost:{port}/config")
        # Fetched; its "{}" names no issuer, and the page says so.
        assert server.hits["/config"] == 1
        text = page.get_data(as_text=True)
        assert page.status_code == 502 and "does not match the configuration address" in text


def test_through_an_operators_proxy_on_a_private_address_registration_still_goes_out(
        app, client, resolver, monkeypatch):
    """The proxy's own address is private (as in most networks); the proxy, not
    the tool, looks the platform up."""
    from lti_app.lti import registration

    app.testing = False
    app.config["LTI_ALLOW_HTTP_PLATFORMS"] = True
    monkeypatch.setattr(registration.guard, "resolve", lambda host, port: ["145.100.190.243"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with drip_server() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        page = start(client, "http://moodle.proxied.example/config")
        # The proxy got the request for the platform's URL (its "{}" names no issuer).
        assert proxy.hits["http://moodle.proxied.example/config"] == 1
        assert page.status_code == 502
        assert "does not match the configuration address" in page.get_data(as_text=True)
