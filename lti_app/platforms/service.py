"""Register, list and remove LMS platforms and their deployments."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import and_, bindparam, func, select

from ..domain import DomainError
from ..extensions import db
from ..origins import origin_of, strict_origins
from .models import Deployment, Platform, RegistrationStatus

if TYPE_CHECKING:
    from .recent import RegistrationCopy


# Learned frame origins kept per platform, at most (a bound on the CSP header).
MAX_LEARNED_FRAME_ORIGINS = 100


class PlatformError(DomainError):
    """A registration request that cannot be carried out."""

    status = 400
    reason = "platform"


class PlatformNotFound(PlatformError):
    pass


def find_platform(issuer: str, client_id: str) -> Platform | None:
    return db.session.scalar(_platform_statement(), {"issuer": issuer, "client_id": client_id})


def find_platform_with_deployment(
    issuer: str, client_id: str, deployment_id: str | None
) -> tuple[Platform, Deployment | None] | None:
    """The registration and, if it has it, its deployment with this id: one SELECT
    per launch (the caller trusts the deployment only once the token is verified)."""
    row = db.session.execute(_platform_with_deployment_statement(), {
        "issuer": issuer, "client_id": client_id, "deployment_id": deployment_id,
    }).first()
    return (row[0], row[1]) if row else None


# Launches run these on every request: built once, with bound parameters.
@cache
def _platform_statement():
    return select(Platform).where(Platform.issuer == bindparam("issuer"),
                                  Platform.client_id == bindparam("client_id"))


@cache
def _deployment_statement():
    return select(Deployment).where(Deployment.platform_id == bindparam("platform_id"),
                                    Deployment.deployment_id == bindparam("deployment_id"))


@cache
def _platform_with_deployment_statement():
    return (
        select(Platform, Deployment)
        .outerjoin(Deployment, and_(Deployment.platform_id == Platform.id,
                                    Deployment.deployment_id == bindparam("deployment_id")))
        .where(Platform.issuer == bindparam("issuer"),
               Platform.client_id == bindparam("client_id"))
    )


def find_platform_by_id(platform_id: int) -> Platform | None:
    return db.session.get(Platform, platform_id)


def find_only_platform_of_issuer(issuer: str) -> Platform | None:
    """The registration of an issuer that has exactly one, else None."""
    platforms = db.session.scalars(
        select(Platform).where(Platform.issuer == issuer).limit(2)
    ).all()
    return platforms[0] if len(platforms) == 1 else None


def list_platforms_of_issuer(issuer: str) -> list[Platform]:
    return list(db.session.scalars(select(Platform).where(Platform.issuer == issuer)))


def count_platforms_of_issuer(issuer: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Platform).where(Platform.issuer == issuer)
    )


def find_deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    return db.session.scalar(_deployment_statement(),
                             {"platform_id": platform.id, "deployment_id": deployment_id})


def add_platform(
    *,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    jwks_url: str | None = None,
    static_jwks: dict | None = None,
    deployment_ids: Iterable[str] = (),
    name: str | None = None,
    auth_audience: str | None = None,
    product_family: str | None = None,
    accepts_new_deployments: bool = False,
    institution: str | None = None,
) -> Platform:
    """Create a registration, or update the one with the same (issuer, client_id).

    The operator's way (flask platform add/update, the demo LMS): a new one
    is approved at once. Dynamic registration never comes here
    (approval.register_pending refuses an existing one).
    """
    if not jwks_url and not static_jwks:
        raise PlatformError("a JWKS URL is required")
    platform = find_platform(issuer, client_id)
    if platform is None:
        platform = Platform(issuer=issuer, client_id=client_id,
                            status=RegistrationStatus.APPROVED)
        db.session.add(platform)
    if institution:
        platform.institution = institution
    platform.name = name or platform.name or issuer
    platform.auth_login_url = auth_login_url
    platform.auth_token_url = auth_token_url
    platform.jwks_url = jwks_url
    platform.static_jwks = json.dumps(static_jwks) if static_jwks else None
    platform.auth_audience = auth_audience
    platform.product_family = product_family or platform.product_family
    platform.accepts_new_deployments = accepts_new_deployments
    db.session.flush()
    for deployment_id in deployment_ids:
        add_deployment(platform, deployment_id)
    return platform


def add_deployment(platform: Platform, deployment_id: str) -> Deployment:
    deployment = find_deployment(platform, deployment_id)
    if deployment is None:
        deployment = Deployment(platform=platform, deployment_id=deployment_id)
        db.session.add(deployment)
        db.session.flush()
    return deployment


def list_platforms() -> list[Platform]:
    return list(db.session.scalars(select(Platform).order_by(Platform.id)))


def remove_platform(*, issuer: str, client_id: str) -> None:
    platform = find_platform(issuer, client_id)
    if platform is None:
        raise PlatformNotFound(f"no platform with issuer {issuer} and client id {client_id}")
    db.session.delete(platform)
    db.session.flush()


def add_frame_origin(platform: Platform, url: str | None) -> bool:
    """Remember the origin of an LMS page that framed a valid launch of `platform`.

    E.g. a hosted Canvas customer's own domain, from the launch's return_url.
    Kept per platform (it frames only that platform's launches), rebuilt by
    the strict `origin_of`; anything that is not plainly an origin is not
    stored. Returns whether it is new (the platform's origins changed).
    """
    origin = origin_of(url)
    if origin is None:
        return False
    origins = strict_origins((platform.frame_origins or "").split())
    if origin in origins or len(origins) >= MAX_LEARNED_FRAME_ORIGINS:
        return False
    origins.add(origin)
    platform.frame_origins = " ".join(sorted(origins))
    return True


def registered_origins(issuer: str | None, *endpoints: str | None) -> set[str]:
    """The origins of a registration's issuer and endpoints (strictly parsed)."""
    return {o for o in map(origin_of, (issuer, *endpoints)) if o}


def frame_origins_of(platform_ids) -> set[str]:
    """The origins that may frame pages of these platforms' launches.

    Each platform's registered endpoints and the LMS origins learned from its
    own launches; learned values that fail the strict parse (rows from before
    it) are ignored.
    """
    ids = {int(i) for i in platform_ids if i is not None}
    if not ids:
        return set()
    origins: set[str] = set()
    for issuer, login_url, token_url, jwks_url, learned in db.session.execute(
        select(Platform.issuer, Platform.auth_login_url, Platform.auth_token_url,
               Platform.jwks_url, Platform.frame_origins).where(Platform.id.in_(ids))
    ):
        origins |= _frame_origins(issuer, login_url, token_url, jwks_url, learned)
    return origins


def frame_origins_of_platform(platform: Platform | RegistrationCopy) -> set[str]:
    """`frame_origins_of` for a platform already loaded (no query)."""
    return _frame_origins(platform.issuer, platform.auth_login_url, platform.auth_token_url,
                          platform.jwks_url, platform.frame_origins)


def _frame_origins(issuer, login_url, token_url, jwks_url, learned) -> set[str]:
    return (registered_origins(issuer, login_url, token_url, jwks_url)
            | strict_origins((learned or "").split()))


