"""The demo platform's key and its registration in the tool."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for

from ..origins import origin_of
from ..platforms import service as platforms
from . import demo_data
from .platform import LtiPlatform


def issuer() -> str:
    """The demo LMS's issuer, from DEMO_LMS_ISSUER (never from the request's Host)."""
    return current_app.config["DEMO_LMS_ISSUER"].rstrip("/")


def lms_url(endpoint: str, **values) -> str:
    """A URL of the demo LMS: the issuer's origin and the endpoint's path.

    Built from configuration: a request with another Host header gets the
    same URLs, registers nothing new and frames nothing new.
    """
    return origin_of(issuer()) + url_for(endpoint, **values)


def demo_platform() -> LtiPlatform:
    """The demo LMS as an LTI platform at its configured issuer."""
    pem, kid = _key()
    return LtiPlatform(
        issuer=issuer(),
        client_id=demo_data.CLIENT_ID,
        deployment_id=demo_data.DEPLOYMENT_ID,
        private_key_pem=pem,
        kid=kid,
        auth_login_url=lms_url("demo_lms.authorize"),
        token_url=lms_url("demo_lms.token"),
        jwks_url=lms_url("demo_lms.jwks"),
        product="moodle",
        # Like Canvas, the demo LMS keeps a tool's data for it (postMessage), so
        # the tool works even where the browser blocks its cookies.
        storage_target="_parent",
    )


def tool_url(endpoint: str, **values) -> str:
    """A URL of the tool as the demo LMS knows it.

    DEMO_LMS_TOOL_URL puts the tool on another site than the LMS page (e.g. the
    page on http://localhost:5000, the tool on http://127.0.0.1:5000), as in a
    real LMS; by default the tool is on the demo LMS's own origin.
    """
    base = origin_of(current_app.config.get("DEMO_LMS_TOOL_URL")) or origin_of(issuer())
    return base + url_for(endpoint, **values)


def default_issuer(config) -> str:
    """DEMO_LMS_ISSUER when it is not set: from SERVER_NAME, else a fixed local address.

    The test client's host under TESTING; `make run`'s address otherwise.
    """
    if config.get("SERVER_NAME"):
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        scheme = config.get("PREFERRED_URL_SCHEME") or "http"
        return f"{scheme}://{config['SERVER_NAME']}{root}/dev"
    if config.get("TESTING"):
        return "http://localhost/dev"
    return "http://127.0.0.1:5000/dev"


def configure(app) -> None:
    """At start (the blueprint's registration): settle the issuer, warn outside debug."""
    if not app.config.get("DEMO_LMS_ISSUER"):
        app.config["DEMO_LMS_ISSUER"] = default_issuer(app.config)
    if origin_of(app.config["DEMO_LMS_ISSUER"]) is None:
        raise RuntimeError(
            f"FLASK_DEMO_LMS_ISSUER is not an http(s) URL: {app.config['DEMO_LMS_ISSUER']!r}"
        )
    if not (app.debug or app.testing):
        app.logger.warning(
            "THE DEMO LMS IS ENABLED OUTSIDE DEBUG MODE (FLASK_DEMO_LMS_ENABLED): anyone "
            "can launch the tool from /dev/ as any demo person, trainer and admin "
            "included. Never enable it in production. Its issuer: %s",
            app.config["DEMO_LMS_ISSUER"],
        )


def ensure_registered(platform: LtiPlatform) -> None:
    """Register the demo LMS in the tool, as an admin would with `platform add`.

    The key set is stored with the registration so that a single-worker server
    never has to fetch it from itself.
    """
    # The Moodle profile launches through this registration too, with Moodle's
    # deployment id (the tool type's id, which Moodle's registration sends).
    deployment_ids = [platform.deployment_id, demo_data.MOODLE_TOOL_TYPE_ID]
    existing = platforms.find_platform(platform.issuer, platform.client_id)
    if existing:
        for deployment_id in deployment_ids:  # a database from before the profiles
            if platforms.find_deployment(existing, deployment_id) is None:
                platforms.add_deployment(existing, deployment_id)
        return
    platforms.add_platform(
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.token_url,
        static_jwks=platform.jwks(),
        deployment_ids=deployment_ids,
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
