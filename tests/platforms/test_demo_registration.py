"""The demo LMS registers itself as the operator would: approved, so its launches work."""

from __future__ import annotations

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.platforms.models import Platform


def test_the_demo_lms_registers_approved_and_its_login_goes_on(app, client):
    assert client.get("/dev/").status_code == 200
    with app.app_context():
        [platform] = db.session.scalars(select(Platform)).all()
        assert (platform.name, platform.status) == ("Demo LMS", "approved")
        issuer, client_id = platform.issuer, platform.client_id
    login = client.post("/lti/login", data={
        "iss": issuer, "client_id": client_id, "login_hint": "hint",
        "target_link_uri": "http://localhost/lti/launch"})
    assert login.status_code in (200, 302), login.get_data(as_text=True)  # not the 403
