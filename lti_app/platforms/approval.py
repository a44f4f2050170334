"""Registrations wait for the operator: pending, approved or refused.

Anyone who can reach /lti/register with a registration token of some LMS can
make the tool register there; the registration it stores is therefore only
a request. Launches use it once the tool's operator approves it (flask
platform approve), or at once when its LMS host is one the operator listed
in LTI_AUTO_APPROVE_HOSTS. An existing (issuer, client_id) is never changed
by a registration: its key set is what every launch of that LMS is checked
against, so replacing it is the operator's command (flask platform update).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import Platform, RegistrationStatus
from .service import PlatformError, add_deployment, find_platform


class AlreadyRegistered(PlatformError):
    """A registration for an (issuer, client_id) that exists; nothing changed."""

    status = 409
    reason = "already_registered"

    def __init__(self, platform: Platform) -> None:
        super().__init__(f"platform {platform.id} exists")
        self.platform_id = platform.id


class InstitutionRequired(PlatformError):
    """Approval needs the name of the institution that vouches for the certificates."""

    reason = "institution_required"


def auto_approve_hosts(config=None) -> frozenset[str]:
    """LTI_AUTO_APPROVE_HOSTS: a comma-separated string (or a list) of LMS host names."""
    value = (config if config is not None else current_app.config).get(
        "LTI_AUTO_APPROVE_HOSTS") or ()
    if isinstance(value, str):
        value = value.split(",")
    return frozenset(h.strip().lower().rstrip(".") for h in value if h and h.strip())


def is_auto_approved(issuer: str) -> bool:
    """Whether the issuer's host (the host the configuration came from) is listed."""
    try:
        host = urlsplit(issuer).hostname
    except ValueError:
        return False
    return bool(host) and host in auto_approve_hosts()


def register_pending(
    *,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    jwks_url: str,
    deployment_ids: Iterable[str] = (),
    name: str,
    product_family: str | None = None,
    auth_audience: str | None = None,
    accepts_new_deployments: bool = False,
    suggested_institution: str | None = None,
) -> Platform:
    """A new registration from dynamic registration: pending unless its host is listed.

    Raises AlreadyRegistered, and changes nothing, when (issuer, client_id)
    exists in any status.
    """
    existing = find_platform(issuer, client_id)
    if existing is not None:
        raise AlreadyRegistered(existing)
    platform = Platform(
        issuer=issuer, client_id=client_id, name=name or issuer,
        auth_login_url=auth_login_url, auth_token_url=auth_token_url, jwks_url=jwks_url,
        auth_audience=auth_audience, product_family=product_family,
        accepts_new_deployments=accepts_new_deployments,
        suggested_institution=(suggested_institution or None),
        status=(RegistrationStatus.APPROVED if is_auto_approved(issuer)
                else RegistrationStatus.PENDING),
    )
    try:
        with db.session.begin_nested():  # a conflict undoes only this INSERT
            db.session.add(platform)
    except IntegrityError as exc:  # the same registration, committed a moment ago
        existing = find_platform(issuer, client_id)
        if existing is None:
            raise
        raise AlreadyRegistered(existing) from exc
    for deployment_id in deployment_ids:
        add_deployment(platform, deployment_id)
    return platform


def approve(platform: Platform, institution: str | None = None) -> Platform:
    """Let launches use the registration; it must name its institution by then."""
    institution = (institution or "").strip()[:200] or platform.institution
    if not institution:
        hint = (f" (the LMS suggests: {platform.suggested_institution})"
                if platform.suggested_institution else "")
        raise InstitutionRequired(
            f"platform {platform.id} names no institution; give --institution{hint}")
    platform.institution = institution
    platform.status = RegistrationStatus.APPROVED
    db.session.flush()
    return platform


def refuse(platform: Platform) -> Platform:
    """Launches stay refused; the row stays, so a new registration cannot replace it."""
    platform.status = RegistrationStatus.REFUSED
    db.session.flush()
    return platform
