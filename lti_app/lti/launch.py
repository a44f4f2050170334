"""OIDC login and message launch: pylti1p3 with the Security Framework's checks.

pylti1p3 2.0.0 leaves gaps (see LTI-NOTES.md): its nonce is never used up,
`validate_state` re-accepts a seen state + id_token pair, only `aud[0]` is
compared and `azp` ignored, there is no clock-skew leeway, and key sets are
not refetched on an unknown kid. These subclasses close them; the view decides
when a validated launch is consumed (see `consume_state`).
"""

from __future__ import annotations

import hmac
import secrets
import time
import uuid
from urllib.parse import urlencode

import jwt
from flask import current_app
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskOIDCLogin
from pylti1p3.exception import LtiException

from ..origins import origin_of
from ..platforms import service as platforms
from .exceptions import LaunchRefused
from .platform_keys import PlatformKeysUnavailable, find_platform_jwk
from .store import get_store
from .tool_config import DatabaseToolConf, ToolRegistration

SUPPORTED_MESSAGES = {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id",
                "lti_deployment_id", "deployment_id")
ALLOWED_ALGORITHMS = {"RS256", "RS384", "RS512"}


def _state_key(state: str) -> str:
    return f"oidc-state:{state}"




class PlatformStorageCheckNeeded(Exception):
    """No cookie came back: read the state from the platform's storage first."""

    def __init__(self, state_params: dict) -> None:
        super().__init__("platform storage check")
        self.state_params = state_params


class PartitionedCookieService(FlaskCookieService):
    """The state cookie, usable inside an LMS iframe on another site.

    pylti1p3 sets Secure/SameSite=None only when the request itself is HTTPS,
    so behind a TLS proxy the iframe silently drops it; and it never sets
    Partitioned, which keeps the cookie when third-party cookies are blocked.
    """

    def update_response(self, response):
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key,
                data["value"],
                max_age=data["exp"],
                path="/lti/",
                secure=True,
                httponly=True,
                samesite="None",
                partitioned=True,
            )


class ToolOIDCLogin(FlaskOIDCLogin):
    """Third-party initiated login: state and nonce go to the shared store."""

    def __init__(self, request, tool_config: DatabaseToolConf):
        super().__init__(request, tool_config, cookie_service=PartitionedCookieService(request))

    state = nonce = storage_target = None

    def get_registration(self) -> ToolRegistration:
        return self._registration

    def get_cookie_service(self) -> PartitionedCookieService:
        return self._cookie_service

    def validate_oidc_login(self) -> ToolRegistration:
        issuer = self._get_request_param("iss")
        if not issuer:
            raise LaunchRefused("missing_parameter", name="iss")
        if not self._get_request_param("login_hint"):
            raise LaunchRefused("missing_parameter", name="login_hint")
        client_id = self._get_request_param("client_id")
        if client_id:
            registration = self._tool_config.find_registration_by_params(issuer, client_id)
            if registration is None:
                raise LaunchRefused("unknown_registration", issuer=issuer, client_id=client_id)
            return registration
        registration = self._tool_config.find_registration_by_issuer(issuer)
        if registration is None:
            if platforms.count_platforms_of_issuer(issuer) > 1:
                raise LaunchRefused("ambiguous_registration", issuer=issuer)
            raise LaunchRefused("unknown_registration", issuer=issuer, client_id="-")
        return registration

    def _prepare_redirect_url(self, launch_url: str) -> str:
        self._registration = registration = self.validate_oidc_login()
        lifetime = current_app.config["LTI_STATE_LIFETIME"]
        state = "state-" + str(uuid.uuid4())
        nonce = secrets.token_urlsafe(32)
        self._cookie_service.set_cookie(state, state, lifetime)
        # The nonce is bound to its state: a launch must bring both back, once.
        store = get_store()
        storage_target = self._get_request_param("lti_storage_target")
        store.put(
            _state_key(state),
            {
                "nonce": nonce,
                "platform_id": registration.platform.id,
                # For the cookie-less path: where the platform keeps our data, and
                # the login parameters to start again in a new window.
                "storage_target": storage_target,
                "storage_origin": origin_of(registration.get_auth_login_url()),
                "login": {k: self._get_request_param(k) for k in LOGIN_PARAMS
                          if self._get_request_param(k)},
            },
            lifetime,
        )
        self.state, self.nonce, self.storage_target = state, nonce, storage_target
        if secrets.randbelow(50) == 0:  # now and then is enough to keep the table small
            store.purge_expired()
        params = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": registration.get_client_id(),
            "redirect_uri": launch_url,
            "state": state,
            "nonce": nonce,
            "login_hint": self._get_request_param("login_hint"),
        }
        message_hint = self._get_request_param("lti_message_hint")
        if message_hint:
            params["lti_message_hint"] = message_hint
        auth_url = registration.get_auth_login_url()
        return auth_url + ("&" if "?" in auth_url else "?") + urlencode(params)


class ToolMessageLaunch(FlaskMessageLaunch):
    """A launch validated as the 1EdTech Security Framework (5.1.3) asks."""

    platform = None
    deployment = None
    _state_params: dict | None = None

    def __init__(self, request, tool_config, session_service=None, cookie_service=None,
                 launch_data_storage=None, requests_session=None):
        super().__init__(
            request,
            tool_config,
            session_service=session_service,
            cookie_service=cookie_service or PartitionedCookieService(request),
            launch_data_storage=launch_data_storage,
            requests_session=requests_session,
        )

    @property
    def state_params(self) -> dict | None:
        return self._state_params

    def validate(self):
        if self._restored:
            raise LtiException("Can't validate restored launch")
        self._validated = True  # stops _get_jwt_body() from re-entering validate()
        try:
            return (
                self.validate_jwt_format()
                .validate_state()
                .validate_registration()
                .validate_jwt_signature()
                .validate_nonce()
                .validate_deployment()
                .validate_message()
                .validate_browser()
            )
        except Exception:
            self._validated = False
            raise

    def validate_jwt_format(self):
        if not self._get_request_param("id_token"):
            raise LaunchRefused("missing_parameter", name="id_token")
        try:
            super().validate_jwt_format()
        except LtiException as exc:
            raise LaunchRefused("malformed_token") from exc
        if not isinstance(self._jwt.get("body"), dict) or not isinstance(
            self._jwt.get("header"), dict
        ):
            raise LaunchRefused("malformed_token")
        return self

    def validate_state(self):
        state = self._get_request_param("state")
        if not state:
            raise LaunchRefused("missing_parameter", name="state")
        self._state_params = get_store().get(_state_key(state))
        if self._state_params is None:
            raise LaunchRefused("state_unknown")
        return self

    def validate_browser(self):
        """The browser that posts the launch must be the one that started the login.

        Checked last, so only a genuine token can lead to the platform-storage
        page. Proof is the state cookie or, where the iframe keeps no cookies,
        the value the login page put in the platform's storage (postMessage,
        LTI client-side OIDC), which the launch page read back and posted.
        """
        state = self._get_request_param("state")
        if self._cookie_service.get_cookie(state) == state:
            return self
        stored_value = self._get_request_param("lti_storage_value")
        if stored_value and hmac.compare_digest(stored_value, self._state_params["nonce"]):
            return self
        if self._state_params.get("storage_target") and not stored_value:
            raise PlatformStorageCheckNeeded(self._state_params)
        raise LaunchRefused("state_not_bound")

    def get_client_id(self) -> str:
        return self.platform.client_id if self.platform else super().get_client_id()

    def validate_registration(self):
        body = self._jwt["body"]
        issuer = body.get("iss")
        audiences = body.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else audiences
        if not isinstance(issuer, str) or not isinstance(audiences, list) or not audiences:
            raise LaunchRefused("malformed_token")
        azp = body.get("azp")
        if azp:
            client_id = azp
        elif len(audiences) == 1:
            client_id = audiences[0]
        else:  # several audiences need azp to say which one we are
            raise LaunchRefused("bad_audience")
        if not isinstance(client_id, str) or client_id not in audiences:
            raise LaunchRefused("bad_audience")
        platform = platforms.find_platform(issuer, client_id)
        if platform is None:
            raise LaunchRefused("unknown_registration", issuer=issuer, client_id=client_id)
        if self._state_params and self._state_params["platform_id"] != platform.id:
            raise LaunchRefused("bad_issuer")
        if len(audiences) > 1:
            # Extra audiences are only trusted when they are our own registrations.
            trusted = {p.client_id for p in platforms.list_platforms_of_issuer(issuer)}
            if not set(audiences) <= trusted | {client_id}:
                raise LaunchRefused("bad_audience")
        self.platform = platform
        self._registration = ToolRegistration(platform)
        return self

    def validate_jwt_signature(self):
        header = self._jwt["header"]
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALLOWED_ALGORITHMS:  # never "none", never HS*
            raise LaunchRefused("bad_algorithm", alg=str(algorithm)[:20])
        if not kid or not isinstance(kid, str):
            raise LaunchRefused("unknown_key", kid="-")
        try:
            jwk = find_platform_jwk(self.platform, kid)
        except PlatformKeysUnavailable as exc:
            raise LaunchRefused("keys_unavailable") from exc
        if jwk is None:
            raise LaunchRefused("unknown_key", kid=kid[:80])
        config = current_app.config
        try:
            public_key = jwt.PyJWK(jwk, algorithm=algorithm).key
            claims = jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[algorithm],
                audience=self.platform.client_id,
                issuer=self.platform.issuer,
                leeway=config["LTI_CLOCK_LEEWAY"],
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchRefused("expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchRefused("not_yet_valid") from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchRefused("bad_audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise LaunchRefused("bad_issuer") from exc
        except jwt.InvalidSignatureError as exc:
            raise LaunchRefused("bad_signature") from exc
        except (jwt.InvalidTokenError, jwt.PyJWKError) as exc:
            raise LaunchRefused("malformed_token") from exc
        max_age = config["LTI_MAX_TOKEN_AGE"] + config["LTI_CLOCK_LEEWAY"]
        if not isinstance(claims["iat"], (int, float)) or time.time() - claims["iat"] > max_age:
            raise LaunchRefused("expired")
        self._jwt["body"] = claims
        return self

    def validate_nonce(self):
        nonce = self._jwt["body"].get("nonce")
        expected = (self._state_params or {}).get("nonce", "")
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce, expected):
            raise LaunchRefused("nonce_mismatch")
        return self

    def validate_deployment(self):
        deployment_id = self._jwt["body"].get(
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
        )
        if not deployment_id or not isinstance(deployment_id, str):
            raise LaunchRefused("bad_message", detail="deployment_id")
        deployment = platforms.find_deployment(self.platform, deployment_id)
        if deployment is None and self.platform.accepts_new_deployments:
            deployment = platforms.add_deployment(self.platform, deployment_id)
        if deployment is None:
            raise LaunchRefused(
                "unknown_deployment",
                deployment_id=deployment_id[:255],
                issuer=self.platform.issuer,
                client_id=self.platform.client_id,
            )
        self.deployment = deployment
        return self

    def validate_message(self):
        message_type = self._jwt["body"].get(
            "https://purl.imsglobal.org/spec/lti/claim/message_type"
        )
        if message_type not in SUPPORTED_MESSAGES:
            raise LaunchRefused("bad_message", detail=str(message_type)[:60])
        try:
            super().validate_message()
        except LtiException as exc:
            raise LaunchRefused("bad_message", detail=str(exc)) from exc
        return self

    def consume_state(self) -> None:
        """Use up the state and its nonce; a replay of this id_token then fails.

        Called by the view after its writes and before its commit, so a launch
        either consumes its nonce and saves everything, or neither.
        """
        if get_store().pop(_state_key(self._get_request_param("state"))) is None:
            raise LaunchRefused("state_unknown")

    def save_launch_data(self):
        # Unlike pylti1p3 we do not mark the state "valid" for re-use.
        self._session_service.save_launch_data(self._launch_id, self._jwt["body"])
        return self

