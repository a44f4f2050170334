"""The addresses a credential names answer: the issuer's Profile (checked with
1EdTech's Profile schema, commit c73e966), the achievement, its image, a key;
an address that names nothing is a 404, not an error page."""

from __future__ import annotations

from flask_babel import force_locale
from jsonschema import Draft201909Validator

from lti_app.credentials import service
from lti_app.extensions import db
from tests.credentials.helpers import make_issued, spec_json


def _path(url: str) -> str:
    return url.removeprefix("http://localhost")


def test_the_issuer_achievement_and_image_are_served(app, client):
    with app.test_request_context():
        document = service.credential_json(make_issued(language="en"))
        db.session.commit()
    profile = client.get(_path(document["issuer"]["id"]))
    assert profile.status_code == 200
    body = profile.get_json()
    assert body["id"] == document["issuer"]["id"] and body["name"] == "Universiteit Utrecht"
    validator = Draft201909Validator(spec_json("ob_v3p0_profile_schema.json"),
                                     format_checker=Draft201909Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(body)] == []
    achievement = document["credentialSubject"]["achievement"]
    served = client.get(_path(achievement["id"])).get_json()
    assert served["id"] == achievement["id"] and served["name"] == achievement["name"]
    assert served["criteria"] == achievement["criteria"]
    image = client.get(_path(achievement["image"]["id"]))
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG")
    creator = client.get(_path(achievement["creator"]["id"])).get_json()
    assert creator["name"] == "UKB, SHB, OKBN, WSWB, VOGIN"


def test_addresses_that_name_nothing_are_not_found(app, client):
    for path in ["/credentials/issuers/0000000000000000", "/credentials/keys/nope",
                 "/credentials/achievements/no-such-course",
                 "/credentials/achievements/no-such-course/badge.png",
                 "/credentials/creators/no-such-course"]:
        assert client.get(path).status_code == 404, path


def test_the_key_set_may_be_read_from_any_origin(app, client):
    response = client.get("/credentials/jwks")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == "application/jwk-set+json"
    assert len(response.get_json()["keys"]) == 1  # made on first use


def test_a_course_without_badge_says_so(app, monkeypatch):
    from dataclasses import replace

    from lti_app.credentials import service as credentials_service

    with app.test_request_context():
        certificate = make_issued()
        course = credentials_service.find_course(certificate.course_slug)
        monkeypatch.setattr(credentials_service, "find_course",
                            lambda slug: replace(course, badge=None))
        try:
            service.baked_png(certificate)
        except service.NoBadgeImage as error:
            with force_locale("en"):
                assert "no badge image" in error.user_message()
            with force_locale("nl"):
                assert "geen badge-afbeelding" in error.user_message()
        else:
            raise AssertionError("a PNG without a badge image")
