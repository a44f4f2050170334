"""Why a dynamic registration failed: one reason code, its status and message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...domain import ReasonError

# reason -> (HTTP status, message for the admin); 4xx: the request, 502: the LMS
REASONS = {
    "missing_configuration": (400, _l(
        "This address is meant for your LMS: paste it where the LMS asks for a "
        "tool's registration URL (LTI Dynamic Registration).")),
    "bad_url": (400, _l("The LMS sent an address this tool cannot use: %(url)s")),
    "not_https": (400, _l("The LMS's address must start with https://: %(url)s")),
    "private_host": (400, _l("%(url)s is on a private network; registration only "
                             "talks to public hosts.")),
    "missing_token": (400, _l(
        "The LMS sent no registration token. Start the registration from your "
        "LMS's page for adding a tool by its registration URL (LTI Dynamic "
        "Registration); this address does not register without one.")),
    "already_registered": (409, _l(
        "This tool already has a registration for %(issuer)s with client id "
        "%(client_id)s. It was not changed: only the operator of this tool can "
        "change an existing registration. Remove the tool your LMS has just "
        "created, or ask the operator.")),
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
