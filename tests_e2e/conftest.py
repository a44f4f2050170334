"""The end-to-end suite against a real Moodle (`make test-moodle`).

Session fixtures: a Moodle installed from MOODLE_TARBALL (e2e/moodle/site.py),
the tool served for real on http://127.0.0.1:<free port> with a fresh database
of its own and the demo LMS off, Debian's Chromium through Playwright, and the
tool registered in Moodle by dynamic registration through Moodle's own pages.

Without MOODLE_TARBALL every test is skipped. A machine without PHP,
PostgreSQL or Chromium skips too, except in CI (CI=true), where that fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from e2e.moodle.site import (
    ADMIN_PASSWORD, ADMIN_USER, Moodle, free_port, missing_requirements, wait_for)

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).parent
TARBALL = os.environ.get("MOODLE_TARBALL", "").strip()
IN_CI = os.environ.get("CI", "").lower() == "true"
INSTITUTION = "Universiteitsbibliotheek E2E"

_state: dict = {"timings": {}, "tests": []}


def _missing() -> list[str]:
    missing = missing_requirements()
    if not os.path.exists(CHROMIUM):
        missing.append("Debian's chromium (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("Playwright (pip install -e '.[test]')")
    return missing


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    mine = [item for item in items if HERE in item.path.parents]
    for item in mine:
        item.add_marker(pytest.mark.moodle)
    if not mine:
        return
    if not TARBALL:
        reason = ("no Moodle source: set MOODLE_TARBALL=/path/to/moodle-*.tar.xz "
                  "(make test-moodle uses ../shared/lms/moodle-4.5.5plus.tar.xz when it exists)")
    elif not Path(TARBALL).is_file():
        raise pytest.UsageError(f"MOODLE_TARBALL={TARBALL} is not a file")
    else:
        missing = _missing()
        if missing and IN_CI:
            raise pytest.UsageError("CI=true, but this machine lacks " + "; ".join(missing))
        reason = ("this machine lacks " + "; ".join(missing)) if missing else None
    if reason:
        for item in mine:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_configure(config):
    # A CI job that is stopped sends SIGTERM: turn it into KeyboardInterrupt so
    # that pytest still runs the finalizers (PHP's server group, the databases).
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcome = "xfail" if hasattr(report, "wasxfail") else report.outcome
        _state["tests"].append((report.nodeid.split("::")[-1], report.when,
                                report.duration, outcome))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report shows what each of its browser pages and frames showed."""
    outcome = yield
    report = outcome.get_result()
    browsing = getattr(item, "funcargs", {}).get("browsing")
    if not report.failed or browsing is None:
        return
    for context in browsing.contexts:
        for page in context.pages:
            for frame in page.frames:
                try:
                    text = frame.locator("body").inner_text(timeout=2000)[:1500]
                except Exception as exc:  # the page may be gone; the report is best effort
                    text = f"({exc.__class__.__name__})"
                report.sections.append((f"browser: {frame.url[:120]}", text))


def pytest_terminal_summary(terminalreporter):
    timings, tests = _state["timings"], _state["tests"]
    if not timings and not tests:
        return
    write = terminalreporter.write_line
    terminalreporter.section("Moodle end-to-end: time")
    for name, seconds in timings.items():
        write(f"{seconds:8.1f} s  {name}")
    for name, when, seconds, outcome in tests:
        write(f"{seconds:8.1f} s  {name} ({outcome}{', setup' if when == 'setup' else ''})")
    if "started" in _state:
        whole = time.monotonic() - _state["started"]
        write(f"{whole:8.1f} s  whole Moodle part (install and tests)")
    site = _state.get("moodle")
    if site is not None and terminalreporter.stats.get("failed"):
        terminalreporter.section("PHP server log (last lines)")
        write(site.log_tail())


@pytest.fixture
def timings() -> dict:
    """Named durations (seconds) for the summary at the end of the run."""
    return _state["timings"]


# -- Moodle ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def moodle(request) -> Moodle:
    _state["started"] = time.monotonic()
    site = Moodle(Path(TARBALL), port=int(os.environ.get("MOODLE_PORT", "8080")))
    _state["moodle"] = site
    request.addfinalizer(site.destroy)  # first: it undoes whatever build() got to
    site.build()
    _state["timings"].update({f"Moodle: {k}": v for k, v in site.timings.items()})
    return site


# -- the tool --------------------------------------------------------------------------
@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    cookie_names: tuple[str, ...]
    from_browser: bool  # Chromium's, not Moodle's server calling (token, cartridge check)


class RequestLog:
    """WSGI middleware: what each request brought (cookie names, never values)."""

    def __init__(self, wsgi_app, seen: list) -> None:
        self.wsgi_app, self.seen = wsgi_app, seen

    def __call__(self, environ, start_response):
        cookies = [part.split("=", 1)[0].strip()
                   for part in environ.get("HTTP_COOKIE", "").split(";") if part.strip()]
        self.seen.append(SeenRequest(
            environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), tuple(cookies),
            "Mozilla" in environ.get("HTTP_USER_AGENT", "")))
        return self.wsgi_app(environ, start_response)


@dataclass
class Tool:
    base: str
    app: object = field(repr=False)
    requests: list = field(repr=False)  # SeenRequest, in order

    def url(self, path: str) -> str:
        return self.base + path

    def cli(self, *args: str) -> str:
        """`flask --app lti_app <args>` in-process, on the served app."""
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, f"flask {' '.join(args)}: {result.output}"
        return result.output


@pytest.fixture(scope="session")
def tool(request, tmp_path_factory) -> Tool:
    import psycopg
    from werkzeug.serving import make_server

    from lti_app import create_app
    from lti_app.extensions import db

    name = f"kd_moodle_e2e_{os.getpid()}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    request.addfinalizer(drop)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
        "SECRET_KEY": "moodle-e2e-secret-key-0123456789abcdef",
        "DEMO_LMS_ENABLED": False,
        "TOOL_BASE_URL": base,
        # Moodle here is http://localhost:<port>: an http LMS on a loopback address.
        "LTI_ALLOW_HTTP_PLATFORMS": True,
        "LTI_REGISTRATION_ALLOW_PRIVATE_HOSTS": True,
    }, instance_path=str(tmp_path_factory.mktemp("tool-instance")))
    with app.app_context():
        db.create_all()
    seen: list = []
    app.wsgi_app = RequestLog(app.wsgi_app, seen)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    request.addfinalizer(stop)  # runs before drop()
    return Tool(base=base, app=app, requests=seen)


# -- the browser -----------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking",
                  # PHP's server listens on 127.0.0.1 only; Moodle is "localhost".
                  "--host-resolver-rules=MAP localhost 127.0.0.1"])
        yield browser
        browser.close()


class Browsing:
    """New browser contexts, logged in to Moodle as somebody."""

    def __init__(self, browser, moodle: Moodle) -> None:
        self.browser, self.moodle = browser, moodle
        self.contexts: list = []

    def as_user(self, username: str, password: str):
        context = self.browser.new_context(viewport={"width": 1280, "height": 900},
                                           locale="en-GB")
        # Generous: CI machines have two CPUs and other jobs; each wait is for a condition.
        context.set_default_timeout(30_000)
        self.contexts.append(context)
        page = context.new_page()
        log_in(page, self.moodle, username, password)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def log_in(page, moodle: Moodle, username: str, password: str) -> None:
    # networkidle: the login page's own AJAX calls must be done before the form
    # is posted; a POST racing them loses the login token (measured: 2 in 8).
    page.goto(moodle.url("/login/index.php"), wait_until="networkidle")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("#loginbtn")
    assert "/login/" not in page.url, f"{username} could not log in: " + \
        page.locator("body").inner_text()[:300]


@pytest.fixture
def browsing(browser, moodle):
    browsing = Browsing(browser, moodle)
    yield browsing
    browsing.close()


# -- the registration ------------------------------------------------------------------
@dataclass
class Registration:
    type_id: int
    client_id: str
    platform_id: int


@pytest.fixture(scope="session")
def registration(moodle, tool, browser) -> Registration:
    """Site admin -> Plugins -> Activity modules -> External tool -> Manage tools ->
    Tool URL -> Add LTI Advantage -> the tool's page in Moodle's frame -> Register
    -> Close -> Activate; then the tool's operator approves (flask platform approve)."""
    started = time.monotonic()
    browsing = Browsing(browser, moodle)
    try:
        page = browsing.as_user(ADMIN_USER, ADMIN_PASSWORD)
        page.goto(moodle.url("/mod/lti/toolconfigure.php"), wait_until="networkidle")
        page.fill("#tool-url", tool.url("/lti/register"))
        page.click("#tool-create-button")  # "Add LTI Advantage"
        # Moodle's startltiadvregistration.php, redirected to the tool's /lti/register.
        frame = page.frame_locator("iframe[src*='startltiadvregistration.php']")
        frame.locator("main h1").wait_for()
        assert "Register" in frame.locator("main h1").inner_text(), \
            frame.locator("main").inner_text()
        frame.get_by_role("button", name="Register").click()
        frame.get_by_role("heading", name="Registered, waiting for approval").wait_for()
        frame.get_by_role("button", name="Close").click()  # postMessage lti.close
        card = page.locator(".tool-card", has_text="Kennisdeling")
        card.locator(".badge", has_text="Pending").wait_for()
        card.locator("a.activate").click()
        card.locator("a.activate").wait_for(state="detached")
    finally:
        browsing.close()
    rows = moodle.query("SELECT id, clientid, state FROM mdl_lti_types WHERE name = %s",
                        ("Kennisdeling",))
    assert len(rows) == 1 and rows[0][2] == 1, rows  # 1: LTI_TOOL_STATE_CONFIGURED
    type_id, client_id = rows[0][0], rows[0][1]

    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.platforms.models import Platform

    with tool.app.app_context():
        platform = db.session.scalars(select(Platform).where(
            Platform.issuer == moodle.wwwroot, Platform.client_id == client_id)).one()
        platform_id = platform.id
        db.session.remove()
    pending = tool.cli("platform", "list", "--pending")
    assert client_id in pending
    tool.cli("platform", "approve", str(platform_id), "--institution", INSTITUTION, "--yes")
    _state["timings"]["Moodle: dynamic registration (UI) and approval"] = \
        time.monotonic() - started
    return Registration(type_id=type_id, client_id=client_id, platform_id=platform_id)


__all__ = ["Registration", "Tool", "log_in", "wait_for"]
