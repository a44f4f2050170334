"""The credential of a certificate: made once, stored, downloaded as issued.

The API the verification page, the downloads and the ZIP use (helper "share"):
credential_jwt, credential_json, baked_png, set_email_choice, email_choice,
status_of and check_credential (checking.py). Services flush, never commit.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course_content.models import Course

from ..domain import DomainError
from ..extensions import db
from ..issuing.models import Certificate
from ..launch_scope import find_course
from ..timeutil import utc_now
from . import baking, document, keys, status_list, vc_jwt
from .checking import CredentialCheck, Outcome, check_credential  # the API, in __all__
from .models import IssuedCredential
from .urls import public_url

__all__ = [
    "CredentialCheck", "NoBadgeImage", "Outcome", "baked_png", "check_credential",
    "credential_json", "credential_jwt", "email_choice", "set_email_choice", "status_of",
]


class NoBadgeImage(DomainError):
    """The course's course.yaml has no badge (yet): no PNG to bake into."""

    status = 404
    reason = "no_badge_image"

    def user_message(self) -> str:
        return _("This course has no badge image yet. Download the credential as a .jwt "
                 "file instead.")


def credential_jwt(certificate: Certificate) -> str:
    """The compact JWS as stored: the same text on every download."""
    return issued_credential(certificate).jwt


def credential_json(certificate: Certificate) -> dict:
    """The credential the JWT carries, decoded (for reading; the JWT is the proof)."""
    payload = vc_jwt.unverified_payload(credential_jwt(certificate)) or {}
    return vc_jwt.credential_of(payload)


def baked_png(certificate: Certificate) -> bytes:
    """The course's badge image with the JWT baked in (OB 3.0 § Baking)."""
    course = find_course(certificate.course_slug)
    return baking.bake(badge_image(course), credential_jwt(certificate))


def email_choice(certificate: Certificate) -> bool:
    """Whether the learner put their email (hashed) in; False before it is made
    (a page that only asks must not sign a credential)."""
    stored = _stored(certificate.id)
    return bool(stored and stored.include_email)


def set_email_choice(certificate: Certificate, include: bool) -> IssuedCredential:
    """The learner's choice: the email (as a salted hash) in the credential or
    not. The credential is signed again with the same id and status index."""
    issued = issued_credential(certificate)
    include = bool(include) and bool(certificate.person.email)
    if issued.include_email != include:
        issued.include_email = include
        _sign(issued, certificate)
        db.session.flush()
    return issued


@dataclass(frozen=True)
class StatusEntry:
    list_id: str
    index: int
    list_url: str
    revoked: bool  # the bit is set: revoked or superseded


def status_of(certificate: Certificate) -> StatusEntry:
    issued = issued_credential(certificate)
    return StatusEntry(
        list_id=status_list.list_id(issued.issuer_key, issued.status_list),
        index=issued.status_index, list_url=_status_url(issued),
        revoked=certificate.state != "valid")


def issued_credential(certificate: Certificate) -> IssuedCredential:
    """The stored credential; made and signed on first request. Two requests at
    once: the unique constraints let one insert win, the other reads it."""
    existing = _stored(certificate.id)
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with db.session.begin_nested():
                issued = _new(certificate)
                db.session.add(issued)
                db.session.flush()
            return issued
        except IntegrityError:  # the same certificate, or the same random index
            existing = _stored(certificate.id)
            if existing is not None:
                return existing
    raise RuntimeError("no free status list index after five tries")


def issuer_key(name: str) -> str:
    """A stable, URL-safe key per issuing institution (its Profile's address)."""
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def badge_image(course: Course | None) -> bytes:
    if course is None or course.badge is None:
        raise NoBadgeImage()
    return course.badge.image.read_bytes()


def _stored(certificate_id: int) -> IssuedCredential | None:
    return db.session.scalar(
        select(IssuedCredential).where(IssuedCredential.certificate_id == certificate_id))


def _new(certificate: Certificate) -> IssuedCredential:
    name = document.institution_of(certificate)
    key = issuer_key(name)
    number, index = status_list.allocate(key)
    issued = IssuedCredential(
        certificate_id=certificate.id, certificate=certificate,
        credential_uri=public_url("verification.verify", code=certificate.verification_code),
        subject_uri=f"urn:uuid:{uuid.uuid4()}", issuer_key=key, issuer_name=name,
        status_list=number, status_index=index, include_email=False)
    _sign(issued, certificate)
    return issued


def _sign(issued: IssuedCredential, certificate: Certificate) -> None:
    course = find_course(certificate.course_slug)
    email = certificate.person.email if issued.include_email else None
    credential = document.credential(
        certificate=certificate, course=course, credential_uri=issued.credential_uri,
        subject_uri=issued.subject_uri,
        issuer_uri=public_url("credentials.issuer", key=issued.issuer_key),
        achievement_uri=public_url("credentials.achievement", slug=certificate.course_slug,
                                   lang=_lang(certificate)),
        creator_uri=public_url("credentials.creator", slug=certificate.course_slug),
        image_uri=public_url("credentials.badge_image", slug=certificate.course_slug),
        status_uri=_status_url(issued), status_index=issued.status_index,
        verification_url=issued.credential_uri, email=email)
    key = keys.signing_key()
    issued.kid = key.kid
    issued.jwt = vc_jwt.sign(credential, key, kid_uri(key.kid))
    issued.signed_at = utc_now()


def kid_uri(kid: str) -> str:
    """The header's kid: a URI that dereferences to the JWK (OB 3.0 § JOSE Header)."""
    return public_url("credentials.key", kid=kid)


def _status_url(issued: IssuedCredential) -> str:
    return public_url("credentials.status",
                      list_id=status_list.list_id(issued.issuer_key, issued.status_list))


def _lang(certificate: Certificate) -> str:
    return "en" if certificate.language == "en" else "nl"
