"""The host's confirmation token (valid 30 days) and the launch token (ltik) never
appear in a request line that an access log records."""

from __future__ import annotations

import html
import http.client
import logging
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from lti_app.extensions import db
from lti_app.request_log import StripQueryStrings, install_request_log_filter
from lti_app.shadowing.models import ShadowDay
from tests.db_snapshot import snapshot
from tests.learning.helpers import launch_ltik
from tests.shadowing.test_shadowing import _add_day, _day_id, _host_decide, _open, _submit

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_link_carries_its_token_only_in_the_fragment(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    day_id = _day_id(_add_day(client, ltik))
    link, code = _submit(client, ltik, day_id)
    # The mail the learner sends has the code too: a host without JavaScript enters it.
    page = client.get(f"/shadowing/{day_id}?ltik={ltik}").get_data(as_text=True)
    mail = unquote(html.unescape(re.search(r'href="(mailto:[^"]+)"', page).group(1)))
    assert code in mail and "/host/code" in mail and "/host/#t=" in mail
    parts = urlsplit("http://localhost" + link)
    token = parts.fragment.removeprefix("t=")
    assert parts.path == "/host/" and parts.query == "" and len(token) > 40
    # The whole confirmation: the token travels in POST bodies only.
    assert _host_decide(app, link, "confirm", name="Joke").status_code == 200
    with app.app_context():
        assert db.session.scalars(select(ShadowDay.status)).one() == "confirmed"


def test_old_links_in_sent_mails_still_work_once(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    day_id = _day_id(_add_day(client, ltik))
    link, _code = _submit(client, ltik, day_id)
    token = link.split("#t=")[1]
    host = app.test_client()
    moved = host.get(f"/host/confirm/{token}")
    assert moved.status_code == 303
    assert moved.headers["Location"].endswith(f"/host/#t={token}")
    assert _host_decide(app, moved.headers["Location"].replace("http://localhost", "")
                        ).status_code == 200
    before = snapshot(app)
    again = _open(app.test_client(), f"/host/#t={token}", **{"Accept-Language": "en"})
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_token_in_the_query_string_opens_nothing(app, client, lms):
    ltik = launch_ltik(client, lms, locale="en")
    link, _code = _submit(client, ltik, _day_id(_add_day(client, ltik)))
    token = link.split("#t=")[1]
    before = snapshot(app)
    page = app.test_client().get(f"/host/?t={token}")
    assert page.status_code == 200 and "Open Science team" not in page.get_data(as_text=True)
    assert app.test_client().get(f"/host/confirm?token={token}").status_code == 405
    assert snapshot(app) == before


def test_readme_gunicorn_access_log_format_logs_no_query_or_referer():
    text = README.read_text(encoding="utf-8")
    formats = re.findall(r"--access-logformat '([^']+)'", text)
    assert formats, "the README shows a gunicorn access-log format"
    for fmt in formats:
        assert "%(U)s" in fmt  # the path, without its query
        # request line, query, referer (our pages' URLs carry the ltik), full URL
        for forbidden in ("%(r)s", "%(q)s", "%(f)s", "{referer}i", "{raw_uri}"):
            assert forbidden not in fmt


@pytest.fixture
def dev_server(app):
    """The app behind werkzeug's own server, as `make run` serves it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def _request(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    connection.request(method, path, body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def test_dev_server_request_log_keeps_no_ltik_and_no_host_token(app, client, lms, dev_server,
                                                                caplog):
    ltik = launch_ltik(client, lms, locale="en")
    link, _code = _submit(client, ltik, _day_id(_add_day(client, ltik)))
    token = link.split("#t=")[1]
    caplog.set_level(logging.INFO, logger="werkzeug")
    assert _request(dev_server, "GET", f"/course?ltik={ltik}") == 200
    assert _request(dev_server, "GET", f"/host/confirm/{token}") == 303  # an old link
    _request(dev_server, "GET", "/host/")
    _request(dev_server, "POST", "/host/confirm", body=f"token={token}")
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", r.getMessage())  # without the colours
             for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /course HTTP/1.1" 200' in line for line in lines), lines
    assert any('"GET /host/confirm/[token] HTTP/1.1" 303' in line for line in lines), lines
    assert any('"POST /host/confirm HTTP/1.1"' in line for line in lines), lines
    text = "\n".join(lines)
    assert ltik not in text and token not in text and "ltik=" not in text


def test_the_filter_on_werkzeugs_record_format():
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1,
        '%s - - [%s] "%s" %s %s', ("127.0.0.1", "01/Dec/2026 10:00:00",
                                   "\x1b[32mGET /trainer/?ltik=abc.def-123&x=1 HTTP/1.1\x1b[0m",
                                   "303", "-"), None,
    )
    assert StripQueryStrings().filter(record) is True
    message = record.getMessage()
    assert "ltik" not in message and "abc.def-123" not in message
    assert "GET /trainer/ HTTP/1.1" in message
    bad = logging.LogRecord("werkzeug", logging.ERROR, __file__, 1,
                            "code 400, message Bad request syntax (%r)",
                            ("GET /course?ltik=secret HTTP/1.1 junk",), None)
    StripQueryStrings().filter(bad)
    assert "secret" not in bad.getMessage()
    # Installed by the app factory, once.
    filters = logging.getLogger("werkzeug").filters
    assert sum(isinstance(f, StripQueryStrings) for f in filters) == 1
    assert install_request_log_filter() in filters
    assert sum(isinstance(f, StripQueryStrings) for f in filters) == 1
