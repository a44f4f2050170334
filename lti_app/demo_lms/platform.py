"""A small but real LTI 1.3 platform: the built-in demo LMS and the tests' fake LMS.

It signs id_tokens with its own RSA key (RS256), answers the tool's OIDC
authorization request the way Moodle or Canvas do, and publishes its JWKS.
Moodle and Canvas differences are parameters (`product`), not copies. No Flask
here: the demo LMS's views and the tests both drive this class.
"""

from __future__ import annotations

import base64
from functools import lru_cache
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
AGS_SCOPES = tuple(
    AGS_SCOPE + name for name in ("lineitem", "lineitem.readonly", "result.readonly", "score")
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# A client assertion is meant to be used at once; refusing long-lived ones also
# bounds how long a used jti must be remembered.
MAX_ASSERTION_LIFETIME = 3600


class AuthorizationRefused(Exception):
    """The tool's authorization request breaks the OIDC rules."""


class ToolJwtRefused(Exception):
    """A JWT the tool signed (client assertion, deep linking response) is not valid."""


@dataclass(frozen=True)
class LaunchRequest:
    """Who launches what: everything the platform needs to build the id_token."""

    sub: str
    roles: tuple[str, ...]
    context_id: str = "course-1"
    context_title: str = "Library Basics"
    resource_link_id: str | None = "link-1"
    resource_link_title: str = "Library Basics"
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    locale: str = "nl"
    message_type: str = "LtiResourceLinkRequest"
    custom: Mapping[str, str] = field(default_factory=dict)
    return_url: str | None = None
    ags: Mapping[str, Any] | None = None
    nrps_url: str | None = None
    deep_link_return_url: str | None = None
    deep_link_data: str | None = None
    target_link_uri: str | None = None


@dataclass
class LtiPlatform:
    issuer: str
    client_id: str
    deployment_id: str
    private_key_pem: str
    kid: str
    auth_login_url: str
    token_url: str
    jwks_url: str
    product: str = "moodle"  # or "canvas"
    # Where the tool may keep data through postMessage (LTI platform storage);
    # None: the platform offers none (Moodle).
    storage_target: str | None = None

    @staticmethod
    def generate_key() -> tuple[str, str]:
        """A new RSA key as (PEM, kid)."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return pem, JWK.from_pyca(private.public_key()).thumbprint()

    def jwks(self) -> dict:
        private = _load_key(self.private_key_pem)
        public = json.loads(JWK.from_pyca(private.public_key()).export_public())
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [public]}

    # -- 1. third-party initiated login ------------------------------------
    def login_initiation(self, *, target_link_uri: str, login_hint: str,
                         lti_message_hint: str) -> dict[str, str]:
        """The form fields the platform posts to the tool's /lti/login."""
        params = {
            "iss": self.issuer,
            "login_hint": login_hint,
            "target_link_uri": target_link_uri,
            "lti_message_hint": lti_message_hint,
            "client_id": self.client_id,
        }
        if self.product == "canvas":
            # Canvas names it deployment_id and adds its own fields.
            params.update(
                deployment_id=self.deployment_id,
                canvas_region="eu-west-1",
                canvas_environment="prod",
            )
        else:
            params["lti_deployment_id"] = self.deployment_id
        if self.storage_target:
            params["lti_storage_target"] = self.storage_target
        return params

    # -- 2. authorization request -> id_token --------------------------------
    def authorize(
        self,
        auth_params: Mapping[str, str],
        *,
        allowed_redirect_uris: Callable[[str], bool],
        launch_for_hint: Callable[[str, str], LaunchRequest],
    ) -> tuple[str, dict[str, str]]:
        """Check the tool's auth request; return (redirect_uri, form fields)."""
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self.client_id,
        }
        for name, value in expected.items():
            if auth_params.get(name) != value:
                raise AuthorizationRefused(f"{name} must be {value!r}")
        redirect_uri = auth_params.get("redirect_uri", "")
        if not allowed_redirect_uris(redirect_uri):
            raise AuthorizationRefused("redirect_uri is not registered")
        nonce = auth_params.get("nonce")
        if not nonce:
            raise AuthorizationRefused("nonce is required")
        request = launch_for_hint(
            auth_params.get("login_hint", ""), auth_params.get("lti_message_hint", "")
        )
        id_token = self.sign(self.launch_claims(request, nonce=nonce))
        form = {"id_token": id_token}
        if "state" in auth_params:
            form["state"] = auth_params["state"]
        return redirect_uri, form

    def launch_claims(self, request: LaunchRequest, *, nonce: str,
                      now: float | None = None) -> dict[str, Any]:
        now = time.time() if now is None else now
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id if self.product == "canvas" else [self.client_id],
            "sub": request.sub,
            "iat": int(now),
            "exp": int(now) + 300,
            "nonce": nonce,
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": request.message_type,
            LTI + "version": "1.3.0",
            LTI + "roles": list(request.roles),
            LTI + "context": {
                "id": request.context_id,
                "title": request.context_title,
                "label": request.context_title[:20],
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            LTI + "tool_platform": {
                "guid": self.issuer,
                "name": "Demo LMS",
                "product_family_code": self.product,
            },
            LTI + "launch_presentation": {
                "locale": request.locale,
                "document_target": "iframe",
                **({"return_url": request.return_url} if request.return_url else {}),
            },
            LTI + "custom": dict(request.custom),
        }
        if request.target_link_uri:
            claims[LTI + "target_link_uri"] = request.target_link_uri
        for name in ("name", "given_name", "family_name", "email"):
            if getattr(request, name):
                claims[name] = getattr(request, name)
        if self.product == "moodle":
            claims["azp"] = self.client_id  # Moodle sends azp with its aud array
        if request.message_type == "LtiResourceLinkRequest" and request.resource_link_id:
            claims[LTI + "resource_link"] = {
                "id": request.resource_link_id,
                "title": request.resource_link_title,
            }
        if request.message_type == "LtiDeepLinkingRequest":
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": request.deep_link_return_url,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "accept_lineitem": True,
                "auto_create": True,
                **({"data": request.deep_link_data} if request.deep_link_data else {}),
            }
        if request.ags:
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = dict(request.ags)
        if request.nrps_url:
            claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"] = {
                "context_memberships_url": request.nrps_url,
                "service_versions": ["2.0"],
            }
        return claims

    def sign(self, claims: Mapping[str, Any], *, headers: Mapping[str, Any] | None = None,
             key_pem: str | None = None, algorithm: str = "RS256") -> str:
        header = {"kid": self.kid, **(headers or {})}
        key = key_pem or self.private_key_pem
        if algorithm.startswith("RS"):
            key = _load_key(key)  # parsed once: parsing an RSA key costs ~30 ms
        return jwt.encode(dict(claims), key, algorithm=algorithm, headers=header)

    # -- 3. what the tool signs: checked as the Security Framework asks -------
    def verify_client_assertion(self, assertion: str, *, tool_jwks: Mapping[str, Any],
                                token_url: str, leeway: int = 60) -> dict[str, Any]:
        """RFC 7523 client authentication at the token endpoint; returns the claims.

        `aud` must name the token URL; the issuer is accepted too, as Moodle and
        Canvas do. Whether `jti` was seen before is the caller's (shared) business.
        """
        claims = _decode_tool_jwt(
            assertion, tool_jwks, audience=[token_url, self.issuer], leeway=leeway,
            required=["iss", "sub", "aud", "exp", "iat", "jti"],
        )
        if claims["iss"] != self.client_id or claims["sub"] != self.client_id:
            raise ToolJwtRefused("iss and sub must be the client_id")
        if not isinstance(claims["jti"], str) or not claims["jti"]:
            raise ToolJwtRefused("jti must be a non-empty string")
        if claims["exp"] - claims["iat"] > MAX_ASSERTION_LIFETIME:
            raise ToolJwtRefused("the assertion is valid for too long")
        return claims

    def verify_deep_linking_response(self, token: str, *, tool_jwks: Mapping[str, Any],
                                     leeway: int = 60) -> dict[str, Any]:
        """The tool's LtiDeepLinkingResponse; returns the claims.

        Whether `nonce` and `data` were seen before is the caller's business.
        """
        claims = _decode_tool_jwt(
            token, tool_jwks, audience=[self.issuer], leeway=leeway,
            required=["iss", "aud", "exp", "iat", "nonce"],
        )
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if claims["iss"] != self.client_id:
            raise ToolJwtRefused("iss must be the client_id")
        if len(audiences) > 1 and claims.get("azp") != self.issuer:
            raise ToolJwtRefused("azp must be the platform when there are several audiences")
        expected = {
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": "LtiDeepLinkingResponse",
            LTI + "version": "1.3.0",
        }
        for name, value in expected.items():
            if claims.get(name) != value:
                raise ToolJwtRefused(f"{name.removeprefix(LTI)} must be {value!r}")
        items = claims.get(DL + "content_items", [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ToolJwtRefused("content_items must be a list of objects")
        return claims

    # -- message hints: opaque to the tool, meaningful to us ------------------
    @staticmethod
    def encode_hint(data: Mapping[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(dict(data)).encode()).decode()

    @staticmethod
    def decode_hint(hint: str) -> dict[str, Any]:
        try:
            return json.loads(base64.urlsafe_b64decode(hint.encode()))
        except (ValueError, TypeError) as exc:
            raise AuthorizationRefused("unknown lti_message_hint") from exc

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex


def _decode_tool_jwt(token: str, jwks: Mapping[str, Any], *, audience: list[str],
                     leeway: int, required: list[str]) -> dict[str, Any]:
    """Verify an RS256 JWT against the tool's key set (never `none`, never HS*)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ToolJwtRefused("not a JWT") from exc
    if header.get("alg") != "RS256":
        raise ToolJwtRefused("the JWT must be signed with RS256")
    keys = [k for k in jwks.get("keys", []) if k.get("kty") == "RSA"]
    if header.get("kid") is not None:
        keys = [k for k in keys if k.get("kid") == header["kid"]]
    elif len(keys) != 1:
        keys = []  # without a kid the key is only certain when there is one
    if not keys:
        raise ToolJwtRefused("no key of the tool matches the JWT's kid")
    try:
        return jwt.decode(
            token, jwt.PyJWK(keys[0], algorithm="RS256").key, algorithms=["RS256"],
            audience=audience, leeway=leeway, options={"require": required},
        )
    except jwt.PyJWTError as exc:
        raise ToolJwtRefused(str(exc)) from exc


@lru_cache(maxsize=16)
def _load_key(pem: str):
    return serialization.load_pem_private_key(pem.encode(), None)
