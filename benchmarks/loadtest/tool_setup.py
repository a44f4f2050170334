"""The tool on a fresh PostgreSQL database, registered with a fake Moodle on
127.0.0.1: what the throughput, load and profile scripts all start from."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from lti_app.demo_lms.platform import LtiPlatform

from .fake_lms import running_fake_lms
from .services import flask_cli, loadtest_database, tool_env


@dataclass
class RegisteredTool:
    db: str  # the database's name
    lms: object  # the fake LMS (key set, tokens, scores)
    platform: LtiPlatform  # signs the launches
    env: dict[str, str]  # the tool's FLASK_* settings (add to it before starting gunicorn)


@contextmanager
def tool_on_fake_moodle(kind: str, *, issuer: str, client_id: str,
                        name: str) -> Iterator[RegisteredTool]:
    """A database `kd_<kind>_<pid>` (dropped after), migrated, the fake LMS running
    and registered as the platform `name`."""
    with ExitStack() as stack:
        db = stack.enter_context(loadtest_database(kind))
        lms = stack.enter_context(running_fake_lms(client_id))
        pem, kid = LtiPlatform.generate_key()
        platform = LtiPlatform(
            issuer=issuer, client_id=client_id, deployment_id="1", private_key_pem=pem,
            kid=kid, auth_login_url=lms.auth_login_url, token_url=lms.token_url,
            jwks_url=lms.jwks_url, product="moodle",
        )
        lms.jwks = platform.jwks()
        env = tool_env(db, secrets.token_hex(32))
        flask_cli(["db", "upgrade", "heads"], env)  # heads: several while branches merge
        flask_cli(
            ["platform", "add", "--issuer", issuer, "--client-id", client_id,
             "--auth-login-url", lms.auth_login_url, "--auth-token-url", lms.token_url,
             "--jwks-url", lms.jwks_url, "--deployment-id", "1", "--name", name],
            env,
        )
        yield RegisteredTool(db, lms, platform, env)


def in_process_app(env: dict[str, str]):
    """The tool's app in this process, with `env`'s FLASK_* settings; its logs muted."""
    from lti_app import create_app

    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith("FLASK_")})
    try:
        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    logging.getLogger().handlers[:] = [logging.NullHandler()]
    app.logger.handlers[:] = [logging.NullHandler()]
    return app
