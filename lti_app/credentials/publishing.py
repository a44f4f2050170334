"""The public documents behind the URIs a credential names (views.py)."""

from __future__ import annotations

from flask import Response
from sqlalchemy import select

from course_content.models import Course

from ..extensions import db
from ..timeutil import utc_now
from . import document, keys, status_list, vc_jwt
from .models import IssuedCredential
from .urls import public_url


def key_set() -> dict:
    """Every key, retired ones too: a credential signed years ago names its kid."""
    all_keys = keys.all_keys() or [keys.signing_key()]
    return {"keys": [keys.public_jwk(k, public_url("credentials.key", kid=k.kid))
                     for k in all_keys]}


def key_document(kid: str) -> dict | None:
    key = keys.key_by_kid(kid)
    return keys.public_jwk(key, public_url("credentials.key", kid=kid)) if key else None


def issuer_document(key: str) -> dict | None:
    name = db.session.scalar(select(IssuedCredential.issuer_name).where(
        IssuedCredential.issuer_key == key[:40]).limit(1))
    if name is None:
        return None
    profile = document.issuer_profile(public_url("credentials.issuer", key=key), name)
    return {"@context": list(document.CONTEXTS), **profile}


def achievement_document(course: Course, lang: str) -> dict:
    """The achievement as the course states it now (a credential keeps its own copy)."""
    badge = course.badge
    name = badge.name.get(lang) if badge else course.title.get(lang)
    result = {
        "@context": list(document.CONTEXTS),
        "id": public_url("credentials.achievement", slug=course.slug, lang=lang),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": name,
        "description": " ".join(filter(None, [
            badge.description.get(lang) if badge else course.description.get(lang),
            document.study_load(course, lang)])),
        "criteria": {"narrative": document.criteria_narrative(course, lang)},
        "inLanguage": lang,
        "creator": creator_document(course, context=False),
        "version": course.version,
    }
    if badge:
        result["image"] = {"id": public_url("credentials.badge_image", slug=course.slug),
                           "type": "Image", "caption": name}
    return result


def creator_document(course: Course, *, context: bool = True) -> dict:
    profile = {"id": public_url("credentials.creator", slug=course.slug),
               "type": ["Profile"], "name": ", ".join(course.organisers)}
    return {"@context": list(document.CONTEXTS), **profile} if context else profile


def status_list_credential(issuer_key: str, number: int) -> dict:
    """BitstringStatusListCredential (Bitstring Status List v1.0 § 2.2), from the
    database: a revoked or superseded certificate's bit is set."""
    url = public_url("credentials.status", list_id=status_list.list_id(issuer_key, number))
    name = db.session.scalar(select(IssuedCredential.issuer_name).where(
        IssuedCredential.issuer_key == issuer_key).limit(1)) or ""
    return {
        "@context": [document.VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": public_url("credentials.issuer", key=issuer_key), "name": name},
        "validFrom": document.iso(utc_now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status_list.encode(status_list.set_indexes(issuer_key, number)),
        },
    }


def status_list_jwt(issuer_key: str, number: int) -> str:
    """The list credential as a VC-JWT; sub is the list (its credentialSubject.id)."""
    key = keys.signing_key()
    return vc_jwt.sign(status_list_credential(issuer_key, number), key,
                       public_url("credentials.key", kid=key.kid))


def decoded(token: str) -> dict:
    return vc_jwt.credential_of(vc_jwt.unverified_payload(token) or {})


def text_response(text: str, mimetype: str) -> Response:
    return Response(text, mimetype=mimetype)
