"""The OIDC third-party initiated login: find the registration, redirect with state.

State and nonce go to the shared store (see browser_state), bound to each
other and to the platform, so a launch must bring both back, once.
"""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import urlencode

from flask import current_app, g
from pylti1p3.contrib.flask import FlaskOIDCLogin

from ..origins import origin_of
from ..platforms import recent
from ..platforms import service as platforms
from .browser_state import PartitionedCookieService, save_state
from .exceptions import LaunchRefused, refuse_unapproved
from .store import get_store
from .tool_config import DatabaseToolConf, ToolRegistration


class ToolOIDCLogin(FlaskOIDCLogin):
    """Third-party initiated login: state and nonce go to the shared store."""

    def __init__(self, request, tool_config: DatabaseToolConf):
        super().__init__(request, tool_config, cookie_service=PartitionedCookieService(request))

    state = nonce = storage_target = storage_value = None

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
            platform = recent.login_registration(issuer, client_id)
            if platform is None:
                raise LaunchRefused("unknown_registration", issuer=issuer, client_id=client_id)
            return ToolRegistration(platform)
        registration = self._tool_config.find_registration_by_issuer(issuer)
        if registration is None:
            if platforms.count_platforms_of_issuer(issuer) > 1:
                raise LaunchRefused("ambiguous_registration", issuer=issuer)
            raise LaunchRefused("unknown_registration", issuer=issuer, client_id="-")
        return registration

    def _prepare_redirect_url(self, launch_url: str) -> str:
        self._registration = registration = self.validate_oidc_login()
        # This response's frame-ancestors (security_headers) from the row at hand.
        g.login_frame_origins = platforms.frame_origins_of_platform(registration.platform)
        refuse_unapproved(registration.platform)  # nothing saved, no redirect to the LMS
        lifetime = current_app.config["LTI_STATE_LIFETIME"]
        state = "state-" + str(uuid.uuid4())
        nonce = secrets.token_urlsafe(32)
        self._cookie_service.set_cookie(state, state, lifetime)
        # The nonce is bound to its state: a launch must bring both back, once.
        storage_target = self._get_request_param("lti_storage_target") or None
        # What the login page puts in the platform's storage, for a launch whose
        # cookie did not come back. Random and in no token: the nonce is in the
        # id_token, so whoever holds a token could post it (login CSRF).
        storage_value = secrets.token_urlsafe(32) if storage_target else None
        save_state(
            state,
            {
                "nonce": nonce,
                "platform_id": registration.platform.id,
                # For the cookie-less path: where the platform keeps our data.
                "storage_target": storage_target,
                "storage_value": storage_value,
                "storage_origin": origin_of(registration.get_auth_login_url()),
            },
            lifetime,
        )
        self.state, self.nonce = state, nonce
        self.storage_target, self.storage_value = storage_target, storage_value
        if secrets.randbelow(50) == 0:  # now and then is enough to keep the table small
            get_store().purge_expired()
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
