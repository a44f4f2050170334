"""Why a login or launch was refused: one reason code, shown in nl or en."""

from __future__ import annotations

import logging
import re

from flask_babel import lazy_gettext as _l

from ..domain import ReasonError

log = logging.getLogger(__name__)

# reason -> (HTTP status, message for the person in front of the screen)
REASONS = {
    "missing_parameter": (400, _l("The LMS did not send %(name)s.")),
    "unknown_registration": (
        400,
        _l(
            "No platform is registered with issuer %(issuer)s and client id "
            "%(client_id)s. An administrator can register it with "
            "'flask --app lti_app platform add'."
        ),
    ),
    "registration_pending": (
        403,
        _l(
            "This LMS's registration (issuer %(issuer)s, client id %(client_id)s) is "
            "waiting for the approval of this tool's operator, so the tool cannot be "
            "opened yet. Nothing was saved. Ask your LMS administrator to contact the "
            "operator of the tool."
        ),
    ),
    "registration_refused": (
        403,
        _l(
            "The operator of this tool has refused this LMS's registration (issuer "
            "%(issuer)s, client id %(client_id)s). Nothing was saved."
        ),
    ),
    "ambiguous_registration": (
        400,
        _l(
            "Issuer %(issuer)s has several registrations and the LMS did not say "
            "which client id it uses."
        ),
    ),
    "unknown_deployment": (
        403,
        _l(
            "Unknown deployment %(deployment_id)s for issuer %(issuer)s. An "
            "administrator can add it with: flask --app lti_app platform "
            "add-deployment --issuer %(issuer)s --client-id %(client_id)s "
            "--deployment-id %(deployment_id)s"
        ),
    ),
    "malformed_token": (400, _l("The launch message from the LMS is not a valid token.")),
    "bad_algorithm": (
        400,
        _l("The launch token is signed with %(alg)s; only RS256 is accepted."),
    ),
    "unknown_key": (
        400,
        _l("The launch token is signed with a key (%(kid)s) the LMS does not publish."),
    ),
    "keys_unavailable": (
        503,
        _l("The LMS's public keys could not be fetched. Try again in a minute."),
    ),
    "bad_signature": (400, _l("The launch token's signature is not valid.")),
    "bad_audience": (400, _l("The launch token is not meant for this tool.")),
    "bad_issuer": (400, _l("The launch token comes from another issuer.")),
    "expired": (
        401,
        _l("This launch has expired. Open the tool again from your course."),
    ),
    "not_yet_valid": (
        400,
        _l("The launch token is dated in the future; check the LMS server's clock."),
    ),
    "state_unknown": (
        401,
        _l(
            "This launch has expired or was already used. Open the tool again "
            "from your course."
        ),
    ),
    "storage_mismatch": (
        401,
        _l(
            "This launch could not be tied to the sign-in in your browser. Open the "
            "tool again from your course."
        ),
    ),
    "held_launch_unknown": (
        410,
        _l(
            "This sign-in waited too long for your confirmation, or was already "
            "confirmed or cancelled. Nothing was saved. Open the tool again from your "
            "course."
        ),
    ),
    "cross_site_confirmation": (
        403,
        _l(
            "This confirmation was not sent from the tool's own page, so it was not "
            "accepted. Nothing was saved. Open the tool again from your course."
        ),
    ),
    # The platform answered the login with an OpenID Connect error (error,
    # error_description, state posted to the launch URL).
    "platform_login_required": (
        401,
        _l(
            "Your LMS says you are not logged in (%(error)s): \"%(description)s\". Log "
            "in to your LMS and open the tool again from your course."
        ),
    ),
    "platform_unauthorized_client": (
        403,
        _l(
            "Your LMS says this tool may not be used here (%(error)s): "
            "\"%(description)s\". Ask your LMS administrator to enable the tool for "
            "this course."
        ),
    ),
    "platform_error": (
        400,
        _l("Your LMS refused the sign-in (%(error)s): \"%(description)s\"."),
    ),
    "nonce_mismatch": (401, _l("This launch does not belong to this sign-in.")),
    "bad_message": (400, _l("The LMS sent a message this tool does not support: %(detail)s")),
    "bad_claim": (400, _l("The LMS sent an invalid value for %(claim)s.")),
    "bad_return_url": (
        400,
        _l("The LMS asked to send the chosen content to an address that is not a web "
           "address (http or https); the tool does not do that."),
    ),
    "token_too_large": (
        413,
        _l("The launch token from the LMS is larger than %(limit)d KB; the tool does not "
           "accept it."),
    ),
}


class LaunchRefused(ReasonError):
    """A login or launch the tool will not accept; nothing was saved."""

    REASONS = REASONS
    template = "errors/lti_launch_failed.html"

    def __str__(self) -> str:  # ids only, safe for logs
        return f"launch refused: {self.reason}"


def refuse_unapproved(platform) -> None:
    """A registration the operator has not approved launches nothing (403)."""
    if platform.is_approved:
        return
    reason = "registration_refused" if platform.status == "refused" else "registration_pending"
    raise LaunchRefused(reason, issuer=platform.issuer, client_id=platform.client_id)


def loggable(value: object, limit: int = 200) -> str:
    """An issuer or client id for the log: printable ASCII, capped; '-' if none."""
    if not isinstance(value, str) or not value:
        return "-"
    return re.sub(r"[^\x21-\x7e]", "?", value[:limit])


def log_refused(refused: LaunchRefused, *, step: str, platform_id: int | None = None,
                issuer: str | None = None, client_id: str | None = None) -> None:
    """One line per refused login or launch: the reason and the platform, never a
    name, an email, a token or a claim's value."""
    log.warning(
        "%s refused: reason=%s platform=%s issuer=%s client_id=%s", step, refused.reason,
        platform_id if platform_id is not None else "-", loggable(issuer), loggable(client_id),
    )
