"""What we register (spec section 3.6) and the POST to the registration endpoint."""

from __future__ import annotations

import requests

from ..canvas_config import ToolUrls, registration_body
from ..http import PrivateAddress, bounded_post
from .answers import describe_answer, json_object, request_headers
from .errors import RegistrationFailed
from .guard import check_outbound_url, must_be_public
from .platform_config import PlatformConfig

REGISTRATION_TIMEOUT = 15  # the LMS creates its tool record inside this request


def registration_request(config: PlatformConfig, urls: ToolUrls) -> dict:
    """The client registration of spec section 3.6 for this platform."""
    return registration_body(
        urls,
        product_family=config.product_family,
        scopes_supported=config.scopes_supported,
        message_types=config.message_types,
    )


def send_registration(config: PlatformConfig, body: dict, token: str | None, *,
                      allow_local: bool) -> dict:
    """POST the registration; the platform's answer, with a client_id."""
    endpoint = config.registration_endpoint
    check_outbound_url(endpoint, allow_local=allow_local)
    try:
        # Bounded (lti/http.py): REGISTRATION_TIMEOUT for the whole call, 64 KB.
        response = bounded_post(endpoint, purpose="registration", json=body,
                                headers=request_headers(token),
                                deadline=REGISTRATION_TIMEOUT, allow_redirects=False,
                                public_only=must_be_public(allow_local))
    except PrivateAddress as exc:
        raise RegistrationFailed("private_host", url=endpoint[:200]) from exc
    except requests.Timeout as exc:
        raise RegistrationFailed(
            "timeout", url=endpoint, seconds=REGISTRATION_TIMEOUT
        ) from exc
    except requests.RequestException as exc:
        raise RegistrationFailed("unreachable", url=endpoint) from exc
    if response.status_code not in (200, 201):
        raise RegistrationFailed("refused", status=response.status_code,
                                 platform_answer=describe_answer(response))
    answer = json_object(response)
    client_id = (answer or {}).get("client_id")
    if not isinstance(client_id, (str, int)) or not 0 < len(str(client_id)) <= 255:
        raise RegistrationFailed("no_client_id",
                                 platform_answer=describe_answer(response))
    return answer
