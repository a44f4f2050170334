"""pylti1p3 tool configuration read from the database (after DjangoDbToolConf)."""

from __future__ import annotations

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from ..platforms import service as platforms
from ..platforms.models import Platform
from ..platforms.recent import RegistrationCopy
from . import keys


class ToolRegistration(Registration):
    """A registration whose private key is decrypted only when a call signs."""

    def __init__(self, platform: Platform | RegistrationCopy) -> None:
        super().__init__()
        self.platform = platform
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)
        self.set_key_set_url(platform.jwks_url)

    def get_tool_private_key(self):
        # A key object, not a PEM: pylti1p3 hands it to PyJWT, which accepts both.
        return keys.private_key(keys.active_key())

    def get_kid(self) -> str:
        return keys.active_key().kid


class DatabaseToolConf(ToolConfAbstract):
    """Registrations by (issuer, client_id); deployments per registration."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        # Always take the (issuer, client_id) path: hosted Canvas instances
        # share one issuer.
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        platform = platforms.find_only_platform_of_issuer(iss)
        return ToolRegistration(platform) if platform else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        if not client_id:
            return self.find_registration_by_issuer(iss)
        platform = platforms.find_platform(iss, client_id)
        return ToolRegistration(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        platform = platforms.find_only_platform_of_issuer(iss)
        return self._deployment(platform, deployment_id)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = platforms.find_platform(iss, client_id)
        return self._deployment(platform, deployment_id)

    def get_jwks(self, iss=None, client_id=None, **kwargs):
        return keys.public_jwks()

    @staticmethod
    def _deployment(platform: Platform | None, deployment_id: str):
        if platform is None or platforms.find_deployment(platform, deployment_id) is None:
            return None
        return LtiDeployment().set_deployment_id(deployment_id)
