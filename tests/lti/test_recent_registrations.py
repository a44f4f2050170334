"""A class logging in together reads its registration once per worker, and a
revoked or removed registration still launches nothing.

`own_app` plays another gunicorn worker on the same database: its changes
reach this worker's logins only after `RECENT_SECONDS`, its launches at once.
"""

from __future__ import annotations

import pytest

from lti_app.extensions import db
from lti_app.platforms import approval, recent
from lti_app.platforms.models import RegistrationStatus
from lti_app.platforms.service import find_platform, remove_platform
from tests.db_snapshot import snapshot
from tests.fake_lms import TOOL_LAUNCH_URL
from tests.test_page_work import statements


def _platform_reads(sent) -> list[str]:
    return [s for s in sent if "FROM platforms" in s]


def _in_other_worker(other_app, lms, change) -> None:
    with other_app.app_context():
        change(find_platform(lms.platform.issuer, lms.platform.client_id))
        db.session.commit()


def _login(client, lms):
    """The login's own response (FakeLms.login asserts a redirect)."""
    fields = lms.platform.login_initiation(
        target_link_uri=TOOL_LAUNCH_URL, login_hint="hint", lti_message_hint="msg")
    return client.post("/lti/login", data=fields)


def _later(monkeypatch, seconds: float) -> None:
    """The copies' clock only: the rest of the process keeps its own time."""
    now = recent.monotonic()
    monkeypatch.setattr(recent, "monotonic", lambda: now + seconds)


def test_logins_in_a_row_read_the_registration_once(app, client, lms):
    lms.login(client)
    with statements(app) as sent:
        auth = lms.login(app.test_client())
    assert _platform_reads(sent) == []
    assert auth["client_id"] == lms.platform.client_id
    # The copy still binds the state to this registration: the launch goes through.
    assert lms.launch(client).status_code == 303


@pytest.mark.parametrize("change, status, phrase", [
    (approval.refuse, 403, "geweigerd"),
    (lambda platform: remove_platform(issuer=platform.issuer, client_id=platform.client_id),
     400, "Er is geen platform geregistreerd"),
])
def test_a_registration_revoked_in_another_worker_launches_nothing(
    app, client, own_app, lms, monkeypatch, change, status, phrase
):
    lms.login(client)  # this worker keeps its copy
    _in_other_worker(own_app, lms, change)
    before = snapshot(app)

    # Within the copy's seconds the login still sends the browser to the LMS,
    # but the launch reads the registration afresh and refuses it.
    response = lms.launch(client)
    assert response.status_code == status
    assert phrase in response.get_data(as_text=True)
    assert snapshot(app) == before  # no person, course or enrolment

    _later(monkeypatch, recent.RECENT_SECONDS + 1)
    assert _login(client, lms).status_code == status
    assert snapshot(app) == before


def test_an_approval_in_another_worker_counts_at_once(app, client, own_app, lms):
    _in_other_worker(own_app, lms, lambda p: setattr(p, "status", RegistrationStatus.PENDING))
    assert _login(client, lms).status_code == 403  # pending: not kept

    _in_other_worker(own_app, lms, lambda p: approval.approve(p, institution="Universiteit"))
    assert lms.launch(client).status_code == 303


def test_a_change_in_this_worker_counts_at_once(app, client, lms):
    lms.login(client)
    moved = lms.platform.auth_login_url.replace("/mod/lti/", "/lti/v2/")
    with app.app_context():
        find_platform(lms.platform.issuer, lms.platform.client_id).auth_login_url = moved
        db.session.commit()
    response = _login(client, lms)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(moved + "?")
