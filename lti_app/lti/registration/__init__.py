"""LTI Dynamic Registration v1.0 (1EdTech), the tool's side; pylti1p3 has none.

The LMS opens /lti/register with `openid_configuration` and `registration_token`.
We read the platform's OpenID configuration (platform_config), show the admin
what will be registered, POST our registration to its `registration_endpoint`
(send) and store the client_id (and deployment_id) it answers with (store).
Every URL the LMS gives passes the guard first. Everything here is plain values
in and out; the view owns the request, the commit and the pages.
"""

from __future__ import annotations

from ..claims import TOOL_CONFIGURATION
from .answers import describe_answer
from .errors import REASONS, RegistrationFailed
from .guard import check_outbound_url
from .platform_config import PlatformConfig, fetch_platform_config, issuer_matches
from .send import registration_request, send_registration
from .state import read_state, sign_state
from .store import RegistrationResult, store_registration

__all__ = [
    "REASONS", "TOOL_CONFIGURATION", "PlatformConfig", "RegistrationFailed",
    "RegistrationResult", "check_outbound_url", "describe_answer",
    "fetch_platform_config", "issuer_matches", "read_state", "registration_request",
    "send_registration", "sign_state", "store_registration",
]
