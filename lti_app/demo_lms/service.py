"""The demo platform's key and its registration in the tool."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for

from ..platforms import service as platforms
from . import demo_data
from .platform import LtiPlatform


def demo_platform() -> LtiPlatform:
    """The demo LMS as an LTI platform at this host (issuer = <host>/dev)."""
    pem, kid = _key()
    issuer = url_for("demo_lms.index", _external=True).rstrip("/")
    return LtiPlatform(
        issuer=issuer,
        client_id=demo_data.CLIENT_ID,
        deployment_id=demo_data.DEPLOYMENT_ID,
        private_key_pem=pem,
        kid=kid,
        auth_login_url=url_for("demo_lms.authorize", _external=True),
        token_url=url_for("demo_lms.token", _external=True),
        jwks_url=url_for("demo_lms.jwks", _external=True),
        product="moodle",
        # Like Canvas, the demo LMS keeps a tool's data for it (postMessage), so
        # the tool works even where the browser blocks its cookies.
        storage_target="_parent",
    )


def tool_url(endpoint: str, **values) -> str:
    """A URL of the tool as the demo LMS knows it.

    DEMO_LMS_TOOL_URL puts the tool on another site than the LMS page (e.g. the
    page on http://localhost:5000, the tool on http://127.0.0.1:5000), as in a
    real LMS; by default both share this host.
    """
    base = current_app.config.get("DEMO_LMS_TOOL_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base.rstrip("/") + url_for(endpoint, **values)


def ensure_registered(platform: LtiPlatform) -> None:
    """Register the demo LMS in the tool, as an admin would with `platform add`.

    The key set is stored with the registration so that a single-worker server
    never has to fetch it from itself.
    """
    if platforms.find_platform(platform.issuer, platform.client_id):
        return
    platforms.add_platform(
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.token_url,
        static_jwks=platform.jwks(),
        deployment_ids=[platform.deployment_id],
        name="Demo LMS",
        product_family="moodle",
    )


def _key() -> tuple[str, str]:
    """The demo platform's RSA key, kept in the instance folder."""
    path = Path(current_app.instance_path) / "demo_lms_key.pem"
    if not path.exists():
        pem, _kid = LtiPlatform.generate_key()
        path.write_text(pem)
        path.chmod(0o600)
    pem = path.read_text()
    return pem, _kid_of(pem)


@lru_cache(maxsize=4)  # loading and checking the key took ~30 ms a request
def _kid_of(pem: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from jwcrypto.jwk import JWK

    private = serialization.load_pem_private_key(pem.encode(), None)
    return JWK.from_pyca(private.public_key()).thumbprint()
