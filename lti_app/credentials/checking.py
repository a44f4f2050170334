"""Is this credential ours, unchanged, and does it still stand?

Accepts what a verifier has: the compact JWS (a .jwt file), a JSON document
holding one, or a baked PNG. Each failure is told apart, so a page can say
plainly what is wrong: a changed name (altered), a key we never had
(unknown_kid), someone else's credential (not_ours), a revocation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import select

from ..extensions import db
from . import baking, keys, vc_jwt
from .models import IssuedCredential
from .urls import public_url

if TYPE_CHECKING:  # the issuing package imports the credentials service
    from ..issuing.models import Certificate

MAX_INPUT_BYTES = 2 * 1024 * 1024
_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class Outcome(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"  # replaced by a re-issue (e.g. a corrected name)
    ALTERED = "altered"  # the signature does not match: changed after signing
    UNKNOWN_KID = "unknown_kid"  # names one of our key URLs, but no key we ever had
    NOT_OURS = "not_ours"  # another issuer's credential (or key)
    UNREADABLE = "unreadable"  # no credential found in what was given
    UNKNOWN_CERTIFICATE = "unknown_certificate"  # signed by us, but we have no such record


@dataclass(frozen=True)
class CredentialCheck:
    outcome: Outcome
    certificate: Certificate | None = None
    # The credential as read (unverified when the outcome says it failed).
    credential: dict | None = None
    kid: str | None = None
    facts: dict = field(default_factory=dict)  # name, achievement, issuer, validFrom

    @property
    def is_valid(self) -> bool:
        return self.outcome is Outcome.VALID


def check_credential(data: str | bytes) -> CredentialCheck:
    token = _find_token(data)
    if token is None:
        return CredentialCheck(Outcome.UNREADABLE)
    header = vc_jwt.header(token)
    payload = vc_jwt.unverified_payload(token)
    if header is None or payload is None or header.get("alg") != "RS256":
        return CredentialCheck(Outcome.UNREADABLE)
    facts = _facts(payload)
    kid_uri = str(header.get("kid") or "")
    if not _is_ours(kid_uri, "credentials.key", "kid") or not _issuer_is_ours(payload):
        return CredentialCheck(Outcome.NOT_OURS, credential=payload, kid=kid_uri, facts=facts)
    key = keys.key_by_kid(kid_uri.rstrip("/").rsplit("/", 1)[-1])
    if key is None:
        return CredentialCheck(Outcome.UNKNOWN_KID, credential=payload, kid=kid_uri,
                               facts=facts)
    verified, failure = vc_jwt.verify(token, keys.public_jwk(key))
    if failure is vc_jwt.Failure.UNREADABLE:
        return CredentialCheck(Outcome.UNREADABLE, kid=kid_uri)
    if failure is not None:  # a bad signature, or claims that disagree with it
        return CredentialCheck(Outcome.ALTERED, credential=payload, kid=kid_uri, facts=facts)
    issued = db.session.scalar(select(IssuedCredential).where(
        IssuedCredential.credential_uri == str(verified.get("jti"))[:500]))
    if issued is None:
        return CredentialCheck(Outcome.UNKNOWN_CERTIFICATE, credential=verified, kid=kid_uri,
                               facts=facts)
    certificate = issued.certificate
    outcome = {"revoked": Outcome.REVOKED, "superseded": Outcome.SUPERSEDED}.get(
        certificate.state, Outcome.VALID)
    return CredentialCheck(outcome, certificate=certificate,
                           credential=vc_jwt.credential_of(verified), kid=kid_uri, facts=facts)


def _find_token(data: str | bytes) -> str | None:
    if isinstance(data, bytes):
        if len(data) > MAX_INPUT_BYTES:
            return None
        if data.startswith(baking.PNG_SIGNATURE):
            data = baking.unbake(data) or ""
        else:
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                return None
    text = (data or "").strip()
    if len(text) > MAX_INPUT_BYTES:
        return None
    if _COMPACT_JWS.match(text):
        return text
    if text.startswith("{"):
        try:
            holder = json.loads(text)
        except ValueError:
            return None
        return _token_in(holder)
    return None


def _token_in(value: object, depth: int = 0) -> str | None:
    """A compact JWS anywhere in a JSON document (e.g. {"credential": "eyJ..."}
    or a VC-JOSE envelope "data:application/vc+jwt,eyJ...")."""
    if depth > 4:
        return None
    if isinstance(value, str):
        text = value.removeprefix("data:application/vc+jwt,").strip()
        return text if _COMPACT_JWS.match(text) else None
    items = value.values() if isinstance(value, dict) else (
        value if isinstance(value, list) else ())
    for item in items:
        found = _token_in(item, depth + 1)
        if found:
            return found
    return None


def _is_ours(uri: str, endpoint: str, argument: str) -> bool:
    """The URI is one of this tool's addresses for `endpoint`."""
    prefix = public_url(endpoint, **{argument: "x"})[:-1]
    return uri.startswith(prefix) and "/" not in uri[len(prefix):]


def _issuer_is_ours(payload: dict) -> bool:
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return (isinstance(issuer_id, str) and _is_ours(issuer_id, "credentials.issuer", "key")
            and payload.get("iss") in (None, issuer_id))


def _facts(payload: dict) -> dict:
    subject = payload.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"),
                                                           dict) else {}
    issuer = payload.get("issuer")
    return {
        "name": _text(subject.get("name")),
        "achievement": _text(achievement.get("name")),
        "issuer": _text(issuer.get("name")) if isinstance(issuer, dict) else "",
        "valid_from": _text(payload.get("validFrom")),
        "id": _text(payload.get("id")),
        "issuer_host": urlsplit(_text(issuer.get("id") if isinstance(issuer, dict)
                                      else issuer)).netloc,
    }


def _text(value: object) -> str:
    return value[:300] if isinstance(value, str) else ""
