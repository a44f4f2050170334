"""The tool's stored private keys: made, encrypted and decrypted one way.

Every key the tool keeps in its database (the LTI keys, the credentials'
keys, the self-signed PDF signer) is stored as PKCS#8 encrypted with
TOOL_KEY_PASSPHRASE (default: the secret key), so a copy of the database
alone signs nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from flask import current_app
from jwcrypto.jwk import JWK


@dataclass(frozen=True)
class NewRsaKey:
    kid: str  # RFC 7638 thumbprint: unique per key, so a kid is never reused
    private_key_pem: str  # encrypted
    public_jwk: str  # JSON, with kid, alg RS256 and use sig


def new_rsa_key() -> NewRsaKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = JWK.from_pyca(private.public_key())
    kid = jwk.thumbprint()
    public = json.loads(jwk.export_public())
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return NewRsaKey(kid=kid, private_key_pem=encrypted_pem(private),
                     public_jwk=json.dumps(public))


def encrypted_pem(private: PrivateKeyTypes) -> str:
    return private.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase()),
    ).decode()


def decrypted(encrypted: str) -> PrivateKeyTypes:
    """The loaded key object (cached per process)."""
    return _decrypt(encrypted, passphrase())


@lru_cache(maxsize=16)
def _decrypt(encrypted: str, passphrase: bytes) -> PrivateKeyTypes:
    # Decrypting and checking an RSA key takes ~30 ms; the cache is per process
    # and holds nothing another worker needs (each derives the same value).
    return serialization.load_pem_private_key(encrypted.encode(), passphrase)


def passphrase() -> bytes:
    return str(current_app.config["TOOL_KEY_PASSPHRASE"]).encode()
