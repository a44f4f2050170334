"""POST /verify: a verifier uploads a PDF or a credential and learns, plainly,
whether this tool issued it unchanged; bad input is a message, the page kept."""

from __future__ import annotations

import base64
import io
import json

import pypdf
import pytest

from lti_app.extensions import db
from tests.conftest import make_app
from tests.db_snapshot import snapshot
from tests.verification.helpers import issued, reissue, revoke

JSON = {"Accept": "application/json"}
EN = {"Accept-Language": "en"}


def _upload(client, data: bytes | None = None, name="file.pdf", pasted=None, headers=EN):
    # The body built here, in memory: the test client spools a large multipart
    # body to a temporary file it never closes (an unraisable warning).
    boundary = "----kd-test-boundary"
    body = b""
    if data is not None:
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="document"; '
                 f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 ).encode() + data + b"\r\n"
    if pasted is not None:
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="pasted"\r\n\r\n'
                 ).encode() + pasted.encode() + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return client.post("/verify", data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _jwt(client, ltik, certificate) -> str:
    return client.get(f"/certificate/{certificate.id}/credential.jwt?ltik={ltik}").get_data(
        as_text=True)


def _other_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "Some other certificate"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_issued_pdf_matches(app, client, lms):
    _ltik, certificate, pdf = issued(client, lms, app)
    response = _upload(client, pdf)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This PDF is the document that was issued, unchanged." in page
    assert "The certificate is valid." in page
    assert f"/verify/{certificate.verification_code}" in page
    answer = _upload(client, pdf, headers=JSON).get_json()
    assert answer["kind"] == "pdf" and answer["outcome"] == "issued"
    assert answer["language"] == "en"
    assert answer["certificate"]["code"] == certificate.verification_code
    assert answer["certificate"]["status"] == "valid"


def test_the_issued_pdf_of_a_revoked_certificate_says_revoked(app, client, lms):
    _ltik, certificate, pdf = issued(client, lms, app)
    revoke(client, lms, certificate)
    page = _upload(client, pdf).get_data(as_text=True)
    assert "This PDF is the document that was issued, unchanged." in page
    assert "The certificate was revoked on" in page
    assert _upload(client, pdf, headers=JSON).get_json()["certificate"]["status"] == "revoked"


def test_a_pdf_with_one_byte_changed_is_not_the_issued_document(app, client, lms):
    _ltik, certificate, pdf = issued(client, lms, app)
    # One byte of the page content changed: the code in the metadata still reads.
    position = pdf.index(b"stream") + 200
    changed = pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1:]
    page = _upload(client, changed).get_data(as_text=True)
    assert "This file is not the document that was issued" in page
    assert "changed after it was signed" in page
    answer = _upload(client, changed, headers=JSON).get_json()
    assert answer["outcome"] == "changed"
    assert answer["certificate"]["code"] == certificate.verification_code
    assert answer["signature"]["intact"] is False


def test_a_pdf_with_bytes_appended_is_not_the_issued_document(app, client, lms):
    _ltik, certificate, pdf = issued(client, lms, app)
    answer = _upload(client, pdf + b"\n% appended\n", headers=JSON).get_json()
    assert answer["outcome"] == "changed"
    assert answer["signature"]["intact"] is False


def test_a_random_pdf_is_not_a_certificate_of_this_tool(app, client, lms):
    issued(client, lms, app)
    page = _upload(client, _other_pdf()).get_data(as_text=True)
    assert "This file is not a certificate from this tool." in page
    assert "The file carries no digital signature." in page
    assert _upload(client, _other_pdf(), headers=JSON).get_json()["outcome"] == "not_ours"


def test_a_file_that_is_neither_is_a_clear_422_with_the_form(app, client, lms):
    response = _upload(client, b"\x00\x01 not a pdf nor a badge", name="notes.docx")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This is neither a certificate PDF nor a credential this tool can read." in page
    assert 'id="upload-form"' in page and 'aria-invalid="true"' in page
    response = _upload(client, b"\x00\x01", name="notes.docx", headers=JSON)
    assert response.status_code == 422 and response.get_json()["outcome"] == "unreadable"


def test_nothing_chosen_asks_for_a_file(app, client):
    response = _upload(client)
    assert response.status_code == 422
    assert "Choose a file" in response.get_data(as_text=True)


@pytest.mark.parametrize("size", [5 * 1024 * 1024 + 1, 7 * 1024 * 1024])
def test_an_over_size_file_is_refused_with_a_message_and_the_page(app, client, size):
    # Just over the limit (read by the view) and well over it (refused while parsing).
    response = _upload(client, b"%PDF-1.7\n" + b"0" * size, pasted="keep me")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "This file is larger than 5 MB" in page
    assert 'id="upload-form"' in page
    assert "Traceback" not in page


def test_a_file_between_the_app_s_body_limit_and_the_upload_limit_is_checked(app, client):
    # The app refuses bodies over 1 MB elsewhere; /verify takes up to 5 MB.
    response = _upload(client, b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024), headers=JSON)
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "not_ours"


def test_a_credential_checks_as_valid_by_file_or_pasted(app, client, lms):
    ltik, certificate, _pdf = issued(client, lms, app)
    jwt = _jwt(client, ltik, certificate)
    for response in (_upload(client, jwt.encode(), name="credential.jwt"),
                     _upload(client, pasted=jwt)):
        assert response.status_code == 200
        assert "This credential was issued by this tool and is valid." in response.get_data(
            as_text=True)
    png = client.get(f"/certificate/{certificate.id}/credential.png?ltik={ltik}").data
    answer = _upload(client, png, name="badge.png", headers=JSON).get_json()
    assert answer["kind"] == "credential" and answer["outcome"] == "valid"
    assert answer["certificate"]["code"] == certificate.verification_code
    document = client.get(f"/certificate/{certificate.id}/credential.json?ltik={ltik}").data
    # The JSON download is the credential decoded: readable, but not the proof.
    answer = _upload(client, document, name="credential.json", headers=JSON).get_json()
    assert answer["outcome"] in ("valid", "unreadable")


def test_a_revoked_certificate_s_credential_is_revoked(app, client, lms):
    ltik, certificate, _pdf = issued(client, lms, app)
    jwt = _jwt(client, ltik, certificate)
    revoke(client, lms, certificate)
    response = _upload(client, pasted=jwt)
    assert "This credential was issued by this tool, but it was revoked." in response.get_data(
        as_text=True)
    assert _upload(client, pasted=jwt, headers=JSON).get_json()["outcome"] == "revoked"


def test_a_replaced_certificate_s_credential_is_superseded(app, client, lms):
    ltik, certificate, _pdf = issued(client, lms, app)
    jwt = _jwt(client, ltik, certificate)
    reissue(client, lms, certificate, "Anna de Vries-Bakker")
    assert _upload(client, pasted=jwt, headers=JSON).get_json()["outcome"] == "superseded"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _parts(jwt: str) -> tuple[dict, dict, str]:
    header, payload, signature = jwt.split(".")
    pad = lambda text: text + "=" * (-len(text) % 4)  # noqa: E731
    return (json.loads(base64.urlsafe_b64decode(pad(header))),
            json.loads(base64.urlsafe_b64decode(pad(payload))), signature)


def _rename(value, old: str, new: str):
    if isinstance(value, dict):
        return {k: _rename(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, old, new) for v in value]
    return value.replace(old, new) if isinstance(value, str) else value


def test_a_credential_with_a_changed_name_is_altered(app, client, lms):
    ltik, certificate, _pdf = issued(client, lms, app)
    header, payload, signature = _parts(_jwt(client, ltik, certificate))
    forged = ".".join([_b64(header), _b64(_rename(payload, "Anna de Vries", "Eve Forger")),
                       signature])
    before = snapshot(app)
    page = _upload(client, pasted=forged).get_data(as_text=True)
    assert "This credential was changed after it was issued" in page
    assert forged in page  # the form keeps what was pasted
    assert _upload(client, pasted=forged, headers=JSON).get_json()["outcome"] == "altered"
    assert snapshot(app) == before


def test_a_credential_with_an_unknown_kid(app, client, lms):
    ltik, certificate, _pdf = issued(client, lms, app)
    header, payload, signature = _parts(_jwt(client, ltik, certificate))
    kid = header["kid"]
    header["kid"] = kid[: kid.rstrip("/").rindex("/") + 1] + "no-such-key"
    forged = ".".join([_b64(header), _b64(payload), signature])
    page = _upload(client, pasted=forged).get_data(as_text=True)
    assert "signed with a key this tool does not know" in page
    assert _upload(client, pasted=forged, headers=JSON).get_json()["outcome"] == "unknown_kid"


@pytest.fixture
def limited_app(database_uri, tmp_path):
    app = make_app(database_uri, tmp_path / "limited", RATELIMIT_ENABLED=True,
                   RATELIMIT_VERIFY="3 per minute")
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_uploads_spend_the_verify_rate_budget(limited_app):
    client = limited_app.test_client()
    # Two lookups and one upload use the budget of three; the next upload waits.
    assert client.get("/verify", headers=EN).status_code == 200
    assert client.get("/verify/some-code", headers=EN).status_code == 404
    assert _upload(client, pasted="x").status_code == 422
    response = _upload(client, pasted="x")
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
