"""A fake LMS for tests: the demo LMS's platform class plus mocked HTTP.

Drives the tool through its real endpoints: POST /lti/login -> the platform
checks the tool's auth request -> signed id_token -> POST /lti/launch.
Moodle and Canvas differences are parameters of `LtiPlatform`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

import responses

from lti_app.demo_lms.platform import MEMBERSHIP, INSTITUTION, LaunchRequest, LtiPlatform

LEARNER = (MEMBERSHIP + "Learner",)
INSTRUCTOR = (MEMBERSHIP + "Instructor",)
TEACHING_ASSISTANT = ("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",)
ADMIN = (INSTITUTION + "Administrator", MEMBERSHIP + "Instructor")
TOOL_LAUNCH_URL = "http://localhost/lti/launch"


@lru_cache(maxsize=4)
def platform_key(slot: int = 0) -> tuple[str, str]:
    """RSA keys are slow to make; tests share a few."""
    return LtiPlatform.generate_key()


class FakeLms:
    def __init__(self, app, mock: responses.RequestsMock, *, product: str = "moodle",
                 issuer: str = "https://moodle.example.edu", client_id: str = "moodle-client-1",
                 deployment_id: str = "1", register: bool = True,
                 accepts_new_deployments: bool = False, key_slot: int = 0) -> None:
        pem, kid = platform_key(key_slot)
        base = issuer.rstrip("/")
        self.app = app
        self.mock = mock
        self.platform = LtiPlatform(
            issuer=issuer, client_id=client_id, deployment_id=deployment_id,
            private_key_pem=pem, kid=kid,
            auth_login_url=f"{base}/mod/lti/auth.php",
            token_url=f"{base}/mod/lti/token.php",
            jwks_url=f"{base}/mod/lti/certs.php",
            product=product,
        )
        self.jwks_route = mock.get(self.platform.jwks_url, json=self.platform.jwks())
        if register:
            self.register(accepts_new_deployments=accepts_new_deployments)

    @staticmethod
    @contextlib.contextmanager
    def serving():
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            yield mock

    def register(self, *, accepts_new_deployments: bool = False) -> None:
        from lti_app.extensions import db
        from lti_app.platforms.service import add_platform

        with self.app.app_context():
            add_platform(
                issuer=self.platform.issuer, client_id=self.platform.client_id,
                auth_login_url=self.platform.auth_login_url,
                auth_token_url=self.platform.token_url, jwks_url=self.platform.jwks_url,
                deployment_ids=[self.platform.deployment_id], name=self.platform.product,
                accepts_new_deployments=accepts_new_deployments,
            )
            db.session.commit()

    def serve_jwks(self, jwks: dict | None = None, status: int = 200) -> None:
        """Change what the platform's key-set URL answers from now on."""
        self.mock.replace(responses.GET, self.platform.jwks_url,
                          json=jwks if jwks is not None else self.platform.jwks(), status=status)

    @property
    def jwks_fetches(self) -> int:
        return sum(1 for call in self.mock.calls if call.request.url == self.platform.jwks_url)

    # -- the flow ---------------------------------------------------------------
    def login(self, client, **extra) -> dict[str, str]:
        """POST /lti/login; return the auth request's parameters the tool sent."""
        fields = self.platform.login_initiation(
            target_link_uri=TOOL_LAUNCH_URL, login_hint="hint", lti_message_hint="msg"
        )
        fields.update(extra)
        response = client.post("/lti/login", data=fields)
        assert response.status_code == 302, response.get_data(as_text=True)
        location = response.headers["Location"]
        assert location.startswith(self.platform.auth_login_url)
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    def launch_request(self, **kwargs) -> LaunchRequest:
        defaults = dict(sub="user-1", roles=LEARNER, name="Anna de Vries",
                        given_name="Anna", family_name="de Vries",
                        email="anna@example.edu", locale="nl",
                        custom={"course": "library-basics"})
        defaults.update(kwargs)
        return LaunchRequest(**defaults)

    def id_token(self, auth: dict[str, str], request: LaunchRequest, *,
                 claims: Callable[[dict], None] | None = None,
                 header: dict | None = None, key_pem: str | None = None,
                 algorithm: str = "RS256") -> str:
        """Answer the auth request as the platform would, with optional tampering."""
        if claims is None and header is None and key_pem is None:
            _uri, form = self.platform.authorize(
                auth, allowed_redirect_uris=lambda uri: uri == TOOL_LAUNCH_URL,
                launch_for_hint=lambda _hint, _msg: request,
            )
            return form["id_token"]
        body = self.platform.launch_claims(request, nonce=auth["nonce"])
        if claims:
            claims(body)
        return self.platform.sign(body, headers=header, key_pem=key_pem, algorithm=algorithm)

    def launch(self, client, *, claims=None, header=None, key_pem=None,
               algorithm="RS256", state=None, follow=False, **request_kwargs):
        """The whole login + launch; returns the response to POST /lti/launch."""
        auth = self.login(client)
        request = self.launch_request(**request_kwargs)
        token = self.id_token(auth, request, claims=claims, header=header,
                              key_pem=key_pem, algorithm=algorithm)
        data = {"id_token": token, "state": auth["state"] if state is None else state}
        return client.post("/lti/launch", data=data, follow_redirects=follow)

    def with_request(self, **kwargs) -> LaunchRequest:
        return replace(self.launch_request(), **kwargs)
