"""Who may frame which page: per launch, per platform, parsed strictly; never `*`.

Findings of "Trust between institutions": a return_url `https://evil.example *`
was stored and framed every page for everyone; every platform's origins framed
every other platform's users; a request to /dev/ with a forged Host header
registered a platform and added its origin to everyone's frame-ancestors.
"""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import inspect, select, text

from lti_app.extensions import db
from lti_app.origins import origin_of
from lti_app.platforms.models import Platform
from tests.conftest import make_app
from tests.db_snapshot import snapshot
from tests.demo_lms.conftest import launch_id_token
from tests.fake_lms import FakeLms
from tests.test_migrations import engine, flask_db  # noqa: F401 - fixtures

MOODLE = "https://moodle.example.edu"
CANVAS = "https://canvas.instructure.com"
CUSTOMER = "https://uu.instructure.com"


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]*)", policy).group(1)


def landing_page(client, launch_response):
    assert launch_response.status_code == 303, launch_response.get_data(as_text=True)
    return client.get(launch_response.headers["Location"], follow_redirects=True)


def frame_origins(app, issuer: str) -> str | None:
    with app.app_context():
        value = db.session.scalar(select(Platform.frame_origins).where(Platform.issuer == issuer))
        db.session.remove()
        return value


@pytest.fixture
def canvas_too(app, lms):
    """A second institution: a hosted Canvas next to the Moodle of `lms`."""
    return FakeLms(app, lms.mock, product="canvas", issuer=CANVAS,
                   client_id="10000000000042", deployment_id="7:abc", key_slot=1)


# -- the origin parser -------------------------------------------------------------
@pytest.mark.parametrize("url,origin", [
    ("https://LMS.Example.NL/course/view.php?id=1", "https://lms.example.nl"),
    ("HTTPS://lms.example.nl", "https://lms.example.nl"),
    ("https://lms.example.nl:443/x", "https://lms.example.nl"),
    ("http://lms.example.nl:80", "http://lms.example.nl"),
    ("https://lms.example.nl:8443/", "https://lms.example.nl:8443"),
    ("http://127.0.0.1:5000/dev", "http://127.0.0.1:5000"),
    ("http://[2001:DB8:0:0::1]:8080/x", "http://[2001:db8::1]:8080"),
    ("https://[::1]/", "https://[::1]"),
    ("https://bücher.example/", "https://xn--bcher-kva.example"),
    ("http://localhost:5000", "http://localhost:5000"),
])
def test_an_origin_is_rebuilt_from_scheme_host_and_port(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize("url", [
    "https://evil.example *", "https://evil.example%20*", "*", "https://*",
    "https://*.example.nl", "'none'", "https://'none'", "'self'",
    "https://a.example;script-src", "https://a.example,https://b.example",
    "https://a.example https://b.example", "https://lms .example", "https://lms\t.example",
    "https://lms.example\n", "https://user:secret@lms.example", "https://lms.example@evil.example",
    "https://lms.example:", "https://lms.example:abc", "https://lms.example:0",
    "https://lms.example:99999", "https://lms.example:+443", "https://lms.example.nl.",
    "https://-lms.example", "https://1.2.3", "https://[fe80::1%25eth0]", "https://[::1",
    "javascript:alert(1)", "data:text/html,x", "ftp://lms.example", "https:lms.example",
    "//lms.example", "https://", "", None,
])
def test_anything_that_is_not_plainly_an_origin_is_refused(url):
    assert origin_of(url) is None


# -- finding 2: `*` through a launch's return_url ------------------------------------
def test_a_return_url_with_a_star_is_not_stored_and_frames_nothing(app, client, lms, canvas_too):
    before = snapshot(app)["platforms"]
    attack = lms.launch(client, return_url="https://evil.example *")
    page = landing_page(client, attack)
    assert page.status_code == 200
    assert snapshot(app)["platforms"] == before  # no learned origin stored
    assert frame_origins(app, MOODLE) is None
    own = frame_ancestors(page)
    assert "*" not in own and "evil.example" not in own
    assert own == f"'self' {MOODLE}"
    # ... nor for the other institution's users.
    other = frame_ancestors(landing_page(client, canvas_too.launch(client, sub="u-2")))
    assert "*" not in other and "evil.example" not in other


def test_a_stored_origin_that_fails_the_strict_parse_is_ignored(app, client, lms):
    with app.app_context():  # a row written before the strict parse
        platform = db.session.scalar(select(Platform).where(Platform.issuer == MOODLE))
        platform.frame_origins = "* 'none' https://a.example;b https://ok.example"
        db.session.commit()
    page = landing_page(client, lms.launch(client))
    assert frame_ancestors(page) == f"'self' {MOODLE} https://ok.example"


def test_the_migration_drops_stored_origins_that_fail_the_strict_parse(flask_db, engine):  # noqa: F811
    flask_db("upgrade", "3b7e1c0a9d42")
    columns = {c["name"]: c for c in inspect(engine).get_columns("platforms")}
    row = {"name": "Moodle", "issuer": MOODLE, "client_id": "c1",
           "auth_login_url": MOODLE + "/auth", "auth_token_url": MOODLE + "/token",
           "accepts_new_deployments": False, "created_at": "2026-01-01 00:00:00",
           "frame_origins": "* 'none' https://a.example;b https://ok.example"}
    if "status" in columns:
        row["status"] = "approved"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO platforms ({', '.join(row)}) "
                          f"VALUES ({', '.join(':' + k for k in row)})"), row)
    flask_db("upgrade")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT frame_origins FROM platforms")) == "https://ok.example"


# -- finding 2: one institution's origins frame only its own launches ------------------
def test_a_platform_frames_only_its_own_launches(app, client, lms, canvas_too):
    canvas_page = landing_page(client, canvas_too.launch(
        client, sub="u-2", return_url=CUSTOMER + "/courses/7/external_content/success"))
    assert frame_origins(app, CANVAS) == CUSTOMER  # learned for that platform only
    assert frame_origins(app, MOODLE) is None
    assert frame_ancestors(canvas_page) == f"'self' {CANVAS} {CUSTOMER}"

    moodle_page = landing_page(client, lms.launch(client, return_url=MOODLE + "/course/1"))
    moodle = frame_ancestors(moodle_page)
    assert moodle == f"'self' {MOODLE}"
    assert CANVAS not in moodle and CUSTOMER not in moodle


def test_an_error_page_of_a_launch_keeps_the_launchs_rule(app, client, lms, canvas_too):
    canvas_too.launch(client, sub="u-2", return_url=CUSTOMER + "/courses/7")
    ltik = re.search(r"ltik=([\w\-.]+)", lms.launch(client).headers["Location"]).group(1)
    forbidden = client.get(f"/trainer/?ltik={ltik}")  # a learner on the trainer's page
    assert forbidden.status_code == 403
    assert frame_ancestors(forbidden) == f"'self' {MOODLE}"


def test_an_error_page_outside_a_launch_may_be_framed_by_https_pages(app, client, lms):
    refused = lms.launch(client, claims=lambda c: c.update(
        {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "rogue-99"}))
    assert refused.status_code == 403  # shown in whatever LMS frame posted it
    assert frame_ancestors(refused) == "'self' https:"
    expired = client.get("/course?ltik=not-a-token")
    assert expired.status_code == 401
    assert frame_ancestors(expired) == "'self' https:"


def test_public_pages_may_not_be_framed(app, client, lms):
    lms.launch(client)  # a registered platform exists
    for path in ("/verify/some-code", "/host/code"):
        assert frame_ancestors(client.get(path)) == "'none'"


def test_the_login_step_may_be_framed_by_any_https_page(app, client, lms):
    fields = lms.platform.login_initiation(target_link_uri="http://localhost/lti/launch",
                                           login_hint="h", lti_message_hint="m")
    page = client.post("/lti/login", data={**fields, "lti_storage_target": "_parent"})
    assert page.status_code == 200  # the platform-storage page
    assert frame_ancestors(page) == f"'self' https: {MOODLE}"
    app.config["LTI_ALLOW_HTTP_PLATFORMS"] = True  # the http test switch
    page = client.post("/lti/login", data={**fields, "lti_storage_target": "_parent"})
    assert frame_ancestors(page) == f"'self' https: http: {MOODLE}"


def test_the_registration_page_is_framed_by_the_lms_being_registered(app, client):
    from tests.lti.test_registration import CANVAS_CONFIG_URL, canvas_config, serve, start

    with FakeLms.serving() as http:
        serve(http, CANVAS_CONFIG_URL, canvas_config())
        page = start(client, CANVAS_CONFIG_URL)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert frame_ancestors(page) == (
        f"'self' {CANVAS} https://school.instructure.com https://sso.canvaslms.com")


# -- finding 9: the demo LMS and a forged Host header ---------------------------------
def test_a_forged_host_header_on_the_demo_lms_changes_nothing(app, client):
    assert client.get("/dev/").status_code == 200  # the demo's registration, from config
    before = snapshot(app)
    forged = client.get("/dev/", base_url="http://attacker.example")
    assert forged.status_code == 200
    # A launch started under the forged host: the demo LMS's own URLs only.
    start = client.get("/dev/start", base_url="http://attacker.example",
                       query_string={"person": "anna", "link": "library-basics"})
    assert start.status_code == 200 and "attacker.example" not in start.get_data(as_text=True)
    assert snapshot(app) == before
    with app.app_context():
        assert list(db.session.scalars(select(Platform.issuer))) == ["http://localhost/dev"]
    claims, form = launch_id_token(client, {"person": "anna", "link": "library-basics"})
    assert claims["iss"] == "http://localhost/dev"
    page = landing_page(client, client.post("/lti/launch", data=form))
    assert frame_ancestors(page) == "'self' http://localhost"


def test_the_demo_lms_issuer_comes_from_configuration(app, client):
    app.config["DEMO_LMS_ISSUER"] = "https://demo.example.org/dev"
    client.get("/dev/", base_url="http://attacker.example")
    with app.app_context():
        platform = db.session.scalar(select(Platform))
        assert (platform.issuer, platform.auth_login_url) == (
            "https://demo.example.org/dev", "https://demo.example.org/dev/auth")


def test_a_loud_warning_when_the_demo_lms_runs_outside_debug_mode(database_uri, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        make_app(database_uri, tmp_path / "debug", DEBUG=True)
    assert "DEMO LMS" not in caplog.text
    with caplog.at_level(logging.WARNING):
        make_app(database_uri, tmp_path / "prod", TESTING=False)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("THE DEMO LMS IS ENABLED OUTSIDE DEBUG MODE" in r.getMessage() for r in warnings)
