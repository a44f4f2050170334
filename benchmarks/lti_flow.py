"""One LTI 1.3 launch through a Flask test client, the platform answering in-process.

Login (POST /lti/login) -> the tool's 302 to the platform's auth URL ->
`LtiPlatform.authorize` signs the id_token -> POST /lti/launch. The platform's
JWKS is served to every tool alike: over mocked HTTP (`responses`), or by a real
HTTP server on 127.0.0.1 (`loopback_jwks_server`).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import jwt
import responses
from flask.testing import FlaskClient

from lti_app.demo_lms.platform import MEMBERSHIP, LaunchRequest, LtiPlatform

TOOL_BASE = "https://tool.example.org"
LAUNCH_URL = TOOL_BASE + "/lti/launch"
LMS = "https://lms.example.org"


class LaunchFailed(AssertionError):
    """A step answered with another status than the benchmark expects."""


@dataclass(frozen=True)
class LaunchTiming:
    login_ms: float
    platform_ms: float
    launch_ms: float
    location: str  # where the launch response sends the browser, if anywhere

    @property
    def total_ms(self) -> float:
        return self.login_ms + self.platform_ms + self.launch_ms

    @property
    def tool_ms(self) -> float:
        return self.login_ms + self.launch_ms


def make_platform(jwks_url: str = LMS + "/mod/lti/certs.php") -> LtiPlatform:
    """A Moodle-like platform with a fresh RSA key."""
    pem, kid = LtiPlatform.generate_key()
    return LtiPlatform(
        issuer=LMS,
        client_id="kd-bench-client",
        deployment_id="1",
        private_key_pem=pem,
        kid=kid,
        auth_login_url=LMS + "/mod/lti/auth.php",
        token_url=LMS + "/mod/lti/token.php",
        jwks_url=jwks_url,
        product="moodle",
    )


@contextmanager
def serve_platform_jwks(platform: LtiPlatform) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(platform.jwks_url, json=platform.jwks())
        yield mock


@contextmanager
def loopback_jwks_server() -> Iterator[tuple[str, dict]]:
    """A real HTTP server on 127.0.0.1 for the platform's JWKS (a real socket per fetch).

    Yields (url, holder); put the JWKS dict in holder["jwks"] once the platform exists.
    """
    holder: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            body = json.dumps(holder.get("jwks", {"keys": []})).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/mod/lti/certs.php", holder
    finally:
        server.shutdown()
        server.server_close()


def _learner(login_hint: str, _message_hint: str) -> LaunchRequest:
    return LaunchRequest(
        sub=login_hint,
        roles=(MEMBERSHIP + "Learner",),
        name=f"Learner {login_hint}",
        given_name="Learner",
        family_name=login_hint,
        email=f"{login_hint}@example.org",
        return_url=LMS + "/course/view.php?id=1",
        custom={"course": "library-basics"},  # binds the link on its first launch
        target_link_uri=LAUNCH_URL,
    )


def drive_launch(
    client: FlaskClient,
    platform: LtiPlatform,
    *,
    sub: str,
    launch_status: Container[int],
    forge_key_pem: str | None = None,
) -> LaunchTiming:
    """One launch; `forge_key_pem` re-signs the id_token with a key not in the JWKS."""
    fields = platform.login_initiation(
        target_link_uri=LAUNCH_URL,
        login_hint=sub,
        lti_message_hint=LtiPlatform.encode_hint({"link": "library-basics"}),
    )
    start = time.perf_counter()
    login = client.post("/lti/login", base_url=TOOL_BASE, data=fields)
    after_login = time.perf_counter()
    _check(login.status_code, {302}, "login", login.get_data(as_text=True))
    auth_url = urlsplit(login.location)
    if auth_url._replace(query="").geturl() != platform.auth_login_url:
        raise LaunchFailed(f"login redirected elsewhere: {login.location}")
    redirect_uri, form = platform.authorize(
        dict(parse_qsl(auth_url.query)),
        allowed_redirect_uris=lambda uri: uri == LAUNCH_URL,
        launch_for_hint=_learner,
    )
    after_platform = time.perf_counter()
    if forge_key_pem:
        claims = jwt.decode(form["id_token"], options={"verify_signature": False})
        form["id_token"] = platform.sign(claims, key_pem=forge_key_pem)
    launch = client.post(urlsplit(redirect_uri).path, base_url=TOOL_BASE, data=form)
    end = time.perf_counter()
    _check(launch.status_code, launch_status, "launch", launch.get_data(as_text=True))
    return LaunchTiming(
        login_ms=(after_login - start) * 1000,
        platform_ms=(after_platform - after_login) * 1000,
        launch_ms=(end - after_platform) * 1000,
        location=launch.location or "",
    )


def _check(status: int, expected: Container[int], step: str, body: str) -> None:
    if status not in expected:
        raise LaunchFailed(f"{step}: HTTP {status}, expected {expected}: {body[:300]}")
