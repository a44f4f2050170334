"""The credentials' RSA signing keys: one per kid, rotated, never unpublished.

Private keys are stored encrypted with TOOL_KEY_PASSPHRASE, as the LTI keys
are (lti_app/lti/keys.py). The newest unretired key signs. Every key, retired
or not, stays in /credentials/jwks: a credential issued years ago still names
its kid, and a verifier must still find the key.
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from jwcrypto.jwk import JWK
from sqlalchemy import select

from ..extensions import db
from ..timeutil import utc_now
from .models import CredentialKey


def signing_key() -> CredentialKey:
    """The key that signs now; created on first use."""
    key = db.session.scalar(
        select(CredentialKey).where(CredentialKey.retired_at.is_(None))
        .order_by(CredentialKey.id.desc())
    )
    return key or create_key()


def create_key() -> CredentialKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.BestAvailableEncryption(_passphrase()),
    ).decode()
    jwk = JWK.from_pyca(private.public_key())
    kid = jwk.thumbprint()
    public = json.loads(jwk.export_public())
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    # In the caller's transaction (not committed on its own as the LTI keys
    # are): what it signs is stored in that same transaction, so nothing signed
    # outlives its key, and SQLite's one writer is not asked twice.
    key = CredentialKey(kid=kid, private_key_pem=pem, public_jwk=json.dumps(public))
    db.session.add(key)
    db.session.flush()
    return key


def rotate() -> tuple[CredentialKey, list[CredentialKey]]:
    """A new signing key; the ones before it retire (they sign nothing new)
    and stay published. Returns the new key and the keys it retired."""
    new = create_key()
    retired = list(db.session.scalars(
        select(CredentialKey).where(CredentialKey.retired_at.is_(None),
                                    CredentialKey.id != new.id)))
    for key in retired:
        key.retired_at = utc_now()
    db.session.flush()
    return new, retired


def all_keys() -> list[CredentialKey]:
    return list(db.session.scalars(select(CredentialKey).order_by(CredentialKey.id)))


def key_by_kid(kid: str) -> CredentialKey | None:
    if not kid or len(kid) > 100:
        return None
    return db.session.scalar(select(CredentialKey).where(CredentialKey.kid == kid))


def public_jwk(key: CredentialKey, kid_uri: str | None = None) -> dict:
    """The public key as a JWK (never "d"), its kid the dereferenceable URI."""
    jwk = json.loads(key.public_jwk)
    if kid_uri:
        jwk["kid"] = kid_uri
    return jwk


def private_key(key: CredentialKey) -> rsa.RSAPrivateKey:
    return _decrypt(key.kid, key.private_key_pem, _passphrase())


@lru_cache(maxsize=8)
def _decrypt(kid: str, encrypted_pem: str, passphrase: bytes) -> rsa.RSAPrivateKey:
    # Decrypting an RSA key takes ~30 ms; cached per process, per key.
    return serialization.load_pem_private_key(encrypted_pem.encode(), passphrase)


def _passphrase() -> bytes:
    return str(current_app.config["TOOL_KEY_PASSPHRASE"]).encode()
