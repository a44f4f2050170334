"""The roster (NRPS) against a fake LMS endpoint: paging, outages, storing.

The fetch is a background job (a thread in tests): a trainer's first launch and
the refresh button queue it and answer at once; `finish_jobs()` waits for it
as a trainer would wait for the dashboard's "refreshing" note to go."""

from __future__ import annotations

import re

import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import func, select

from lti_app.extensions import db
from lti_app.jobs.service import wait_for_threads
from lti_app.people.models import Enrollment, Person
from lti_app.lti import nrps
from lti_app.trainer.models import RosterSync
from tests.db_snapshot import snapshot
from tests.learning.helpers import form_tokens
from tests.trainer.conftest import NRPS_URL, launch_trainer

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
# Canvas pages with case-sensitive tokens; pylti1p3 would lowercase this one.
PAGE_2 = "https://moodle.example.edu/nrps/course-1/memberships?page=AbC9xYz&limit=100"


def member(n: int, role: str = "Learner", **extra) -> dict:
    data = {
        "status": "Active",
        "user_id": f"nrps-{n}",
        "name": f"Member {n}",
        "given_name": "Member",
        "family_name": f"N{n}",
        "email": f"m{n}@example.edu",
        "roles": [MEMBERSHIP + role],
    }
    data.update(extra)
    return data


def serve_token(lms, status: int = 200) -> None:
    body = {"access_token": "nrps-token", "token_type": "Bearer", "expires_in": 3600}
    lms.mock.post(
        lms.platform.token_url, json=body if status == 200 else {}, status=status
    )


def serve_page(
    lms,
    url: str,
    members: list[dict],
    *,
    next_url: str | None = None,
    status: int = 200,
) -> responses.BaseResponse:
    base, _sep, query = url.partition("?")
    params = dict(pair.split("=") for pair in query.split("&")) if query else {}
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return lms.mock.get(
        base,
        json={"id": url, "context": {"id": "course-1"}, "members": members},
        status=status,
        headers=headers,
        match=[
            matchers.query_param_matcher(params),
            matchers.header_matcher({"Authorization": "Bearer nrps-token"}),
        ],
    )


def finish_jobs() -> None:
    assert wait_for_threads(15), "the roster job did not finish"


def _roster_rows(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(Person.sub, Person.name, Enrollment.role, Enrollment.has_launched)
            .join(Enrollment, Enrollment.person_id == Person.id)
            .order_by(Person.sub)
        ).all()
        return [tuple(row) for row in rows]


def _refresh(client, launch):
    """Press the button; the dashboard it returns to once the job is done."""
    page = client.get(launch.url("/trainer/"))
    token = form_tokens(page.get_data(as_text=True))["csrf_token"]
    response = client.post(
        launch.url("/trainer/roster/refresh"), data={"csrf_token": token}
    )
    assert response.status_code == 302 and "/trainer/" in response.headers["Location"]
    finish_jobs()
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_first_visit_fetches_every_page_of_the_roster(app, client, lms):
    serve_token(lms)
    serve_page(
        lms,
        NRPS_URL + "?limit=100",
        [member(1), member(2, "Instructor"), member(3, status="Inactive")],
        next_url=PAGE_2,
    )
    last = serve_page(lms, PAGE_2, [member(4), member(5, given_name=None, name=None)])
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()

    html = client.get(launch.url("/trainer/")).get_data(as_text=True)
    assert last.call_count == 1  # the page token kept its case
    assert "Roster fetched from the LMS on" in html and ": 4 members." in html
    assert "Member 1" in html and "Member 4" in html and "never opened the tool" in html
    assert "Member 2" not in html  # a teacher is no learner row
    assert "Member 3" not in html  # inactive in the LMS course
    rows = _roster_rows(app)
    assert ("nrps-1", "Member 1", "learner", False) in rows
    assert ("nrps-2", "Member 2", "trainer", False) in rows
    assert ("trainer-1", "Carla Visser", "trainer", True) in rows
    assert not any(sub == "nrps-3" for sub, *_rest in rows)

    # Later visits use what is kept; only the button fetches again.
    client.get(launch.url("/trainer/"))
    assert last.call_count == 1


def test_refresh_updates_names_and_roles_and_keeps_everyone(app, client, lms, seed):
    serve_token(lms)
    first = serve_page(lms, NRPS_URL + "?limit=100", [member(1), member(2)])
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()
    lms.mock.remove(first)
    serve_page(
        lms,
        NRPS_URL + "?limit=100",
        [member(1, name="Member One", role="TeachingAssistant"), member(6)],
    )

    html = _refresh(client, launch)
    assert "Roster refreshed: 2 members, 1 new." in html
    rows = _roster_rows(app)
    assert ("nrps-1", "Member One", "trainer", False) in rows
    # Member 2 left the LMS course's answer: kept, with whatever they did.
    assert ("nrps-2", "Member 2", "learner", False) in rows
    assert ("nrps-6", "Member 6", "learner", False) in rows


@pytest.mark.parametrize(
    "failure, message",
    [
        (
            {"status": 503},
            "The LMS could not give the course roster just now (HTTP 503)",
        ),
        ({"body": requests.ConnectionError("down")}, "The LMS did not answer in time"),
        ({"body": requests.ReadTimeout("slow")}, "The LMS did not answer in time"),
        ({"status": 403}, "The LMS refused to give the course roster (HTTP 403)"),
        (
            {"body": "<html>not json</html>", "content_type": "text/html"},
            "could not read",
        ),
    ],
)
def test_lms_down_shows_a_message_and_loses_nothing(app, client, lms, failure, message):
    serve_token(lms)
    ok = serve_page(lms, NRPS_URL + "?limit=100", [member(1), member(2)])
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()
    lms.mock.remove(ok)
    lms.mock.get(NRPS_URL, **failure)
    before = snapshot(app)

    html = _refresh(client, launch)
    assert "The last attempt" in html and "failed." in html and message in html
    assert "Member 1" in html and "Member 2" in html  # the last roster still shows
    after = snapshot(app)
    changed = {name for name in before if before[name] != after[name]}
    # Only the note of the failed attempt, and the job that made it.
    assert changed <= {"roster_syncs", "jobs"}
    with app.app_context():
        sync = db.session.scalar(select(RosterSync))
        assert (
            sync.last_error and sync.refreshed_at is not None and sync.member_count == 2
        )


def test_token_refused_is_explained(app, client, lms):
    serve_token(lms, status=401)
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()
    html = client.get(launch.url("/trainer/")).get_data(as_text=True)
    assert "The last attempt" in html and "IMS LTI Names and Role Provisioning" in html
    assert (
        "HTTP 401" in html
        and "The roster has not been fetched from the LMS yet." in html
    )


def test_without_nrps_the_learners_who_launched_are_shown_with_the_reason(
    app, client, lms
):
    launch_trainer(
        app,
        client,
        lms,
        sub="learner-1",
        roles=(MEMBERSHIP + "Learner",),
        name="Anna de Vries",
    )
    launch = launch_trainer(app, client, lms)
    html = client.get(launch.url("/trainer/")).get_data(as_text=True)
    assert "Anna de Vries" in html
    assert 'enable "IMS LTI Names and Role Provisioning"' in html.replace("&#34;", '"')
    assert "Refresh the roster" not in html
    assert not lms.mock.calls or all(
        "nrps" not in c.request.url for c in lms.mock.calls
    )


def test_refresh_needs_the_csrf_token(app, client, lms):
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()  # the first launch's fetch (it failed: nothing was served yet)
    serve_token(lms)
    page = serve_page(lms, NRPS_URL + "?limit=100", [member(1)])
    before = snapshot(app)
    assert client.post(launch.url("/trainer/roster/refresh")).status_code == 400
    finish_jobs()
    assert snapshot(app) == before and page.call_count == 0


def test_page_cap_and_foreign_next_link_stop_with_a_partial_roster(
    app, lms, monkeypatch
):
    serve_token(lms)
    monkeypatch.setattr(nrps, "PAGE_CAP", 2)
    pages = [f"{NRPS_URL}?limit=100&p={n}" for n in range(4)]
    serve_page(lms, NRPS_URL + "?limit=100", [member(0)], next_url=pages[1])
    serve_page(lms, pages[1], [member(1)], next_url=pages[2])
    third = serve_page(lms, pages[2], [member(2)])
    with app.app_context():
        from lti_app.platforms.service import find_platform

        platform = find_platform(lms.platform.issuer, lms.platform.client_id)
        fetched = nrps.fetch_members(platform, NRPS_URL)
        assert [m.user_id for m in fetched.members] == ["nrps-0", "nrps-1"]
        assert not fetched.is_complete and third.call_count == 0

        monkeypatch.setattr(nrps, "PAGE_CAP", 50)
        lms.mock.replace(
            responses.GET,
            NRPS_URL,
            json={"members": [member(7)]},
            headers={"Link": '<https://evil.example/steal>; rel="next"'},
        )
        fetched = nrps.fetch_members(platform, NRPS_URL)
        assert [m.user_id for m in fetched.members] == [
            "nrps-7"
        ] and not fetched.is_complete
        assert not any("evil" in call.request.url for call in lms.mock.calls)

        # The time budget: a clock that has run out asks for no further page.
        # Start, first check, first page's timeout: then the budget is spent.
        ticks = iter([0.0, 0.0, 0.0])
        lms.mock.replace(
            responses.GET,
            NRPS_URL,
            json={"members": [member(8)]},
            headers={"Link": f'<{pages[3]}>; rel="next"'},
        )
        fetched = nrps.fetch_members(
            platform, NRPS_URL, clock=lambda: next(ticks, nrps.TIME_BUDGET + 1)
        )
        assert [m.user_id for m in fetched.members] == [
            "nrps-8"
        ] and not fetched.is_complete
        db.session.rollback()


def test_partial_roster_is_stored_and_said(app, client, lms, monkeypatch):
    monkeypatch.setattr(nrps, "PAGE_CAP", 1)
    serve_token(lms)
    serve_page(lms, NRPS_URL + "?limit=100", [member(1)], next_url=PAGE_2)
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()
    html = client.get(launch.url("/trainer/")).get_data(as_text=True)
    assert "Member 1" in html and "Incomplete" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RosterSync)) == 1


def test_members_without_user_id_are_skipped(app, lms):
    members = nrps._members_of({"members": [{"name": "x"}, "odd", member(1)]})
    assert [m.user_id for m in members] == ["nrps-1"]
    with pytest.raises(nrps.RosterUnavailable):
        nrps._members_of({"no": "members"})
    assert re.search(r"limit=100", nrps._with_limit(NRPS_URL))
    assert nrps._with_limit(NRPS_URL + "?limit=5").endswith("limit=5")


def test_the_first_launch_fetches_the_roster_and_the_dashboard_only_reads(
    app, client, lms
):
    """The roster is fetched by a job the trainer's first launch queues (a POST
    that commits), not by the dashboard's GET, which writes nothing."""
    serve_token(lms)
    page = serve_page(lms, NRPS_URL + "?limit=100", [member(1)])
    launch = launch_trainer(app, client, lms, nrps_url=NRPS_URL)
    finish_jobs()
    assert page.call_count == 1  # by the job POST /lti/launch queued
    before = snapshot(app)
    html = client.get(launch.url("/trainer/")).get_data(as_text=True)
    assert "Member 1" in html
    assert snapshot(app) == before and page.call_count == 1
