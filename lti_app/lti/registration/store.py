"""The platform's answer stored as a pending Platform (issuer, client_id, deployments)."""

from __future__ import annotations

from dataclasses import dataclass

from ...platforms import approval
from ..claims import TOOL_CONFIGURATION
from .errors import RegistrationFailed
from .platform_config import PlatformConfig


@dataclass(frozen=True)
class RegistrationResult:
    platform_id: int
    platform_name: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    accepts_new_deployments: bool
    granted_scopes: list[str]
    approved: bool  # False: pending until the operator approves it


def store_registration(config: PlatformConfig, answer: dict) -> RegistrationResult:
    """Create the platform (issuer, client_id), pending; the view commits.

    An (issuer, client_id) that exists is refused (RegistrationFailed
    "already_registered") and left as it is: its key set is what launches
    are checked against, so only the operator replaces it.
    """
    tool = answer.get(TOOL_CONFIGURATION)
    deployment_id = tool.get("deployment_id") if isinstance(tool, dict) else None
    deployment_ids = [] if deployment_id in (None, "") else [str(deployment_id)[:255]]
    # Moodle answers with its deployment id; Canvas creates deployments only when
    # the admin installs the app in an account or course, after this request.
    # Refusing those unknown deployments would break every first launch until
    # someone runs `platform add-deployment`; they are safe to accept, because
    # only this platform can sign a launch for the client id it just gave us.
    accepts_new_deployments = not deployment_ids
    client_id = str(answer["client_id"])
    try:
        platform = approval.register_pending(
            issuer=config.issuer,
            client_id=client_id,
            auth_login_url=config.authorization_endpoint,
            auth_token_url=config.token_endpoint,
            jwks_url=config.jwks_uri,
            deployment_ids=deployment_ids,
            name=config.name,
            product_family=config.product_family or None,
            auth_audience=config.authorization_server,
            accepts_new_deployments=accepts_new_deployments,
            suggested_institution=config.offered_name,
        )
    except approval.AlreadyRegistered as exc:
        raise RegistrationFailed("already_registered", issuer=config.issuer,
                                 client_id=client_id[:255]) from exc
    granted = answer.get("scope")
    return RegistrationResult(
        platform_id=platform.id,
        platform_name=platform.name,
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_ids=[d.deployment_id for d in platform.deployments],
        accepts_new_deployments=accepts_new_deployments,
        granted_scopes=granted.split() if isinstance(granted, str) else [],
        approved=platform.is_approved,
    )
