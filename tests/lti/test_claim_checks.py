"""A launch with claims of the wrong type or size is refused with a clear page,
and nothing is stored (on PostgreSQL these were 500s: NUL bytes, a 300-character
sub; on every backend a context or resource link given as a string)."""

from __future__ import annotations

import pytest

from tests.db_snapshot import snapshot

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _set(name, value):
    def tamper(claims):
        claims[name] = value
    return tamper


def _set_in(name, key, value):
    def tamper(claims):
        claims[name] = {**claims.get(name, {}), key: value}
    return tamper


# (id, tampering, the claim the page names)
REFUSED = [
    ("context-as-string", _set(LTI + "context", "course-1"), "context"),
    ("context-id-as-list", _set_in(LTI + "context", "id", ["c"]), "context.id"),
    ("context-id-300-chars", _set_in(LTI + "context", "id", "c" * 300), "context.id"),
    ("context-id-with-nul", _set_in(LTI + "context", "id", "course\x00-1"), "context.id"),
    ("sub-300-chars", _set("sub", "s" * 300), "sub"),
    ("sub-with-nul", _set("sub", "user\x00-1"), "sub"),
    ("name-as-list", _set("name", ["Anna"]), "name"),
    ("roles-as-string", _set(LTI + "roles", LTI.replace("claim/", "vocab/") + "membership#Learner"),
     "roles"),
    ("roles-with-numbers", _set(LTI + "roles", [1, 2]), "roles"),
    ("role-with-nul", _set(LTI + "roles", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner\x00"]),
     "roles"),
    ("resource-link-as-string", _set(LTI + "resource_link", "link-1"), "resource_link"),
    ("resource-link-id-300-chars", _set_in(LTI + "resource_link", "id", "r" * 300),
     "resource_link.id"),
    ("deployment-id-with-nul", _set(LTI + "deployment_id", "deployment-1\x00"), "deployment_id"),
    ("custom-as-list", _set(LTI + "custom", ["course=library-basics"]), "custom"),
    ("presentation-as-string", _set(LTI + "launch_presentation", "iframe"),
     "launch_presentation"),
    ("lineitems-url-with-nul",
     _set("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
          {"lineitems": "https://lms.example/li\x00", "scope": []}), "endpoint.lineitems"),
]


@pytest.mark.parametrize("tamper,claim", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_bad_claims_are_refused_and_nothing_is_stored(app, client, lms, tamper, claim):
    lms.launch(client, sub="existing-user")  # the database is not empty
    before = snapshot(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = lms.launch(client, sub="attacker", claims=tamper)
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text
    assert f"The LMS sent an invalid value for {claim}." in text
    assert snapshot(app) == before


def test_the_refusal_speaks_dutch(app, client, lms):
    before = snapshot(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    response = lms.launch(client, claims=_set("sub", "s" * 300))
    assert response.status_code == 400
    assert "Het LMS stuurde een ongeldige waarde voor sub." in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_nul_in_a_display_name_is_dropped_not_refused(app, client, lms):
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.people.models import Context, Person

    response = lms.launch(client, claims=lambda c: (c.update(name="An\x00na de Vries"),
                                                    c[LTI + "context"].update(title="Cur\x00sus")))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Person.name)).one() == "Anna de Vries"
        assert db.session.scalars(select(Context.title)).one() == "Cursus"


def test_a_long_name_is_cut_to_200_characters_not_refused(app, client, lms):
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.people.models import Person

    assert lms.launch(client, name="N" * 5000, given_name="G" * 300).status_code == 303
    with app.app_context():
        name, given = db.session.execute(select(Person.name, Person.given_name)).one()
    assert (len(name), len(given)) == (200, 200)


def test_numeric_ids_still_launch(app, client, lms):
    # Some platforms send numbers for ids: they are ids, not bad claims.
    response = lms.launch(client, claims=_set_in(LTI + "context", "id", 4711))
    assert response.status_code == 303


@pytest.mark.parametrize("return_url", ["javascript:alert(document.domain)", "data:text/html,x",
                                        "/relative/return", "ftp://lms.example/return"])
def test_deep_linking_to_a_non_web_return_url_is_refused(app, client, lms, return_url):
    lms.launch(client, sub="existing-user")
    before = snapshot(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = lms.launch(
        client, sub="teacher", claims=lambda c: (
            c.update({LTI + "message_type": "LtiDeepLinkingRequest"}),
            c.pop(LTI + "resource_link", None),
            c.update({DL + "deep_linking_settings": {
                "deep_link_return_url": return_url,
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe"],
            }}),
        ))
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text
    assert "not a web address (http or https)" in text
    assert "javascript:" not in text
    assert snapshot(app) == before


def test_an_id_token_over_64_kb_is_refused_before_decoding(app, client, lms):
    before = snapshot(app)
    auth = lms.login(client)
    response = client.post("/lti/launch", data={"id_token": "a" * (65 * 1024), "state": auth["state"]},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "larger than 64 KB" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_nul_in_the_issuer_is_refused_before_any_lookup(app, client, lms):
    before = snapshot(app)
    auth = lms.login(client)
    body = lms.platform.launch_claims(lms.launch_request(), nonce=auth["nonce"])
    body["iss"] = lms.platform.issuer + "\x00"
    token = lms.platform.sign(body)
    response = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "not a valid token" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_nonce_with_non_ascii_characters_is_refused_not_a_500(app, client, lms):
    lms.launch(client, sub="existing-user")
    before = snapshot(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = lms.launch(client, sub="attacker", claims=_set("nonce", "nonce-\u00e9\u00e8"))
    assert response.status_code == 401
    assert "does not belong to this sign-in" in response.get_data(as_text=True)
    assert snapshot(app) == before
