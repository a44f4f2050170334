"""Who signs certificate PDFs: the operator's certificate, else the tool's own.

``FLASK_CERTIFICATE_SIGNING_PKCS12`` names a .p12/.pfx file with the
institution's key, certificate and chain (``..._PASSPHRASE`` opens it). It is
loaded once, at app start: a missing file or a wrong passphrase stops the app
with one log line naming the setting, rather than failing the first download.

Without it the tool signs with its own self-signed certificate, made once and
kept in the database (encrypted with TOOL_KEY_PASSPHRASE, like the LTI keys),
so every host signs with the same one.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

if TYPE_CHECKING:  # imported when used: pyHanko and fontTools are ~35 MB of RSS in
    # every web worker at start, and most requests never sign (issue 19)
    from certificates.signing import Signer

from .. import keypairs
from ..extensions import db
from ..timeutil import utc_now
from .models import SigningKey

log = logging.getLogger(__name__)

SELF_SIGNED = "self-signed"
_EXTENSION = "certificate_signer"


class SigningConfigError(RuntimeError):
    """The configured signing certificate cannot be used."""


def init_signing(app: Flask) -> None:
    """Load the operator's signing certificate now, or fail the start plainly."""
    path = app.config.get("CERTIFICATE_SIGNING_PKCS12")
    if not path:
        return
    passphrase = app.config.get("CERTIFICATE_SIGNING_PASSPHRASE")
    # FLASK_* values are parsed as JSON: a passphrase of digits arrives as a number.
    app.extensions[_EXTENSION] = load_pkcs12(
        str(path), None if passphrase is None else str(passphrase))


def load_pkcs12(path: str, passphrase: str | None) -> Signer:
    from certificates.signing import Signer, SigningError

    setting = f"FLASK_CERTIFICATE_SIGNING_PKCS12={path}"
    signer, problem = None, None
    try:
        signer = Signer.from_pkcs12(Path(path).read_bytes(), passphrase)
    except OSError as exc:
        problem = f"cannot read the file ({exc.strerror or exc})"
    except SigningError as exc:
        problem = f"{exc} (see FLASK_CERTIFICATE_SIGNING_PASSPHRASE)"
    if signer is not None and signer.not_after < utc_now():
        problem = f"the certificate expired on {signer.not_after:%Y-%m-%d}"
    if problem:
        # Raised outside the except blocks: the log line and the error say it
        # all, with no chained traceback of the parsing underneath.
        log.error("certificate signing: %s: %s", setting, problem)
        raise SigningConfigError(f"{setting}: {problem}")
    return signer


def current_signer() -> Signer:
    """The configured signer, else the stored self-signed one (made on first use)."""
    configured = current_app.extensions.get(_EXTENSION)
    if configured is not None:
        return configured
    row = self_signed_key()
    return _decrypted(row.private_key_pem, row.certificate_pem)


def is_configured() -> bool:
    return _EXTENSION in current_app.extensions


def self_signed_key() -> SigningKey:
    """The stored self-signed certificate; two hosts making it at once get one."""
    row = _stored()
    if row is not None:
        return row
    key, cert = new_self_signed(
        f"{current_app.config['TOOL_TITLE']} certificate signing (self-signed)",
        current_app.config.get("CERTIFICATE_SIGNING_ORGANISATION")
        or current_app.config["TOOL_TITLE"],
    )
    pem = keypairs.encrypted_pem(key)
    try:
        # The unique purpose decides a race: the loser's insert fails and it
        # reads the winner's row. In the caller's transaction, so a PDF signed
        # with a key that was rolled back is rolled back with it.
        with db.session.begin_nested():
            db.session.add(SigningKey(
                purpose=SELF_SIGNED, private_key_pem=pem,
                certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
            ))
    except IntegrityError:
        pass
    return _stored()


def new_self_signed(*args, **kwargs):
    """certificates.signing.new_self_signed, imported when first needed."""
    from certificates.signing import new_self_signed as make

    return make(*args, **kwargs)


def _stored() -> SigningKey | None:
    return db.session.scalar(select(SigningKey).where(SigningKey.purpose == SELF_SIGNED))


@lru_cache(maxsize=4)
def _decrypted(key_pem: str, cert_pem: str) -> Signer:
    # Loading the signer costs more than a signature; the cache is per process
    # and keyed by the row, so a new row is loaded afresh.
    from certificates.signing import Signer

    return Signer.from_key_and_certificates(keypairs.decrypted(key_pem),
                                            x509.load_pem_x509_certificate(cert_pem.encode()))
