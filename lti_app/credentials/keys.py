"""The credentials' RSA signing keys: one per kid, rotated, never unpublished.

Private keys are stored encrypted with TOOL_KEY_PASSPHRASE, as the LTI keys
are (lti_app/lti/keys.py). The newest unretired key signs. Every key, retired
or not, stays in /credentials/jwks: a credential issued years ago still names
its kid, and a verifier must still find the key.
"""

from __future__ import annotations

import json

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from .. import keypairs
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
    new = keypairs.new_rsa_key()
    # In the caller's transaction (not committed on its own as the LTI keys
    # are): what it signs is stored in that same transaction, so nothing signed
    # outlives its key, and SQLite's one writer is not asked twice.
    key = CredentialKey(kid=new.kid, private_key_pem=new.private_key_pem,
                        public_jwk=new.public_jwk)
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
    return keypairs.decrypted(key.private_key_pem)
