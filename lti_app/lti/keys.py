"""The tool's RSA signing keys: created on first use, rotated, retired.

Private keys are stored encrypted with TOOL_KEY_PASSPHRASE (default: the
secret key). The newest unretired key signs; every unretired key is published
in /lti/jwks, so platforms that cached the old key set keep verifying during a
rotation (Security Framework 6.3, 6.4).
"""

from __future__ import annotations

import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import keypairs
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
    new = keypairs.new_rsa_key()
    # Committed on its own: a key that signs must already be published, whatever
    # happens to the request that needed it.
    with Session(db.engine) as session:
        session.add(ToolKey(kid=new.kid, private_key_pem=new.private_key_pem,
                            public_jwk=new.public_jwk))
        session.commit()
    return db.session.scalar(select(ToolKey).where(ToolKey.kid == new.kid))


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
    return private_key(key).private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode()


def private_key(key: ToolKey) -> rsa.RSAPrivateKey:
    """The loaded key object; PyJWT signs with it as with a PEM, minus the parsing."""
    return keypairs.decrypted(key.private_key_pem)
