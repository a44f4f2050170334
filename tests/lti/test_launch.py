"""Full launches through the real endpoints: login -> auth request -> id_token -> launch."""

from __future__ import annotations

from sqlalchemy import func, select

from lti_app.extensions import db
from lti_app.people.models import Context, Enrollment, Person, ResourceLink
from tests.fake_lms import ADMIN, INSTRUCTOR, LEARNER, TEACHING_ASSISTANT, FakeLms


def _rows(app, model):
    with app.app_context():
        return list(db.session.scalars(select(model)))


def test_auth_request_carries_what_the_security_framework_asks(client, lms):
    auth = lms.login(client)
    assert auth["scope"] == "openid"
    assert auth["response_type"] == "id_token"
    assert auth["response_mode"] == "form_post"
    assert auth["prompt"] == "none"
    assert auth["client_id"] == "moodle-client-1"
    assert auth["redirect_uri"] == "http://localhost/lti/launch"
    assert auth["login_hint"] == "hint" and auth["lti_message_hint"] == "msg"
    assert len(auth["nonce"]) >= 32 and auth["state"].startswith("state-")


def test_learner_launch_lands_on_greeting_in_dutch(app, client, lms):
    response = lms.launch(client, locale="nl_NL")
    assert response.status_code == 303
    page = client.get(response.headers["Location"], follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Welkom, Anna de Vries" in text
    assert "cursist" in text and "Library Basics" in text

    [person] = _rows(app, Person)
    assert (person.sub, person.name, person.email) == ("user-1", "Anna de Vries", "anna@example.edu")
    [enrollment] = _rows(app, Enrollment)
    assert enrollment.role == "learner" and enrollment.has_launched
    [link] = _rows(app, ResourceLink)
    assert link.lms_resource_link_id == "link-1"
    [context] = _rows(app, Context)
    assert context.lms_context_id == "course-1" and context.title == "Library Basics"


def test_trainer_launch_lands_on_trainer_page_in_english(app, client, lms):
    response = lms.launch(client, roles=INSTRUCTOR, sub="t-1", name="Carla Visser", locale="en-GB")
    assert response.status_code == 303
    assert "/trainer/" in response.headers["Location"]
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Welcome, Carla Visser" in text and "trainer" in text


def test_teaching_assistant_is_a_trainer_and_admin_is_admin(app, client, lms):
    lms.launch(client, roles=TEACHING_ASSISTANT, sub="ta")
    lms.launch(client, roles=ADMIN, sub="admin")
    with app.app_context():
        roles = dict(db.session.execute(select(Person.sub, Enrollment.role).join(Enrollment.person)).all())
    assert roles == {"ta": "trainer", "admin": "admin"}


def test_canvas_style_launch(app, client, canvas):
    # Canvas: aud as a string, no azp, deployment_id (not lti_deployment_id) at login.
    response = canvas.launch(client, roles=LEARNER, sub="canvas-user")
    assert response.status_code == 303
    assert client.get(response.headers["Location"], follow_redirects=True).status_code == 200
    assert [p.sub for p in _rows(app, Person)] == ["canvas-user"]


def test_relaunch_updates_and_never_duplicates(app, client, lms):
    lms.launch(client, name="Anna de Vries")
    lms.launch(client, name="Anna de Vries-Bakker", roles=INSTRUCTOR)
    [person] = _rows(app, Person)
    assert person.name == "Anna de Vries-Bakker"
    [enrollment] = _rows(app, Enrollment)
    assert enrollment.role == "trainer"


def test_privacy_stripped_launch_keeps_known_name(app, client, lms):
    lms.launch(client)
    response = lms.launch(client, name=None, given_name=None, family_name=None, email=None)
    assert response.status_code == 303
    [person] = _rows(app, Person)
    assert person.name == "Anna de Vries"


def test_same_issuer_two_registrations_keep_people_apart(app, client, canvas):
    # Two Canvas customers: same issuer, different client ids and deployments.
    other = FakeLms(app, canvas.mock, product="canvas", issuer="https://canvas.instructure.com",
                    client_id="10000000000099", deployment_id="9:xyz")
    assert canvas.launch(client, sub="same-sub").status_code == 303
    assert other.launch(client, sub="same-sub").status_code == 303
    people = _rows(app, Person)
    assert len(people) == 2 and len({p.platform_id for p in people}) == 2


def test_several_deployments_of_one_registration(app, client, lms):
    from lti_app.platforms.service import add_deployment, find_platform

    with app.app_context():
        add_deployment(find_platform(lms.platform.issuer, lms.platform.client_id), "2")
        db.session.commit()
    lms.platform.deployment_id = "2"
    assert lms.launch(client).status_code == 303


def test_new_deployment_accepted_when_registration_allows(app, client, lms):
    from lti_app.platforms.models import Deployment

    lms.register(accepts_new_deployments=True)
    lms.platform.deployment_id = "brand-new"
    assert lms.launch(client).status_code == 303
    assert {d.deployment_id for d in _rows(app, Deployment)} == {"1", "brand-new"}


def test_login_by_get_without_client_id_when_issuer_has_one_registration(client, lms):
    fields = lms.platform.login_initiation(
        target_link_uri="http://localhost/lti/launch", login_hint="h", lti_message_hint="m"
    )
    del fields["client_id"]
    response = client.get("/lti/login", query_string=fields)
    assert response.status_code == 302


def test_state_cookie_works_in_a_cross_site_iframe(client, lms):
    fields = lms.platform.login_initiation(
        target_link_uri="http://localhost/lti/launch", login_hint="h", lti_message_hint="m"
    )
    response = client.post("/lti/login", data=fields)
    cookie = response.headers["Set-Cookie"]
    for flag in ("Secure", "SameSite=None", "Partitioned", "HttpOnly"):
        assert flag in cookie


def test_jwks_publishes_keys_with_kid(client):
    body = client.get("/lti/jwks").get_json()
    [key] = body["keys"]
    assert key["kid"] and key["kty"] == "RSA" and key["alg"] == "RS256" and "d" not in key


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] == "up"


def test_launch_count_per_table(app, client, lms):
    for sub in ("a", "b", "c"):
        lms.launch(client, sub=sub)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 3
        assert db.session.scalar(select(func.count()).select_from(Context)) == 1
