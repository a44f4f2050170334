"""The id_token checks of the 1EdTech Security Framework (5.1.3) that pylti1p3 lacks.

pylti1p3 2.0.0 compares only `aud[0]` and ignores `azp`, allows no clock-skew
leeway, never uses its nonce up and does not refetch key sets on an unknown
kid (see LTI-NOTES.md). Each check here refuses with a `LaunchRefused` reason;
the launch chain (launch.py) calls them in order.
"""

from __future__ import annotations

import hmac
import json
import time

import jwt
from flask import current_app

from ..platforms import service as platforms
from ..platforms.models import Platform
from .exceptions import LaunchRefused
from .platform_keys import PlatformKeysUnavailable, find_platform_jwk

ALLOWED_ALGORITHMS = {"RS256", "RS384", "RS512"}


def issuer_and_client_id(body: dict) -> tuple[str, str, list[str]]:
    """(iss, our client id, every audience): `azp` names us among several."""
    issuer = body.get("iss")
    audiences = body.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    if not isinstance(issuer, str) or not isinstance(audiences, list) or not audiences:
        raise LaunchRefused("malformed_token")
    azp = body.get("azp")
    if azp:
        client_id = azp
    elif len(audiences) == 1:
        client_id = audiences[0]
    else:  # several audiences need azp to say which one we are
        raise LaunchRefused("bad_audience")
    if not isinstance(client_id, str) or client_id not in audiences:
        raise LaunchRefused("bad_audience")
    if any(not isinstance(v, str) or len(v) > 255 or "\x00" in v for v in (issuer, *audiences)):
        raise LaunchRefused("malformed_token")  # looked up before the signature is checked
    return issuer, client_id, audiences


def check_other_audiences(issuer: str, client_id: str, audiences: list[str]) -> None:
    """Extra audiences are only trusted when they are our own registrations."""
    if len(audiences) > 1:
        trusted = {p.client_id for p in platforms.list_platforms_of_issuer(issuer)
                   if p.is_approved}  # a pending registration vouches for nothing
        if not set(audiences) <= trusted | {client_id}:
            raise LaunchRefused("bad_audience")


def verified_claims(id_token: str, header: dict, platform: Platform) -> dict:
    """The body, once alg, kid, signature, aud, iss, exp and iat have passed."""
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in ALLOWED_ALGORITHMS:  # never "none", never HS*
        raise LaunchRefused("bad_algorithm", alg=str(algorithm)[:20])
    if not kid or not isinstance(kid, str):
        raise LaunchRefused("unknown_key", kid="-")
    try:
        jwk = find_platform_jwk(platform, kid)
    except PlatformKeysUnavailable as exc:
        raise LaunchRefused("keys_unavailable") from exc
    if jwk is None:
        raise LaunchRefused("unknown_key", kid=kid[:80])
    config = current_app.config
    try:
        public_key = _public_key(jwk, algorithm)
        claims = jwt.decode(
            id_token,
            public_key,
            algorithms=[algorithm],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=config["LTI_CLOCK_LEEWAY"],
            options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise LaunchRefused("expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise LaunchRefused("not_yet_valid") from exc
    except jwt.InvalidAudienceError as exc:
        raise LaunchRefused("bad_audience") from exc
    except jwt.InvalidIssuerError as exc:
        raise LaunchRefused("bad_issuer") from exc
    except jwt.InvalidSignatureError as exc:
        raise LaunchRefused("bad_signature") from exc
    except (jwt.InvalidTokenError, jwt.PyJWKError) as exc:
        raise LaunchRefused("malformed_token") from exc
    max_age = config["LTI_MAX_TOKEN_AGE"] + config["LTI_CLOCK_LEEWAY"]
    if not isinstance(claims["iat"], (int, float)) or time.time() - claims["iat"] > max_age:
        raise LaunchRefused("expired")
    return claims


# Parsed public keys by their JWK's exact content: parsing one (PyJWK builds the
# RSA numbers and checks them) was work done again on every launch. The key is
# the whole JWK, so a rotated or changed key is parsed anew; only public data.
_PARSED_KEYS_MAX = 64
_parsed_keys: dict[tuple[str, str], object] = {}


def _public_key(jwk: dict, algorithm: str):
    cache_key = (json.dumps(jwk, sort_keys=True), algorithm)
    key = _parsed_keys.get(cache_key)
    if key is None:
        key = jwt.PyJWK(jwk, algorithm=algorithm).key  # raises PyJWKError if unusable
        if len(_parsed_keys) >= _PARSED_KEYS_MAX:
            _parsed_keys.clear()
        _parsed_keys[cache_key] = key
    return key


def check_nonce(body: dict, expected: str) -> None:
    """The nonce the login bound to this state, compared in constant time."""
    nonce = body.get("nonce")
    # As bytes: compare_digest refuses (TypeError) str with non-ASCII characters.
    if not isinstance(nonce, str) or not hmac.compare_digest(
        nonce.encode("utf-8", "replace"), expected.encode("utf-8", "replace")
    ):
        raise LaunchRefused("nonce_mismatch")
