"""The message launch: pylti1p3's chain, each link as the Security Framework asks.

pylti1p3 2.0.0 leaves gaps (see LTI-NOTES.md): its nonce is never used up,
`validate_state` re-accepts a seen state + id_token pair, only `aud[0]` is
compared and `azp` ignored, there is no clock-skew leeway, and key sets are
not refetched on an unknown kid. This subclass closes them, with the token
checks of id_token.py and the state of browser_state.py; launch_flow decides
when a validated launch is consumed (see `consume_state`).
"""

from __future__ import annotations

import hmac

import requests
from flask import current_app
from pylti1p3.contrib.flask import FlaskMessageLaunch
from pylti1p3.exception import LtiException

from ..platforms import service as platforms
from . import id_token
from .browser_state import (
    BrowserUnproven, PartitionedCookieService, PlatformStorageCheckNeeded, find_state, pop_state,
    posted_from_own_page,
)
from .claims import (
    DEEP_LINKING_REQUEST, DEPLOYMENT_ID, ID_LIMIT, MESSAGE_TYPE, RESOURCE_LINK_REQUEST,
    BadClaim, check_claims,
)
from .exceptions import LaunchRefused, refuse_unapproved
from .tool_config import ToolRegistration

SUPPORTED_MESSAGES = {RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST}


def _claimed_deployment_id(body: dict) -> str | None:
    """The deployment id as the (not yet verified) token states it, if lookable."""
    value = body.get(DEPLOYMENT_ID)
    # As check_claims will want it (ID_LIMIT, no NUL), or not looked up at all.
    if isinstance(value, str) and value and len(value) <= ID_LIMIT and "\x00" not in value:
        return value
    return None


class _NoCalls(requests.Session):
    """Given none, pylti1p3 builds a requests.Session for every launch; a launch
    of ours calls nothing with it (key sets: platform_keys, services: services.py)."""

    def request(self, *args, **kwargs):
        raise RuntimeError("a message launch makes no HTTP call of its own")


_NO_CALLS = _NoCalls()


class ToolMessageLaunch(FlaskMessageLaunch):
    """A launch validated as the 1EdTech Security Framework (5.1.3) asks."""

    platform = None
    deployment = None
    _state_params: dict | None = None
    # The deployment row found with the platform (one SELECT), for the deployment
    # id the unverified token names; used only once the signature has passed.
    _prefetched_deployment: tuple[str, object] | None = None

    def __init__(self, request, tool_config, session_service=None, cookie_service=None,
                 launch_data_storage=None, requests_session=None):
        super().__init__(
            request,
            tool_config,
            session_service=session_service,
            cookie_service=cookie_service or PartitionedCookieService(request),
            launch_data_storage=launch_data_storage,
            requests_session=requests_session or _NO_CALLS,
        )

    @property
    def state_params(self) -> dict | None:
        return self._state_params

    @property
    def claimed_issuer(self) -> str | None:
        """The token's `iss` as sent (maybe unverified): for the log only."""
        body = self._jwt.get("body") if isinstance(self._jwt, dict) else None
        issuer = body.get("iss") if isinstance(body, dict) else None
        return issuer if isinstance(issuer, str) else None

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
        except BrowserUnproven:
            raise  # every check of the token passed: launch_flow may hold it
        except Exception:
            self._validated = False
            raise

    def validate_jwt_format(self):
        id_token_text = self._get_request_param("id_token")
        if not id_token_text:
            raise LaunchRefused("missing_parameter", name="id_token")
        limit = current_app.config["LTI_MAX_ID_TOKEN_LENGTH"]
        if len(id_token_text) > limit:  # before any decoding
            raise LaunchRefused("token_too_large", limit=limit // 1024)
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
        self._state_params = find_state(state)
        if self._state_params is None:
            raise LaunchRefused("state_unknown")
        return self

    def validate_browser(self):
        """The browser that posts the launch must be the one that started the login.

        Checked last, so only a genuine token gets this far. Proof is the state
        cookie or, where the iframe keeps no cookies, the random value the login
        page put in the platform's storage, read back by our own launch page
        from the platform's own origin (postMessage, LTI client-side OIDC) and
        posted from that page (same origin). Anything less raises
        `BrowserUnproven`: launch_flow holds the launch until the person
        confirms who they are. A storage value that is not this login's is
        refused: our page never posts one.
        """
        state = self._get_request_param("state")
        if self._cookie_service.get_cookie(state) == state:
            return self
        # Only a login that offered platform storage put a value there: a random
        # one, in no token (the nonce is in the id_token, which its owner could
        # post from a victim's browser, logging it into the owner's account).
        expected = self._state_params.get("storage_value")
        offered = bool(self._state_params.get("storage_target") and isinstance(expected, str)
                       and expected)
        posted = self._get_request_param("lti_storage_value")
        if posted:
            if not (offered and isinstance(posted, str) and hmac.compare_digest(
                posted.encode("utf-8", "replace"), expected.encode()
            )):
                raise LaunchRefused("storage_mismatch")
            # Whoever ran a login saw its value: it proves this browser only when
            # our own page read it from the platform's own frame and posted it.
            if self._get_request_param("lti_storage_via") == "platform" and (
                posted_from_own_page() is True
            ):
                return self
            raise BrowserUnproven("storage_unverified")
        if offered and not self._get_request_param("lti_storage_unavailable"):
            raise PlatformStorageCheckNeeded(self._state_params)
        raise BrowserUnproven("storage_unavailable" if offered else "no_cookie")

    def get_client_id(self) -> str:
        return self.platform.client_id if self.platform else super().get_client_id()

    def validate_registration(self):
        issuer, client_id, audiences = id_token.issuer_and_client_id(self._jwt["body"])
        deployment_id = _claimed_deployment_id(self._jwt["body"])
        found = platforms.find_platform_with_deployment(issuer, client_id, deployment_id)
        if found is None:
            raise LaunchRefused("unknown_registration", issuer=issuer, client_id=client_id)
        platform, deployment = found
        if deployment_id is not None:
            self._prefetched_deployment = (deployment_id, deployment)
        refuse_unapproved(platform)  # before anything is read from its key set or stored
        if self._state_params and self._state_params["platform_id"] != platform.id:
            raise LaunchRefused("bad_issuer")
        id_token.check_other_audiences(issuer, client_id, audiences)
        self.platform = platform
        self._registration = ToolRegistration(platform)
        return self

    def validate_jwt_signature(self):
        self._jwt["body"] = id_token.verified_claims(
            self._get_id_token(), self._jwt["header"], self.platform
        )
        try:  # types and lengths, before any claim is looked up or stored
            check_claims(self._jwt["body"])
        except BadClaim as bad:
            if bad.claim == "deep_link_return_url":
                raise LaunchRefused("bad_return_url") from bad
            raise LaunchRefused("bad_claim", claim=bad.claim) from bad
        return self

    def validate_nonce(self):
        id_token.check_nonce(self._jwt["body"], (self._state_params or {}).get("nonce", ""))
        return self

    def validate_deployment(self):
        deployment_id = self._jwt["body"].get(DEPLOYMENT_ID)
        if not deployment_id or not isinstance(deployment_id, str):
            raise LaunchRefused("bad_message", detail="deployment_id")
        prefetched = self._prefetched_deployment
        if prefetched is not None and prefetched[0] == deployment_id:
            deployment = prefetched[1]
        else:
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
        message_type = self._jwt["body"].get(MESSAGE_TYPE)
        if message_type not in SUPPORTED_MESSAGES:
            raise LaunchRefused("bad_message", detail=str(message_type)[:60])
        try:
            super().validate_message()
        except LtiException as exc:
            raise LaunchRefused("bad_message", detail=str(exc)) from exc
        return self

    def consume_state(self) -> None:
        """Use up the state and its nonce; a replay of this id_token then fails.

        Called by launch_flow after its writes and before its commit, so a
        launch either consumes its nonce and saves everything, or neither.
        """
        if pop_state(self._get_request_param("state")) is None:
            raise LaunchRefused("state_unknown")

    @classmethod
    def resumed(cls, request, tool_config, *, body: dict, launch_id: str, platform, deployment,
                launch_data_storage, lifetime: int) -> "ToolMessageLaunch":
        """A launch validated earlier and held for confirmation, taken up again."""
        launch = cls(request, tool_config, launch_data_storage=launch_data_storage)
        launch.set_launch_data_lifetime(lifetime)
        launch._launch_id = launch_id
        launch._jwt = {"body": body, "header": {}}
        launch._validated = True
        launch.platform, launch.deployment = platform, deployment
        launch._registration = ToolRegistration(platform)
        return launch

    def save_launch_data(self):
        # Unlike pylti1p3 we do not mark the state "valid" for re-use.
        self._session_service.save_launch_data(self._launch_id, self._jwt["body"])
        return self
