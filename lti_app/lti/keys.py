"""The tool's RSA signing keys: created on first use, rotated, retired.

Private keys are stored encrypted with TOOL_KEY_PASSPHRASE (default: the
secret key). The newest unretired key signs; every unretired key is published
in /lti/jwks, so platforms that cached the old key set keep verifying during a
rotation (Security Framework 6.3, 6.4).
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from jwcrypto.jwk import JWK
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import DomainError
from ..extensions import db
from ..timeutil import utc_now
from .models import ToolKey


class KeyOperationError(DomainError):
    """A key operation that cannot be done."""

    reason = "key_operation"


def active_key() -> ToolKey:
    """The key that signs now; created on first use."""
    key = db.session.scalar(
        select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc())
    )
    return key or create_key()


def create_key() -> ToolKey:
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
    # Committed on its own: a key that signs must already be published, whatever
    # happens to the request that needed it.
    with Session(db.engine) as session:
        session.add(ToolKey(kid=kid, private_key_pem=pem, public_jwk=json.dumps(public)))
        session.commit()
    return db.session.scalar(select(ToolKey).where(ToolKey.kid == kid))


def rotate() -> ToolKey:
    """Add a new signing key; the old ones stay published until retired."""
    active_key()  # a first rotation on an empty table still leaves two keys
    return create_key()


def retire(kid: str) -> ToolKey:
    key = db.session.scalar(select(ToolKey).where(ToolKey.kid == kid))
    if key is None or key.retired_at is not None:
        raise KeyOperationError(f"no published key with kid {kid}")
    if len(published_keys()) == 1:
        raise KeyOperationError("cannot retire the only published key; rotate first")
    key.retired_at = utc_now()
    db.session.flush()
    return key


def published_keys() -> list[ToolKey]:
    return list(
        db.session.scalars(
            select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id)
        )
    )


def public_jwks() -> dict:
    keys = published_keys() or [active_key()]
    return {"keys": [json.loads(key.public_jwk) for key in keys]}


def private_key_pem(key: ToolKey) -> str:
    """The key's unencrypted PEM."""
    return _decrypt(key.kid, key.private_key_pem, _passphrase()).private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode()


def private_key(key: ToolKey) -> rsa.RSAPrivateKey:
    """The loaded key object; PyJWT signs with it as with a PEM, minus the parsing."""
    return _decrypt(key.kid, key.private_key_pem, _passphrase())


@lru_cache(maxsize=8)
def _decrypt(kid: str, encrypted_pem: str, passphrase: bytes) -> rsa.RSAPrivateKey:
    # Decrypting and checking an RSA key takes ~30 ms; the cache is per process
    # and holds nothing another worker needs (each derives the same value).
    return serialization.load_pem_private_key(encrypted_pem.encode(), passphrase)


def _passphrase() -> bytes:
    return str(current_app.config["TOOL_KEY_PASSPHRASE"]).encode()
