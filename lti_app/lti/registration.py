"""LTI Dynamic Registration v1.0 (1EdTech), the tool's side; pylti1p3 has none.

The LMS opens /lti/register with `openid_configuration` and `registration_token`.
We read the platform's OpenID configuration, show the admin what will be
registered, POST our registration to its `registration_endpoint` and store the
client_id (and deployment_id) it answers with. Everything here is plain values
in and out; the view owns the request, the commit and the pages.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..domain import ReasonError
from ..platforms import service as platforms
from ..tokens import Purpose, TokenInvalid, sign, unsign
from .canvas_config import CANVAS, TOOL_CONFIGURATION, ToolUrls, registration_body

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri",
                      "registration_endpoint")
CONFIG_TIMEOUT = 5
REGISTRATION_TIMEOUT = 15  # the LMS creates its tool record inside this request
STATE_MAX_AGE = 15 * 60  # reading the confirmation page, not a session
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

# reason -> (HTTP status, message for the admin); 4xx: the request, 502: the LMS
REASONS = {
    "missing_configuration": (400, _l(
        "This address is meant for your LMS: paste it where the LMS asks for a "
        "tool's registration URL (LTI Dynamic Registration).")),
    "bad_url": (400, _l("The LMS sent an address this tool cannot use: %(url)s")),
    "not_https": (400, _l("The LMS's address must start with https://: %(url)s")),
    "private_host": (400, _l("%(url)s is on a private network; registration only "
                             "talks to public hosts.")),
    "state_invalid": (400, _l("This registration form has expired or was changed. "
                              "Start the registration again from your LMS.")),
    "unreachable": (502, _l("%(url)s could not be reached.")),
    "timeout": (502, _l("%(url)s did not answer within %(seconds)s seconds.")),
    "config_status": (502, _l("The LMS's configuration %(url)s answered HTTP "
                              "%(status)s.")),
    "not_json": (502, _l("The LMS's configuration %(url)s is not a JSON object.")),
    "issuer_mismatch": (502, _l(
        "The LMS calls itself %(issuer)s, which does not match the configuration "
        "address %(url)s; the registration was stopped.")),
    "missing_fields": (502, _l("The LMS's configuration lacks these fields or has "
                               "unusable values: %(fields)s.")),
    "refused": (502, _l("The LMS refused the registration (HTTP %(status)s).")),
    "no_client_id": (502, _l("The LMS accepted the registration but sent no client "
                             "id.")),
}


class RegistrationFailed(ReasonError):
    """A registration that did not happen; nothing was stored."""

    REASONS = REASONS
    template = "lti/register_failed.html"

    def __init__(self, reason: str, *, platform_answer: str | None = None,
                 **params: object) -> None:
        super().__init__(reason, **params)
        self.platform_answer = platform_answer

    def page_context(self) -> dict[str, object]:
        return {"platform_answer": self.platform_answer}

    def __str__(self) -> str:  # no token, no answer: safe for logs
        return f"dynamic registration failed: {self.reason}"


@dataclass(frozen=True)
class PlatformConfig:
    url: str
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    authorization_server: str | None
    product_family: str  # "moodle", "canvas", ... or "" when not said
    version: str
    name: str
    scopes_supported: frozenset[str] | None  # None: the platform lists none
    message_types: frozenset[str] | None  # None: the platform lists none


@dataclass(frozen=True)
class RegistrationResult:
    platform_name: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    accepts_new_deployments: bool
    granted_scopes: list[str]


# -- the platform's OpenID configuration -------------------------------------------
def fetch_platform_config(
    url: str, token: str | None, *, allow_local: bool
) -> PlatformConfig:
    if not url:
        raise RegistrationFailed("missing_configuration")
    check_outbound_url(url, allow_local=allow_local)
    try:
        # Canvas wants the registration token on this GET as well (its
        # registration docs); Moodle ignores it.
        response = requests.get(url, headers=_headers(token), timeout=CONFIG_TIMEOUT,
                                allow_redirects=False)
    except requests.Timeout as exc:
        raise RegistrationFailed("timeout", url=url, seconds=CONFIG_TIMEOUT) from exc
    except requests.RequestException as exc:
        raise RegistrationFailed("unreachable", url=url) from exc
    if response.status_code != 200:
        raise RegistrationFailed("config_status", url=url, status=response.status_code,
                                 platform_answer=describe_answer(response))
    config = _json_object(response)
    if config is None:
        raise RegistrationFailed("not_json", url=url)
    return _parse_config(url, config, allow_local=allow_local)


def _parse_config(url: str, config: dict, *, allow_local: bool) -> PlatformConfig:
    issuer = config.get("issuer")
    issuer = issuer if isinstance(issuer, str) else ""
    if len(issuer) > 255 or not issuer_matches(issuer, url):
        raise RegistrationFailed("issuer_mismatch", issuer=issuer[:200] or "-", url=url)
    platform = config.get(PLATFORM_CONFIGURATION)
    bad = [f for f in REQUIRED_ENDPOINTS if not _usable_url(config.get(f), allow_local)]
    if not isinstance(platform, dict):
        bad.append(PLATFORM_CONFIGURATION)
        platform = {}
    if bad:
        raise RegistrationFailed("missing_fields", fields=", ".join(bad))
    scopes = config.get("scopes_supported")
    audience = config.get("authorization_server")
    name = platform.get(CANVAS + "account_name")  # Canvas only; others say nothing
    if not isinstance(name, str) or not name:
        name = urlsplit(issuer).hostname
    return PlatformConfig(
        url=url, issuer=issuer,
        **{field: config[field] for field in REQUIRED_ENDPOINTS},
        authorization_server=audience or None if isinstance(audience, str) else None,
        product_family=str(platform.get("product_family_code") or "").lower()[:50],
        version=str(platform.get("version") or "")[:50],
        # Hosted Canvas instances all share one issuer host: the account name is
        # what tells them apart in `platform list`.
        name=name[:200],
        scopes_supported=frozenset(scopes) if isinstance(scopes, list) else None,
        message_types=_message_types(platform.get("messages_supported")),
    )


def issuer_matches(issuer: str, url: str) -> bool:
    """Spec 3.5.1: the configuration URL lies under the issuer (same origin, prefix)."""
    i, u = urlsplit(issuer), urlsplit(url)
    try:
        if (i.scheme, i.hostname, _port(i)) != (u.scheme, u.hostname, _port(u)):
            return False
    except ValueError:  # a malformed port
        return False
    prefix = i.path.rstrip("/")
    return u.path == prefix or u.path.startswith(prefix + "/")


def _message_types(value: object) -> frozenset[str] | None:
    # The spec lists objects {type, placements}; Moodle has sent bare type names.
    if not isinstance(value, list):
        return None
    return frozenset(
        item["type"] if isinstance(item, dict) else item
        for item in value
        if isinstance(item, str) or (isinstance(item, dict) and "type" in item)
    )


# -- what we register --------------------------------------------------------------
def registration_request(config: PlatformConfig, urls: ToolUrls) -> dict:
    """The client registration of spec section 3.6 for this platform."""
    return registration_body(
        urls,
        product_family=config.product_family,
        scopes_supported=config.scopes_supported,
        message_types=config.message_types,
    )


# -- the registration itself -------------------------------------------------------
def send_registration(config: PlatformConfig, body: dict, token: str | None, *,
                      allow_local: bool) -> dict:
    """POST the registration; the platform's answer, with a client_id."""
    endpoint = config.registration_endpoint
    check_outbound_url(endpoint, allow_local=allow_local)
    try:
        response = requests.post(endpoint, json=body, headers=_headers(token),
                                 timeout=REGISTRATION_TIMEOUT, allow_redirects=False)
    except requests.Timeout as exc:
        raise RegistrationFailed(
            "timeout", url=endpoint, seconds=REGISTRATION_TIMEOUT
        ) from exc
    except requests.RequestException as exc:
        raise RegistrationFailed("unreachable", url=endpoint) from exc
    if response.status_code not in (200, 201):
        raise RegistrationFailed("refused", status=response.status_code,
                                 platform_answer=describe_answer(response))
    answer = _json_object(response)
    client_id = (answer or {}).get("client_id")
    if not isinstance(client_id, (str, int)) or not 0 < len(str(client_id)) <= 255:
        raise RegistrationFailed("no_client_id",
                                 platform_answer=describe_answer(response))
    return answer


def store_registration(config: PlatformConfig, answer: dict) -> RegistrationResult:
    """Create or update the platform (issuer, client_id); the view commits."""
    tool = answer.get(TOOL_CONFIGURATION)
    deployment_id = tool.get("deployment_id") if isinstance(tool, dict) else None
    deployment_ids = [] if deployment_id in (None, "") else [str(deployment_id)[:255]]
    # Moodle answers with its deployment id; Canvas creates deployments only when
    # the admin installs the app in an account or course, after this request.
    # Refusing those unknown deployments would break every first launch until
    # someone runs `platform add-deployment`; they are safe to accept, because
    # only this platform can sign a launch for the client id it just gave us.
    accepts_new_deployments = not deployment_ids
    platform = platforms.add_platform(
        issuer=config.issuer,
        client_id=str(answer["client_id"]),
        auth_login_url=config.authorization_endpoint,
        auth_token_url=config.token_endpoint,
        jwks_url=config.jwks_uri,
        deployment_ids=deployment_ids,
        name=config.name,
        product_family=config.product_family or None,
        auth_audience=config.authorization_server,
        accepts_new_deployments=accepts_new_deployments,
    )
    granted = answer.get("scope")
    return RegistrationResult(
        platform_name=platform.name,
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_ids=[d.deployment_id for d in platform.deployments],
        accepts_new_deployments=accepts_new_deployments,
        granted_scopes=granted.split() if isinstance(granted, str) else [],
    )


def describe_answer(response: requests.Response, limit: int = 600) -> str | None:
    """The platform's words: Canvas {"errors": [...]}, OAuth {"error"...}, or text."""
    data = _json_object(response)
    if data is not None:
        parts = [_error_text(e) for e in _as_list(data.get("errors"))]
        error, description = data.get("error"), data.get("error_description")
        if error or description:
            parts.append(": ".join(str(p) for p in (error, description) if p))
        parts += [str(data[k]) for k in ("errorMessage", "message") if data.get(k)]
        text = "; ".join(p for p in parts if p) or json.dumps(data)
    elif "html" in response.headers.get("Content-Type", ""):
        text = ""  # an error page's markup says nothing to the admin
    else:
        text = response.text  # Moodle answers in plain text ("token_already_used")
    text = " ".join(text.split())
    return text[:limit] or None


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        field, message = error.get("field"), error.get("message") or error.get("error")
        if message:
            return f"{field}: {message}" if field else str(message)
        return json.dumps(error)
    return str(error)


def _as_list(errors: object) -> list:
    if isinstance(errors, dict):  # Rails-style {"field": ["message", ...]}
        return [f"{key}: {', '.join(map(str, _as_list(value) or [value]))}"
                for key, value in errors.items()]
    return errors if isinstance(errors, list) else []


# -- the signed state between the confirmation page and its POST ---------------------
def sign_state(url: str, token: str | None, issuer: str) -> str:
    return sign(Purpose.REGISTRATION, {"url": url, "token": token, "issuer": issuer})


def read_state(value: str) -> tuple[str, str | None, str]:
    try:
        data = unsign(Purpose.REGISTRATION, value, max_age=STATE_MAX_AGE)
    except TokenInvalid as exc:  # a bad or expired signature, or a bad payload
        raise RegistrationFailed("state_invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise RegistrationFailed("state_invalid")
    return data["url"], data.get("token"), data.get("issuer", "")


# -- where we may send requests -----------------------------------------------------
def check_outbound_url(url: str, *, allow_local: bool) -> None:
    """https only (http to localhost in debug/testing), never to a private address.

    Anyone can open /lti/register with any URL, and we show the answer of the
    registration endpoint: without this check it would read internal services.
    LTI_REGISTRATION_ALLOW_PRIVATE_HOSTS lets an on-premises LMS register.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError as exc:
        raise RegistrationFailed("bad_url", url=url[:200]) from exc
    host = parts.hostname
    if not host or parts.scheme not in ("http", "https") or parts.username:
        raise RegistrationFailed("bad_url", url=url[:200])
    if parts.scheme == "http" and not (allow_local and host in LOOPBACK_HOSTS):
        raise RegistrationFailed("not_https", url=url[:200])
    if allow_local or current_app.config.get("LTI_REGISTRATION_ALLOW_PRIVATE_HOSTS"):
        return
    try:
        addresses = resolve(host, _port(parts))
    except OSError as exc:
        raise RegistrationFailed("unreachable", url=url[:200]) from exc
    if not addresses or not all(ipaddress.ip_address(a).is_global for a in addresses):
        raise RegistrationFailed("private_host", url=url[:200])


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0].split("%")[0] for info in infos]


def _usable_url(value: object, allow_local: bool) -> bool:
    if not isinstance(value, str) or not 0 < len(value) <= 500:
        return False
    parts = urlsplit(value)
    local = allow_local and parts.hostname in LOOPBACK_HOSTS
    return bool(parts.hostname) and (parts.scheme == "https" or local)


def _port(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _headers(token: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _json_object(response: requests.Response) -> dict | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
