"""A hostile or slow LMS cannot hurt the roster: deep JSON, a 30,000-member page,
a dripping token or roster endpoint. The fetch runs as a background job; the
trainer's launch and the refresh button answer at once."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select, update

from lti_app.extensions import db
from lti_app.lti import nrps
from lti_app.people.models import Person
from lti_app.platforms.models import Platform
from lti_app.trainer.models import RosterSync
from tests.db_snapshot import snapshot
from tests.drip_server import drip_server
from tests.learning.helpers import form_tokens
from tests.trainer.conftest import NRPS_URL, launch_trainer
from tests.trainer.test_roster import finish_jobs, member, serve_page, serve_token

DEADLINE = 0.6


def _refresh_page(client, launch) -> str:
    page = client.get(launch.url("/trainer/"))
    token = form_tokens(page.get_data(as_text=True))["csrf_token"]
    started = time.monotonic()
    response = client.post(launch.url("/trainer/roster/refresh"), data={"csrf_token": token})
    assert response.status_code == 302 and time.monotonic() - started < 0.5
    finish_jobs()
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _persons(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


def test_deeply_nested_roster_json_is_a_clean_error(app, client, lms):
    serve_token(lms)
    ok = serve_page(lms, NRPS_URL + "?limit=100", [member(1)])
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()
    lms.mock.remove(ok)
    deep = '{"members": ' + "[" * 50_000 + "]" * 50_000 + "}"
    lms.mock.get(NRPS_URL, body=deep, content_type="application/json")
    before = snapshot(app)

    html = _refresh_page(client, launch)
    assert "The last attempt" in html and "could not read" in html
    assert "Member 1" in html  # the last roster still shows
    after = snapshot(app)
    assert {name for name in before if before[name] != after[name]} <= {"roster_syncs", "jobs"}
    with app.app_context():
        assert db.session.scalar(select(RosterSync.last_error)) == "invalid"


def _serve_huge_page(lms, count: int = 30_000) -> None:
    huge = [{"user_id": f"u{n}", "roles": []} for n in range(count)]
    lms.mock.get(NRPS_URL, body=json.dumps({"members": huge}),
                 content_type="application/json")


def test_a_page_of_30000_members_stops_at_the_cap(app, lms):
    serve_token(lms)
    _serve_huge_page(lms)  # ~0.9 MB: under the 2 MB page cap, over the member cap
    with app.app_context():
        from lti_app.platforms.service import find_platform

        platform = find_platform(lms.platform.issuer, lms.platform.client_id)
        fetched = nrps.fetch_members(platform, NRPS_URL)
        db.session.rollback()
    assert len(fetched.members) == nrps.MEMBER_CAP == 5000
    assert not fetched.is_complete


def test_a_capped_roster_is_stored_up_to_the_cap_and_said(app, client, lms, monkeypatch):
    monkeypatch.setattr(nrps, "MEMBER_CAP", 200)  # fewer rows to store; same page
    serve_token(lms)
    _serve_huge_page(lms)
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(launch.url("/trainer/")).get_data(as_text=True)
    assert "Incomplete: the LMS sent more members than the tool reads at once." in html
    assert ": 200 members." in html
    assert _persons(app) == 200 + 1  # the cap, and the trainer who launched
    with app.app_context():
        sync = db.session.scalar(select(RosterSync))
        assert sync.member_count == 200 and not sync.is_complete


def test_the_member_cap_counts_across_pages(app, lms, monkeypatch):
    monkeypatch.setattr(nrps, "MEMBER_CAP", 3)
    serve_token(lms)
    second = f"{NRPS_URL}?limit=100&p=2"
    serve_page(lms, NRPS_URL + "?limit=100", [member(1), member(2)], next_url=second)
    serve_page(lms, second, [member(3), member(4)], next_url=f"{NRPS_URL}?limit=100&p=3")
    with app.app_context():
        from lti_app.platforms.service import find_platform

        platform = find_platform(lms.platform.issuer, lms.platform.client_id)
        fetched = nrps.fetch_members(platform, NRPS_URL)
        db.session.rollback()
    assert [m.user_id for m in fetched.members] == ["nrps-1", "nrps-2", "nrps-3"]
    assert not fetched.is_complete


@pytest.mark.parametrize("endpoint", ["token", "roster"])
def test_a_dripping_lms_neither_holds_the_launch_nor_the_refresh(app, client, lms, endpoint):
    """1 byte every 0.2 s from the token or the roster endpoint: the trainer's
    launch does not wait, the job gives up at the deadline, and a refresh within
    the failure memory does not call the LMS again."""
    app.config.update(OUTBOUND_TIMEOUT=DEADLINE)
    lms.mock.add_passthru("http://127.0.0.1")
    with drip_server() as server:
        path = f"/{endpoint}/drip-body"
        nrps_url = NRPS_URL
        if endpoint == "token":
            with app.app_context():
                db.session.execute(update(Platform).values(auth_token_url=server.url(path)))
                db.session.commit()
        else:
            serve_token(lms)
            nrps_url = server.url(path)
        started = time.monotonic()
        launch = launch_trainer(app, client, lms, nrps_url=nrps_url)
        assert time.monotonic() - started < 1.0  # the launch queued the fetch
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        waiting = client.get(launch.url("/trainer/")).get_data(as_text=True)
        assert "Refreshing the roster from the LMS" in waiting  # while the LMS drips
        started = time.monotonic()
        finish_jobs()
        assert time.monotonic() - started < DEADLINE + 1.0
        assert server.hits[path] == 1
        html = client.get(launch.url("/trainer/")).get_data(as_text=True)
        assert "The LMS did not answer in time" in html
        assert "Refreshing the roster" not in html

        before = snapshot(app)
        html = _refresh_page(client, launch)
        assert "The LMS did not answer in time" in html
        assert server.hits[path] == 1  # remembered: not asked again
        after = snapshot(app)
        assert {name for name in before if before[name] != after[name]} <= {
            "roster_syncs", "jobs"}


def test_a_roster_job_has_nothing_to_download(app, client, lms):
    serve_token(lms)
    serve_page(lms, NRPS_URL + "?limit=100", [member(1)])
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()
    from lti_app.jobs.models import Job

    with app.app_context():
        job_id = db.session.scalar(select(Job.id))
    status = client.get(launch.url(f"/trainer/jobs/{job_id}.json")).get_json()
    assert status["status"] == "done" and status["download"] is None
    assert client.get(launch.url(f"/trainer/jobs/{job_id}/download")).status_code == 404
