"""The smallest pylti1p3 Flask tool, shaped like pylti1p3's own Flask example.

As in dmitry-viskov/pylti1.3-flask-example (game/app.py): a JSON tool config
read by `ToolConfJsonFile` on every request, `FlaskOIDCLogin` and
`FlaskMessageLaunch`, launch data in a Flask-Caching cache through
`FlaskCacheDataStorage`. Left out: the example's cookie-check page (it needs a
browser's JavaScript to continue) and its game template; the launch answers
with a small JSON body instead. Like the example, it does not call
`set_public_key_caching`, so every launch fetches the platform's JWKS.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, abort, jsonify
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfJsonFile

from lti_app.demo_lms.platform import LtiPlatform


def write_tool_config(config_dir: Path, platform: LtiPlatform) -> Path:
    """A JSON config registering `platform`, plus the tool's own RSA key pair."""
    config_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (config_dir / "private.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (config_dir / "public.key").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
    )
    registration = {
        "default": True,
        "client_id": platform.client_id,
        "auth_login_url": platform.auth_login_url,
        "auth_token_url": platform.token_url,
        "auth_audience": None,
        "key_set_url": platform.jwks_url,
        "key_set": None,
        "private_key_file": "private.key",
        "public_key_file": "public.key",
        "deployment_ids": [platform.deployment_id],
    }
    path = config_dir / "tool.json"
    path.write_text(json.dumps({platform.issuer: [registration]}, indent=2))
    return path


def create_bare_app(config_path: Path, cache_dir: Path) -> Flask:
    app = Flask("bare_pylti1p3_tool")
    app.config.from_mapping(
        SECRET_KEY="bare-pylti1p3-benchmark",
        CACHE_TYPE="FileSystemCache",
        CACHE_DIR=str(cache_dir),
        CACHE_DEFAULT_TIMEOUT=600,
        # No pruning: past the default 500 entries every set scans the whole
        # directory, and the baseline would get slower the longer a run lasts.
        CACHE_THRESHOLD=0,
    )
    cache = Cache(app)

    @app.route("/lti/login", methods=["GET", "POST"])
    def login():
        tool_conf = ToolConfJsonFile(str(config_path))
        flask_request = FlaskRequest()
        target_link_uri = flask_request.get_param("target_link_uri")
        if not target_link_uri:
            abort(400)
        oidc_login = FlaskOIDCLogin(
            flask_request, tool_conf, launch_data_storage=FlaskCacheDataStorage(cache)
        )
        return oidc_login.redirect(target_link_uri)

    @app.post("/lti/launch")
    def launch():
        tool_conf = ToolConfJsonFile(str(config_path))
        message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf)
        message_launch.set_launch_data_storage(FlaskCacheDataStorage(cache))
        claims = message_launch.get_launch_data()  # validates on first access
        return jsonify(launch_id=message_launch.get_launch_id(), sub=claims["sub"])

    return app
