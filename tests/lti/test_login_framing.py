"""The login step's frame-ancestors: the login's own platform, learned origins included.

The login view hands the platform row it found to the CSP header (no second
lookup); the header must still name exactly that platform's origins, also
those learned from its launches, and never another platform's.
"""

from __future__ import annotations

from tests.fake_lms import FakeLms
from tests.test_framing import CANVAS, CUSTOMER, MOODLE, frame_ancestors


def _login(client, lms: FakeLms):
    fields = lms.platform.login_initiation(target_link_uri="http://localhost/lti/launch",
                                           login_hint="h", lti_message_hint="m")
    return client.post("/lti/login", data=fields)


def test_a_login_is_framed_by_its_platform_and_the_origins_its_launches_taught(
        app, client, lms):
    canvas = FakeLms(app, lms.mock, product="canvas", issuer=CANVAS,
                     client_id="10000000000042", deployment_id="7:abc", key_slot=1)
    assert canvas.launch(client, sub="u-2", return_url=CUSTOMER + "/courses/7").status_code == 303

    canvas_login = _login(client, canvas)
    assert canvas_login.status_code == 302
    assert frame_ancestors(canvas_login) == f"'self' https: {CANVAS} {CUSTOMER}"

    moodle_login = _login(client, lms)  # another institution: none of Canvas's origins
    assert moodle_login.status_code == 302
    assert frame_ancestors(moodle_login) == f"'self' https: {MOODLE}"


def test_a_login_for_an_unknown_platform_names_no_platform(app, client, lms):
    fields = lms.platform.login_initiation(target_link_uri="http://localhost/lti/launch",
                                           login_hint="h", lti_message_hint="m")
    refused = client.post("/lti/login", data={**fields, "client_id": "not-registered"})
    assert refused.status_code >= 400
    assert frame_ancestors(refused) == "'self' https:"
