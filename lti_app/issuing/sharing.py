"""What a learner shares: the LinkedIn "Add to profile" address and the file
names of the downloads. No HTTP here; the views pass the verification URL."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from .models import Certificate

# LinkedIn's documented "Add to Profile" for certifications: a plain link the
# member opens while signed in; LinkedIn shows the form filled in, the member saves.
LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def organisation_of(certificate: Certificate) -> str:
    """Who issued it, as frozen at issue (older certificates: the organisers)."""
    snapshot = certificate.snapshot or {}
    return (snapshot.get("institution") or ", ".join(snapshot.get("organisers") or [])
            or "")


def course_title_of(certificate: Certificate, language: str) -> str:
    titles = (certificate.snapshot or {}).get("course_title") or {}
    return titles.get(language) or titles.get(certificate.language) or certificate.course_slug


def linkedin_url(certificate: Certificate, *, verification_url: str, language: str,
                 organization_id: str | None = None) -> str:
    """The "Add to profile" link: certification name, issuing organisation (its
    LinkedIn id when the operator configured one, else its name), issue month,
    the verification page as credential URL and the code as credential id."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": course_title_of(certificate, language),
    }
    if organization_id:
        params["organizationId"] = organization_id
    else:
        params["organizationName"] = organisation_of(certificate)
    params.update(
        issueYear=str(certificate.issued_at.year),
        issueMonth=str(certificate.issued_at.month),
        certUrl=verification_url,
        certId=certificate.verification_code,
    )
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(params)}"


# The downloads: kind -> (file extension, Content-Type).
DOWNLOADS = {
    "json": ("json", "application/json"),
    # RFC 7519's type for a JWT; the VC-JWT media type is not known to most tools.
    "jwt": ("jwt", "application/jwt"),
    "png": ("png", "image/png"),
}


def download_name(certificate: Certificate, kind: str, word: str) -> str:
    """`<word>-<course>.<ext>`: `word` is the translated noun (badge, credential)."""
    extension, _type = DOWNLOADS[kind]
    safe = re.sub(r"[^\w\-]+", "-", word).strip("-") or "credential"
    return f"{safe}-{certificate.course_slug}.{extension}"
