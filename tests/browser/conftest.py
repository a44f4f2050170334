"""A live tool server and Debian's Chromium, driven by Playwright.

The demo LMS page is opened on http://localhost:<port> and embeds the tool from
http://127.0.0.1:<port>: another site, as Moodle or Canvas embed it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).parent


def _missing() -> str | None:
    """What the browser tests lack on this machine, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not (shutil.which("chromium") or os.path.exists(CHROMIUM)):
        return "Debian's chromium is not installed (apt-get install chromium)"
    return None


@pytest.hookimpl(tryfirst=True)  # before -m selects: the mark must already be there
def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test; without a browser it is skipped."""
    missing = None if os.environ.get("REQUIRE_BROWSER") else _missing()
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason=missing))


@pytest.fixture(autouse=True, scope="session")
def _browser_required():
    # CI sets REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
    missing = _missing()
    if missing:
        pytest.fail(f"REQUIRE_BROWSER=1, but {missing}", pytrace=False)


@pytest.fixture
def live_server(app, database_uri, tmp_path):
    from tests.conftest import make_app

    port_holder = {}
    server_app = make_app(database_uri, tmp_path / "live-instance", TESTING=False,
                          DEMO_LMS_ENABLED=True)
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    port = server.server_port
    server_app.config["DEMO_LMS_TOOL_URL"] = f"http://127.0.0.1:{port}"
    # The LMS page is on localhost: its issuer, and every URL it sends, too.
    server_app.config["DEMO_LMS_ISSUER"] = f"http://localhost:{port}/dev"
    # The login step is framed by the demo LMS's http:// page.
    server_app.config["LTI_ALLOW_HTTP_PLATFORMS"] = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port_holder["port"] = port
    yield {"lms": f"http://localhost:{port}", "tool": f"http://127.0.0.1:{port}",
           "app": server_app}
    server.shutdown()
    server.server_close()
    with server_app.app_context():
        from lti_app.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking",
                  # localhost must reach our IPv4-only test server; so must the
                  # *.localhost sites of the demo LMS's Canvas profile (sso., …)
                  "--host-resolver-rules=MAP localhost 127.0.0.1, MAP *.localhost 127.0.0.1",
                  # Responses that Playwright fulfils (the cookie-stripping route)
                  # lose their address space, and Chromium's Local Network Access
                  # checks would then block the iframe's next hop to localhost; in
                  # a real deployment every party is public and this never arises.
                  "--disable-features=LocalNetworkAccessChecks"],
        )
        yield browser
        browser.close()


@pytest.fixture(params=["cookies", "no-third-party-cookies"])
def lms_page(request, browser, live_server):
    """A browser tab on the demo LMS; in the second run the tool's cookies are dropped.

    Dropping every Set-Cookie of the tool's site is what Safari (and Chrome with
    third-party cookies blocked, for non-partitioned cookies) does to a tool in
    an iframe; the tool must then work through the platform's storage.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  accept_downloads=True, locale="nl-NL")
    if request.param == "no-third-party-cookies":
        tool_host = urlsplit(live_server["tool"]).hostname

        def strip_cookies(route):
            # The browser follows redirects itself (as without the route), so a
            # frame's URL is the page it shows, not the POST that led there.
            # route.fetch itself keeps a redirect's Set-Cookie in the context's
            # jar (a 302 from /lti/login): clear the tool's cookies around every
            # request of it, as Safari keeps none for a third-party frame.
            context.clear_cookies(domain=tool_host)
            response = route.fetch(max_redirects=0)
            context.clear_cookies(domain=tool_host)
            headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
            route.fulfill(response=response, headers=headers)

        context.route(f"{live_server['tool']}/**", strip_cookies)
    page = context.new_page()
    page.goto(f"{live_server['lms']}/dev/")
    yield page
    if request.param == "no-third-party-cookies":
        # The run really went without the tool's cookies.
        assert context.cookies(live_server["tool"]) == []
    # Requests still in flight when a test ends (or fails) must not raise in
    # the route handler during the next test.
    context.unroute_all(behavior="ignoreErrors")
    context.close()
