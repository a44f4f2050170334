"""A Moodle-like LMS on 127.0.0.1: key set, OAuth2 token endpoint, AGS scores.

It records every score POST, accepted or refused, so the run can compare what
reached the gradebook with the tool's `grade_deliveries`. `grades_down` makes
the scores endpoint answer 503, as an LMS in maintenance does; the token
endpoint stays up, so the tool's POSTs really arrive and are refused.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
JWKS_PATH = "/mod/lti/certs.php"
TOKEN_PATH = "/mod/lti/token.php"
AUTH_PATH = "/mod/lti/auth.php"  # only named in redirects; the run never requests it
LINEITEMS_PATH = "/mod/lti/services.php/1/lineitems"


@dataclass(frozen=True)
class ScorePost:
    at: float  # time.monotonic()
    lineitem: str  # the line item's path, without /scores
    user_id: str
    score_given: float | None
    activity: str | None
    timestamp: str | None  # the score's own timestamp (AGS: rises per change)
    token: str  # the access token: one per delivery run of the tool
    status: int  # what the fake LMS answered


class FakeLms:
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.jwks: dict = {"keys": []}
        self.grades_down = False
        self.base_url = ""
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self.scores: list[ScorePost] = []
        self.token_requests = {"issued": 0, "refused": 0}
        self.jwks_fetches = 0

    @property
    def jwks_url(self) -> str:
        return self.base_url + JWKS_PATH

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    @property
    def auth_login_url(self) -> str:
        return self.base_url + AUTH_PATH

    def lineitem_url(self, item: int) -> str:
        # Moodle's shape, with a query string: the tool must put /scores before it.
        return f"{self.base_url}{LINEITEMS_PATH}/{item}/lineitem?type_id=1"

    def score_posts(self) -> list[ScorePost]:
        with self._lock:
            return list(self.scores)

    # -- the endpoints ----------------------------------------------------------
    def _token(self, form: dict[str, str]) -> tuple[int, dict]:
        """Any valid-looking client_credentials request gets a token."""
        try:
            claims = jwt.decode(
                form.get("client_assertion", ""), options={"verify_signature": False}
            )
        except jwt.PyJWTError:
            claims = {}
        looks_valid = (
            form.get("grant_type") == "client_credentials"
            and form.get("client_assertion_type") == CLIENT_ASSERTION_TYPE
            and claims.get("iss") == claims.get("sub") == self.client_id
            and claims.get("aud") in (self.token_url, [self.token_url])
            and SCORE_SCOPE in form.get("scope", "").split()
        )
        with self._lock:
            self.token_requests["issued" if looks_valid else "refused"] += 1
            if not looks_valid:
                return 400, {"error": "invalid_request"}
            token = "tok-" + uuid.uuid4().hex
            self._tokens.add(token)
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": form["scope"],
        }

    def _score(self, path: str, authorization: str, body: bytes) -> int:
        token = authorization.removeprefix("Bearer ").strip()
        try:
            score = json.loads(body)
        except ValueError:
            score = None
        score = score if isinstance(score, dict) else {}
        with self._lock:
            if token not in self._tokens:
                status = 401
            elif not score.get("userId"):
                status = 400
            else:
                status = 503 if self.grades_down else 200
            self.scores.append(
                ScorePost(
                    at=time.monotonic(),
                    lineitem=path.removesuffix("/scores"),
                    user_id=str(score.get("userId", "")),
                    score_given=score.get("scoreGiven"),
                    activity=score.get("activityProgress"),
                    timestamp=score.get("timestamp"),
                    token=token,
                    status=status,
                )
            )
        return status

    def handler(self) -> type[BaseHTTPRequestHandler]:
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if urlsplit(self.path).path != JWKS_PATH:
                    return self._answer(404, {"error": "not found"})
                with lms._lock:
                    lms.jwks_fetches += 1
                self._answer(200, lms.jwks)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 1_000_000))
                path = urlsplit(self.path).path
                if path == TOKEN_PATH:
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    return self._answer(*lms._token(form))
                if path.startswith(LINEITEMS_PATH) and path.endswith("/scores"):
                    status = lms._score(
                        path, self.headers.get("Authorization", ""), body
                    )
                    return self._answer(
                        status, {} if status == 200 else {"error": status}
                    )
                self._answer(404, {"error": "not found"})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        return Handler


@contextmanager
def serving(lms, name: str):
    """Serve `lms` (anything with handler() and base_url) on a free loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), lms.handler())
    server.daemon_threads = True
    lms.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield lms
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def running_fake_lms(client_id: str) -> Iterator[FakeLms]:
    with serving(FakeLms(client_id), "fake-lms") as lms:
        yield lms
