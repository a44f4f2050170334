"""/verify for a person holding the paper: a field for the code, typed in any
form; a typing error is told apart from an unknown code; older long codes
still verify."""

from __future__ import annotations

import html
import secrets

import pytest
from sqlalchemy import select, update

from certificates import codes
from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from tests.conftest import make_app
from tests.issuing.helpers import complete_course
from tests.learning.helpers import form_tokens, launch_ltik

EN = {"Accept-Language": "en"}
NL = {"Accept-Language": "nl"}


def _issued_code(app, client, lms) -> str:
    ltik = launch_ltik(client, lms, sub="anna", locale="en", name="Anna de Vries")
    complete_course(app, "anna")
    token = form_tokens(client.get(f"/course?ltik={ltik}").get_data(as_text=True))["csrf_token"]
    client.post(f"/certificate?ltik={ltik}", data={
        "csrf_token": token, "learner_name": "Anna de Vries", "language": "en"})
    with app.app_context():
        return db.session.scalars(select(Certificate.verification_code)).one()


def _mistyped(code: str) -> str:
    last = code[-1]
    return code[:-1] + ("0" if last != "0" else "1")


@pytest.mark.parametrize("headers, label, button", [
    (EN, "Verification code", "Check"), (NL, 'name="code"', "<button>")])
def test_verify_without_a_code_is_a_form(app, headers, label, button):
    response = app.test_client().get("/verify", headers=headers)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'method="get"' in text and 'name="code"' in text and label in text and button in text
    assert f'lang="{headers["Accept-Language"]}"' in text
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert app.test_client().get("/verify/", headers=headers).status_code in (200, 308)


def test_a_typed_code_goes_to_its_page_in_any_form(app, client, lms):
    code = _issued_code(app, client, lms)
    public = app.test_client()
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    response = public.get("/verify", query_string={"code": typed}, headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{code}")
    page = public.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "This certificate is valid" in page and "Anna de Vries" in page and code in page
    # Typed straight into the address, too.
    compact = code.replace("-", "").lower()
    assert "This certificate is valid" in public.get(
        f"/verify/{compact}", headers=EN).get_data(as_text=True)


def test_a_typing_error_is_not_an_unknown_code(app, client, lms):
    code = _issued_code(app, client, lms)
    public = app.test_client()
    typed = _mistyped(code).lower()
    response = public.get("/verify", query_string={"code": typed}, headers=EN)
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "This code has a typing error" in text and "Unknown certificate" not in text
    assert f'value="{typed}"' in text  # kept, to correct
    data = public.get(f"/verify/{_mistyped(code)}", headers={"Accept": "application/json"})
    assert data.status_code == 422 and data.get_json()["status"] == "mistyped"

    short = public.get("/verify", query_string={"code": code[:-3]}, headers=EN)
    assert short.status_code == 422
    assert "You typed 15" in short.get_data(as_text=True)

    data = code[:-1].replace("-", "")
    other = list(data)
    other[0] = "1" if other[0] != "1" else "2"
    unknown = codes.group("".join(other) + codes.check_character("".join(other)))
    response = public.get("/verify", query_string={"code": unknown}, headers=EN)
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Unknown certificate" in text and "No certificate has this code" in text
    assert f'value="{unknown}"' in text

    empty = public.get("/verify", query_string={"code": "  "}, headers=EN)
    assert empty.status_code == 422 and "Type the code printed" in empty.get_data(as_text=True)


def test_older_long_codes_stay_valid(app, client, lms):
    _issued_code(app, client, lms)
    old = secrets.token_urlsafe(24)  # as certificates were issued before short codes
    with app.app_context():
        db.session.execute(update(Certificate).values(verification_code=old))
        db.session.commit()
    public = app.test_client()
    assert public.get(f"/verify/{old}", headers={"Accept": "application/json"}
                      ).get_json()["status"] == "valid"
    response = public.get("/verify", query_string={"code": f" {old} "}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{old}")
    page = public.get(f"/verify/{old}", headers=EN).get_data(as_text=True)
    assert "This certificate is valid" in page
    # Exact, as issued: not another case.
    if old.swapcase() != old:
        assert public.get(f"/verify/{old.swapcase()}", headers=EN).status_code == 404


def test_the_form_and_the_address_share_one_rate_limit(database_uri, tmp_path):
    app = make_app(database_uri, tmp_path / "limited", RATELIMIT_ENABLED=True,
                   RATELIMIT_VERIFY="3 per minute")
    with app.app_context():
        db.create_all()
    try:
        public = app.test_client()
        statuses = [public.get("/verify", query_string={"code": "7Q4M-X2RP-9HCK-W3TD-F"},
                               headers=EN).status_code,
                    public.get("/verify/7Q4M-X2RP-9HCK-W3TD-F", headers=EN).status_code,
                    public.get("/verify", query_string={"code": "x"}, headers=EN).status_code,
                    public.get("/verify/7Q4M-X2RP-9HCK-W3TD-F", headers=EN).status_code,
                    public.get("/verify", headers=EN).status_code]
        assert 429 not in statuses[:3] and statuses[3:] == [429, 429]
    finally:
        with app.app_context():
            db.engine.dispose()
