"""The JSON Web Token Proof Format of Open Badges 3.0 (ob_v3p0/integrity.md,
§ "JSON Web Token Proof Format", 1EdTech openbadges-specification at 1af145f).

JOSE header: alg RS256, kid (a URI that dereferences to the JWK), typ "JWT";
no other headers. Payload: the credential itself (the VCDM 2.0 form, no `vc`
claim) with iss = issuer.id, jti = id, sub = credentialSubject.id and
nbf = validFrom.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from enum import StrEnum

import jwt

from .keys import private_key
from .models import CredentialKey


class Failure(StrEnum):
    UNREADABLE = "unreadable"  # not a compact JWS with a JSON header and payload
    ALTERED = "altered"  # the signature does not match the content
    CLAIMS = "claims"  # signed, but iss/jti/sub/nbf disagree with the credential


def sign(document: dict, key: CredentialKey, kid_uri: str) -> str:
    payload = dict(document)
    payload.update({
        "iss": _issuer_id(document),
        "jti": document["id"],
        "sub": document["credentialSubject"]["id"],
        "nbf": int(datetime.fromisoformat(document["validFrom"]).timestamp()),
    })
    return jwt.encode(payload, private_key(key), algorithm="RS256",
                      headers={"kid": kid_uri, "typ": "JWT"})


def header(token: str) -> dict | None:
    """The JOSE header, unverified; None when it is not a compact JWS."""
    try:
        value = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    return value if isinstance(value, dict) else None


def unverified_payload(token: str) -> dict | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def verify(token: str, public_jwk: dict) -> tuple[dict | None, Failure | None]:
    """(the payload, None) when the signature and the claims hold."""
    try:
        key = jwt.PyJWK(public_jwk, algorithm="RS256")
        payload = jwt.decode(
            token, key, algorithms=["RS256"],
            options={"require": ["iss", "jti", "sub", "nbf"], "verify_aud": False},
            leeway=60)
    except jwt.InvalidSignatureError:
        return None, Failure.ALTERED
    except (jwt.DecodeError, jwt.InvalidAlgorithmError):
        return None, Failure.UNREADABLE
    except jwt.PyJWTError:
        return None, Failure.CLAIMS
    return payload, (None if claims_match(payload) else Failure.CLAIMS)


def claims_match(payload: dict) -> bool:
    """§ "Verify a Credential VC-JWT Signature": the claims equal the credential's."""
    try:
        valid_from = int(datetime.fromisoformat(payload["validFrom"]).timestamp())
        return (payload["iss"] == _issuer_id(payload) and payload["jti"] == payload["id"]
                and payload["sub"] == payload["credentialSubject"]["id"]
                and payload["nbf"] == valid_from)
    except (KeyError, TypeError, ValueError):
        return False


def credential_of(payload: dict) -> dict:
    """The credential without the JWT claims."""
    return {k: v for k, v in payload.items() if k not in ("iss", "jti", "sub", "nbf", "exp")}


def _issuer_id(document: dict) -> str:
    issuer = document["issuer"]
    return issuer["id"] if isinstance(issuer, dict) else issuer
