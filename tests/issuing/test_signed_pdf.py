"""Issued certificate PDFs are signed: by the tool's stored self-signed
certificate, or by the operator's PKCS#12, which is checked at app start."""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import subprocess
import threading

import pytest
from flask_babel import force_locale, gettext
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import func, select

from certificates.signing import signature_facts
from lti_app.extensions import db
from lti_app.issuing import signer as signing
from lti_app.issuing.models import Certificate, CertificatePdf, SigningKey
from tests.certificates.institution_pki import institution_pkcs12
from tests.conftest import make_app
from tests.issuing.helpers import complete_course
from tests.learning.helpers import form_tokens, launch_ltik

pytestmark = pytest.mark.skipif(shutil.which("pdfsig") is None,
                                reason="poppler-utils (pdfsig) is not installed")


def _issue_and_download(app, client, lms, language="nl"):
    ltik = launch_ltik(client, lms, locale=language)
    complete_course(app, "user-1")
    token = form_tokens(client.get(f"/course?ltik={ltik}").get_data(as_text=True))["csrf_token"]
    client.post(f"/certificate?ltik={ltik}", data={
        "csrf_token": token, "learner_name": "Anna de Vries", "language": language})
    with app.app_context():
        certificate_id = db.session.scalars(select(Certificate.id)).one()
    url = f"/certificate/{certificate_id}.pdf?ltik={ltik}&download=1"
    return certificate_id, url, client.get(url)


def _pdfsig(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "download.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60,
                            check=False)
    return result.stdout + result.stderr


def test_a_downloaded_certificate_is_signed_by_the_tool_and_always_the_same(
        app, client, lms, tmp_path):
    _id, url, first = _issue_and_download(app, client, lms)
    second = client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert second.data == first.data
    assert hashlib.sha256(second.data).hexdigest() == hashlib.sha256(first.data).hexdigest() \
        == first.headers["X-Content-SHA256"]

    report = _pdfsig(first.data, tmp_path)
    assert "Signature is Valid." in report and "Total document signed" in report
    assert "Common Name: Kennisdeling certificate signing (self-signed)" in report

    facts = signature_facts(first.data)
    with app.app_context():
        stored = db.session.scalars(select(SigningKey)).one()
        assert facts.certificate_sha256 == signing.current_signer().sha256_fingerprint
        assert db.session.scalars(select(CertificatePdf.sha256)).one() == \
            hashlib.sha256(first.data).hexdigest()
    assert stored.purpose == "self-signed"
    assert "ENCRYPTED PRIVATE KEY" in stored.private_key_pem  # not in the clear
    assert facts.is_unchanged


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_signature_reason_is_in_the_pdf_language(app, client, lms, language):
    _id, _url, response = _issue_and_download(app, client, lms, language=language)
    signature = PdfFileReader(io.BytesIO(response.data)).embedded_signatures[0]
    with app.test_request_context(), force_locale(language):
        # The catalog's words (Dutch: "Certificaat van afronding"), whatever
        # language the page that issued it was in.
        expected = gettext("Certificate of completion")
    assert signature.sig_object["/Reason"] == expected
    assert signature.sig_object["/Location"] == "localhost"


def test_a_pdf_stored_before_signing_is_served_as_it_was_issued(app, client, lms):
    certificate_id, url, signed = _issue_and_download(app, client, lms)
    unsigned = b"%PDF-1.7 as issued before certificates were signed\n%%EOF\n"
    with app.app_context():
        stored = db.session.scalars(select(CertificatePdf)).one()
        stored.pdf, stored.sha256 = unsigned, hashlib.sha256(unsigned).hexdigest()
        db.session.commit()
    again = client.get(url)
    assert again.data == unsigned and signature_facts(again.data) is None
    assert again.headers["X-Content-SHA256"] == hashlib.sha256(unsigned).hexdigest()


def test_two_hosts_making_the_self_signed_certificate_at_once_keep_one(app, monkeypatch):
    with app.app_context():
        winner = signing.self_signed_key()
        db.session.commit()
        # The other host looked before the winner's row was there, then inserts its own.
        real_stored = signing._stored
        looks = []

        def missed_first_time():
            looks.append(1)
            return None if len(looks) == 1 else real_stored()

        monkeypatch.setattr(signing, "_stored", missed_first_time)
        loser = signing.self_signed_key()
        db.session.commit()
        assert loser.certificate_pem == winner.certificate_pem
        assert db.session.scalar(select(func.count()).select_from(SigningKey)) == 1


def test_two_threads_making_it_at_the_same_moment_get_the_same_one(app, monkeypatch):
    """Both have looked (no row yet) and made a key before either inserts."""
    both_made_one = threading.Barrier(2, timeout=30)
    real_new = signing.new_self_signed

    def new_then_wait(*args, **kwargs):
        made = real_new(*args, **kwargs)
        both_made_one.wait()
        return made

    monkeypatch.setattr(signing, "new_self_signed", new_then_wait)
    pems, errors = [], []

    def host():
        try:
            with app.app_context():
                pems.append(signing.self_signed_key().certificate_pem)
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=host) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(pems) == 2 and pems[0] == pems[1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SigningKey)) == 1


def test_flask_certificates_signer_prints_the_signing_certificate(app, runner):
    result = runner.invoke(args=["certificates", "signer"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        fingerprint = signing.current_signer().sha256_fingerprint
    assert "self-signed by this tool" in result.output
    assert "Common Name: Kennisdeling certificate signing (self-signed)" in result.output
    assert f"SHA-256:     {fingerprint}" in result.output
    assert "valid until: 20" in result.output


def test_a_configured_pkcs12_signs_every_certificate(database_uri, tmp_path, lms):
    p12 = tmp_path / "institution.p12"
    p12.write_bytes(institution_pkcs12(b"geheim")[0])
    app = make_app(database_uri, tmp_path / "instance", CERTIFICATE_SIGNING_PKCS12=str(p12),
                   CERTIFICATE_SIGNING_PASSPHRASE="geheim")
    lms.app = app
    client = app.test_client()
    _id, _url, response = _issue_and_download(app, client, lms)
    facts = signature_facts(response.data)
    assert facts.signer_common_name == "Universiteitsbibliotheek Voorbeeld" and facts.is_unchanged
    assert "Common Name: Universiteitsbibliotheek Voorbeeld" in _pdfsig(response.data, tmp_path)
    result = app.test_cli_runner().invoke(args=["certificates", "signer"])
    assert "configured (FLASK_CERTIFICATE_SIGNING_PKCS12)" in result.output
    assert "Voorbeeld Root CA" in result.output  # the issuer
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SigningKey)) == 0


@pytest.mark.parametrize("problem", ["missing", "passphrase", "garbage", "expired"])
def test_a_bad_signing_setting_stops_the_app_at_start_naming_it(
        database_uri, tmp_path, caplog, problem):
    p12 = tmp_path / "institution.p12"
    passphrase = "geheim"
    if problem == "passphrase":
        p12.write_bytes(institution_pkcs12(b"geheim")[0])
        passphrase = "fout"
    elif problem == "garbage":
        p12.write_bytes(b"this is not a PKCS#12 file")
    elif problem == "expired":
        p12.write_bytes(institution_pkcs12(b"geheim", expired=True)[0])
    caplog.set_level(logging.ERROR)
    with pytest.raises(signing.SigningConfigError, match="FLASK_CERTIFICATE_SIGNING_PKCS12"):
        make_app(database_uri, tmp_path / "instance", CERTIFICATE_SIGNING_PKCS12=str(p12),
                 CERTIFICATE_SIGNING_PASSPHRASE=passphrase)
    lines = [r.getMessage() for r in caplog.records if r.name == "lti_app.issuing.signer"]
    assert len(lines) == 1 and f"FLASK_CERTIFICATE_SIGNING_PKCS12={p12}" in lines[0]
    expected = {"missing": "cannot read", "passphrase": "wrong passphrase",
                "garbage": "not a PKCS#12", "expired": "expired"}[problem]
    assert expected in lines[0]

