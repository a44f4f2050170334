"""The learner shares a current certificate: LinkedIn, the verification link, the
credential's downloads and the email choice; another learner's id gives nothing."""

from __future__ import annotations

import json
import re
import zlib
from html import unescape
from urllib.parse import parse_qs, urlsplit

from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from tests.db_snapshot import snapshot
from tests.fake_lms import INSTRUCTOR
from tests.issuing.helpers import finished_job
from tests.learning.helpers import form_tokens, launch_ltik
from tests.verification.helpers import issued


def _issue(client, lms, app, **learner):
    ltik, certificate, _pdf = issued(client, lms, app, **learner)
    return ltik, certificate


def _linkedin(page: str) -> dict[str, str]:
    href = unescape(re.search(r'id="linkedin-add" href="([^"]+)"', page).group(1))
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com",
                                                        "/profile/add")
    return {key: values[0] for key, values in parse_qs(parts.query, strict_parsing=True).items()}


def test_the_page_offers_linkedin_with_the_certificate_s_facts(app, client, lms):
    ltik, certificate = _issue(client, lms, app)
    page = client.get(f"/certificate?ltik={ltik}").get_data(as_text=True)
    params = _linkedin(page)
    verify_url = f"http://localhost/verify/{certificate.verification_code}"
    assert params == {
        "startTask": "CERTIFICATION_NAME", "name": "Library Basics",
        "organizationName": certificate.snapshot["institution"],
        "issueYear": str(certificate.issued_at.year),
        "issueMonth": str(certificate.issued_at.month),
        "certUrl": verify_url, "certId": certificate.verification_code,
    }
    # In a new tab, since the tool is framed by the LMS.
    link = re.search(r'<a [^>]*id="linkedin-add"[^>]*>', page).group(0)
    assert 'target="_blank"' in link and 'rel="noopener"' in link
    # The copyable link: a read-only field holding the verification URL.
    field = re.search(r'<input [^>]*id="verify-link"[^>]*>', page).group(0)
    assert "readonly" in field and f'value="{verify_url}"' in field


def _stored_jwt(app, certificate_id: int) -> str:
    from lti_app.credentials import service as credentials

    with app.app_context():
        jwt = credentials.credential_jwt(db.session.get(Certificate, certificate_id))
        db.session.commit()
        return jwt


def _png_itxt(data: bytes) -> dict[str, str]:
    """The PNG's iTXt chunks: keyword -> text (uncompressed or deflated)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = {}, 8
    while position < len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if kind == b"iTXt":
            keyword, rest = body.split(b"\0", 1)
            compressed, rest = rest[0], rest[2:]
            _language, rest = rest.split(b"\0", 1)
            _translated, text = rest.split(b"\0", 1)
            chunks[keyword.decode()] = (zlib.decompress(text) if compressed else text).decode()
        position += 12 + length
    return chunks


def test_downloads_are_the_stored_credential_with_names_and_types(app, client, lms):
    ltik, certificate = _issue(client, lms, app)
    base = f"/certificate/{certificate.id}/credential"
    jwt = client.get(f"{base}.jwt?ltik={ltik}")
    assert jwt.status_code == 200 and jwt.mimetype == "application/jwt"
    assert jwt.headers["Content-Disposition"] == 'attachment; filename="credential-library-basics.jwt"'
    stored = _stored_jwt(app, certificate.id)
    assert jwt.get_data(as_text=True) == stored
    assert client.get(f"{base}.jwt?ltik={ltik}").data == jwt.data  # the same bytes again

    document = client.get(f"{base}.json?ltik={ltik}")
    assert document.mimetype == "application/json"
    assert document.headers["Content-Disposition"] == 'attachment; filename="credential-library-basics.json"'
    credential = json.loads(document.data)
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["credentialSubject"]["achievement"]["name"]

    png = client.get(f"{base}.png?ltik={ltik}")
    assert png.mimetype == "image/png"
    assert png.headers["Content-Disposition"] == 'attachment; filename="badge-library-basics.png"'
    assert _png_itxt(png.data)["openbadgecredential"] == stored

    page = client.get(f"/certificate?ltik={ltik}").get_data(as_text=True)
    for kind in ("json", "jwt", "png"):
        assert f'href="{base}.{kind}?ltik={ltik}"' in page


def test_another_learner_s_certificate_id_gives_nothing(app, client, lms):
    _anna, certificate = _issue(client, lms, app)
    bram = launch_ltik(client, lms, sub="bram", name="Bram Jansen", locale="en")
    before = snapshot(app)
    for kind in ("json", "jwt", "png"):
        response = client.get(f"/certificate/{certificate.id}/credential.{kind}?ltik={bram}")
        assert response.status_code == 404
        assert b"Anna" not in response.data and b"eyJ" not in response.data
    token = form_tokens(client.get(f"/course?ltik={bram}").get_data(as_text=True))["csrf_token"]
    response = client.post(f"/certificate/{certificate.id}/email-choice?ltik={bram}",
                           data={"csrf_token": token, "include_email": "y"})
    assert response.status_code == 404
    assert snapshot(app) == before


def test_the_email_choice_is_off_until_the_learner_ticks_it(app, client, lms):
    ltik, certificate = _issue(client, lms, app)
    page = client.get(f"/certificate?ltik={ltik}").get_data(as_text=True)
    box = re.search(r'<input [^>]*name="include_email"[^>]*>', page).group(0)
    assert "checked" not in box
    assert "hashed form of my email address" in page
    first = client.get(f"/certificate/{certificate.id}/credential.json?ltik={ltik}").data
    assert b"anna@example.edu" not in first and b"identifier" not in first

    token = form_tokens(page)["csrf_token"]
    url = f"/certificate/{certificate.id}/email-choice?ltik={ltik}"
    # Without the form's token nothing changes.
    before = snapshot(app)
    assert client.post(url, data={"include_email": "y"}).status_code == 400
    assert snapshot(app) == before

    response = client.post(url, data={"csrf_token": token, "include_email": "y"})
    assert response.status_code == 302
    page = client.get(f"/certificate?ltik={ltik}").get_data(as_text=True)
    assert "checked" in re.search(r'<input [^>]*name="include_email"[^>]*>', page).group(0)
    assert "Your badge now includes a hashed form of your email address." in page
    credential = json.loads(
        client.get(f"/certificate/{certificate.id}/credential.json?ltik={ltik}").data)
    text = json.dumps(credential)
    assert "anna@example.edu" not in text  # a salted hash, never the address
    assert "sha256$" in text

    # Off again: the hash is gone from the credential.
    client.post(url, data={"csrf_token": token})
    again = client.get(f"/certificate/{certificate.id}/credential.json?ltik={ltik}").data
    assert b"sha256$" not in again


def test_a_revoked_certificate_shows_no_sharing_links(app, client, lms):
    ltik, certificate = _issue(client, lms, app)
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, name="Carla Visser",
                          locale="en")
    token = form_tokens(client.get(f"/trainer/certificates?ltik={trainer}")
                        .get_data(as_text=True))["csrf_token"]
    response = client.post(f"/trainer/certificates/{certificate.id}/revoke?ltik={trainer}",
                           data={"csrf_token": token, "reason": "Quiz answers were shared"})
    assert response.status_code == 302
    page = client.get(f"/certificate?ltik={ltik}").get_data(as_text=True)
    assert "A revoked certificate cannot be shared" in page
    assert "linkedin.com" not in page and "verify-link" not in page
    assert "credential.jwt" not in page
    for kind in ("json", "jwt", "png"):
        response = client.get(f"/certificate/{certificate.id}/credential.{kind}?ltik={ltik}")
        assert response.status_code == 404


def test_a_credential_made_in_the_learner_s_request_names_no_launch(app, client, lms):
    ltik, certificate = _issue(client, lms, app)
    # The first download makes and signs it, inside the learner's launch.
    document = client.get(f"/certificate/{certificate.id}/credential.json?ltik={ltik}").data
    assert b"ltik" not in document
    jwt = client.get(f"/certificate/{certificate.id}/credential.jwt?ltik={ltik}").data
    assert b"ltik" not in base64_payload(jwt)


def base64_payload(jwt: bytes) -> bytes:
    import base64

    payload = jwt.split(b".")[1]
    return base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4))


def _zip(client, trainer, *, with_credentials: bool):
    import io
    import zipfile

    page = client.get(f"/trainer/certificates?ltik={trainer}").get_data(as_text=True)
    assert "digital badge (credential .jwt and badge image .png)" in page
    data = {"csrf_token": form_tokens(page)["csrf_token"]}
    if with_credentials:
        data["include_credentials"] = "y"
    job_url = client.post(f"/trainer/certificates/zip?ltik={trainer}",
                          data=data).headers["Location"]
    status = finished_job(client, job_url)
    assert status["status"] == "done"
    return zipfile.ZipFile(io.BytesIO(client.get(status["download"]).data))


def test_the_trainer_s_zip_can_hold_each_credential_and_badge(app, client, lms):
    ltik, certificate = _issue(client, lms, app)
    _bram, _other = _issue(client, lms, app, sub="bram", name="Bram Jansen")
    trainer = launch_ltik(client, lms, sub="carla", roles=INSTRUCTOR, name="Carla Visser",
                          locale="en")
    plain = _zip(client, trainer, with_credentials=False)
    assert sorted(plain.namelist()) == ["Anna-de-Vries-library-basics.pdf",
                                        "Bram-Jansen-library-basics.pdf"]
    archive = _zip(client, trainer, with_credentials=True)
    assert sorted(archive.namelist()) == sorted(
        f"{name}-library-basics.{ext}" for name in ("Anna-de-Vries", "Bram-Jansen")
        for ext in ("pdf", "jwt", "png"))
    jwt = archive.read("Anna-de-Vries-library-basics.jwt").decode()
    assert jwt == _stored_jwt(app, certificate.id)
    # The learner downloads the same credential the trainer got.
    assert client.get(f"/certificate/{certificate.id}/credential.jwt?ltik={ltik}").data == \
        jwt.encode()
    assert _png_itxt(archive.read("Anna-de-Vries-library-basics.png"))[
        "openbadgecredential"] == jwt
