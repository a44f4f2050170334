"""The OpenBadgeCredential of a certificate, as a JSON object (OB 3.0, VCDM 2.0).

Built once, from the certificate's snapshot (frozen at issue) and the course's
badge wording, in the certificate's language. Spec: 1EdTech Open Badges 3.0,
ob_v3p0/datamodel (OpenBadgeCredential, Achievement, AchievementSubject,
IdentityObject, Profile), checked against ob_v3p0_achievementcredential_schema
.json (commit c73e966, 2024-07-30) in tests/credentials/spec/.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from decimal import Decimal

from course_content.models import Course, format_number

from ..issuing.models import Certificate

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = [VC_CONTEXT, OB_CONTEXT]


def iso(moment: datetime) -> str:
    """XML Schema dateTimeStamp in UTC, whole seconds (as the JWT's nbf)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def email_identity(email: str, salt: str | None = None) -> dict:
    """OB 3.0 IdentityObject: sha256 of the lower-cased address + salt, never the address."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
            "identityHash": f"sha256${digest}", "salt": salt}


def issuer_profile(issuer_uri: str, name: str) -> dict:
    return {"id": issuer_uri, "type": ["Profile"], "name": name}


def credential(
    *, certificate: Certificate, course: Course | None, credential_uri: str,
    subject_uri: str, issuer_uri: str, achievement_uri: str, creator_uri: str,
    image_uri: str, status_uri: str, status_index: int, verification_url: str,
    email: str | None,
) -> dict:
    lang = "en" if certificate.language == "en" else "nl"
    snapshot = certificate.snapshot or {}
    issuer_name = institution_of(certificate)
    subject = {
        "id": subject_uri,
        "type": ["AchievementSubject"],
        "name": certificate.learner_name,
        "achievement": achievement(
            course=course, certificate=certificate, lang=lang, uri=achievement_uri,
            creator_uri=creator_uri, image_uri=image_uri),
    }
    if certificate.completed_on:
        subject["activityEndDate"] = iso(datetime.combine(
            certificate.completed_on, datetime.min.time(), timezone.utc))
    if email:
        subject["identifier"] = [email_identity(email)]
    return {
        "@context": list(CONTEXTS),
        "id": credential_uri,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": subject["achievement"]["name"],
        "description": _certified(snapshot, lang, certificate.learner_name),
        "issuer": issuer_profile(issuer_uri, issuer_name),
        "validFrom": iso(certificate.issued_at),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{status_uri}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_uri,
        },
        # The public page that says whether it still stands (and the PDF's hash).
        "evidence": [{
            "id": verification_url,
            "type": ["Evidence"],
            "name": "Verificatie" if lang == "nl" else "Verification",
            "description": ("De openbare verificatiepagina van dit certificaat."
                            if lang == "nl" else
                            "The public verification page of this certificate."),
        }],
    }


def institution_of(certificate: Certificate) -> str:
    """Who vouches: the snapshot's institution (older certificates: the tool)."""
    return (certificate.snapshot or {}).get("institution") or "Kennisdeling"


def achievement(*, course: Course | None, certificate: Certificate, lang: str, uri: str,
                creator_uri: str, image_uri: str) -> dict:
    snapshot = certificate.snapshot or {}
    badge = course.badge if course else None
    title = snapshot.get("course_title", {}).get(lang) or certificate.course_slug
    name = badge.name.get(lang) if badge else title
    description = badge.description.get(lang) if badge else (
        course.description.get(lang) if course else title)
    load = study_load(course, lang)
    if load:
        description = f"{description} {load}"
    result = {
        "id": uri,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": name,
        "description": description,
        "criteria": {"narrative": criteria_narrative(course, lang)},
        "inLanguage": lang,
        "creator": {"id": creator_uri, "type": ["Profile"],
                    "name": ", ".join(snapshot.get("organisers") or
                                      (course.organisers if course else ()))},
        "version": certificate.course_version,
    }
    if badge:
        result["image"] = {"id": image_uri, "type": "Image", "caption": name}
    return result


def study_load(course: Course | None, lang: str) -> str:
    """The study load in words: OB 3.0 has no hours field, and creditsAvailable
    is for credits, which neither course awards. From the modules' estimated
    minutes (course content), rounded to half hours, plus the shadowing days."""
    if course is None or not course.study_minutes:
        return ""
    hours = format_number(Decimal(round(course.study_minutes / 30)) / 2, lang)
    modules = len(course.published_modules)
    days = course.shadow_days_required
    if lang == "en":
        text = f"Study load: about {hours} hours of online study ({modules} modules)"
        return text + (f" and {_count(days, 'en')} shadowing days." if days else ".")
    text = f"Studielast: ongeveer {hours} uur online studie ({modules} modules)"
    return text + (f" en {_count(days, 'nl')} meeloopdagen." if days else ".")


def criteria_narrative(course: Course | None, lang: str) -> str:
    """The course's rules in words (Markdown): the badge's own sentence, then the
    rules the tool checks before it issues."""
    if course is None:
        return ""
    rules = []
    modules = len(course.published_modules)
    if lang == "en":
        rules.append(f"- Every module passed ({modules} modules); a quiz is passed with at"
                     f" least {course.pass_mark}% right.")
        if course.shadow_days_required:
            rules.append(f"- {_count(course.shadow_days_required, 'en').capitalize()}"
                         " shadowing days at a participating library, each confirmed by"
                         " the host library or the trainer.")
    else:
        rules.append(f"- Alle modules gehaald ({modules} modules); een toets is gehaald met"
                     f" minstens {course.pass_mark}% goed.")
        if course.shadow_days_required:
            rules.append(f"- {_count(course.shadow_days_required, 'nl').capitalize()}"
                         " meeloopdagen bij een deelnemende bibliotheek, elk bevestigd"
                         " door de gastbibliotheek of de trainer.")
    intro = course.badge.criteria.get(lang) if course.badge else ""
    return "\n\n".join(part for part in (intro, "\n".join(rules)) if part)


_WORDS = {"nl": ["nul", "een", "twee", "drie", "vier", "vijf"],
          "en": ["zero", "one", "two", "three", "four", "five"]}


def _count(number: int, lang: str) -> str:
    words = _WORDS[lang]
    return words[number] if 0 <= number < len(words) else str(number)


def _certified(snapshot: dict, lang: str, name: str) -> str:
    wording = (snapshot.get("wording") or {}).get(lang) or ""
    title = (snapshot.get("course_title") or {}).get(lang) or ""
    if not wording:
        return title
    if lang == "nl":
        return f"{wording} {name} de training {title} heeft afgerond."
    return f"{wording} {name} has completed the {title} training."
