"""Why a login or launch was refused: one reason code, shown in nl or en."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..domain import ReasonError

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
    "state_not_bound": (
        401,
        _l(
            "Your browser did not keep the sign-in cookie for this tool. Open the "
            "tool in a new window, or allow cookies for this site."
        ),
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
