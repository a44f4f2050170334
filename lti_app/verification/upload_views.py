"""POST /verify: a verifier uploads a PDF or a credential (.jwt, .json, baked
.png) or pastes a JWT, and learns whether this tool issued it, unchanged.

Public and read-only, so no CSRF token (a forged post changes nothing and
learns the forger nothing); it spends the same rate budget as the code lookups
and reads at most VERIFY_UPLOAD_MAX_BYTES.
"""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import wants_json
from ..extensions import csrf, db
from . import bp
from .facts import status_of
from .upload import check_credential, check_pdf, is_pdf
from .views import verify_limit

# Room for the form's other fields and the multipart framing around the file.
_FORM_OVERHEAD = 64 * 1024
PASTE_LIMIT = 100_000  # characters: a JWT is a few KB


@bp.post("", strict_slashes=False)
@csrf.exempt
@verify_limit
def upload():
    limit = current_app.config["VERIFY_UPLOAD_MAX_BYTES"]
    request.max_content_length = limit + _FORM_OVERHEAD
    try:
        document = request.files.get("document")
        pasted = (request.form.get("pasted") or "").strip()
    except RequestEntityTooLarge:
        return _too_large(limit, pasted="")
    data = document.read(limit + 1) if document is not None and document.filename else b""
    if len(data) > limit:
        return _too_large(limit, pasted)
    if not data and not pasted:
        return _answer("empty", 422, pasted,
                       _("Choose a file (the certificate's PDF, or a badge as .png, .jwt or "
                         ".json) or paste a credential, then choose “Check”."))
    if data and is_pdf(data):
        return _pdf_answer(check_pdf(data), pasted)
    if len(pasted) > PASTE_LIMIT and not data:
        return _answer("unreadable", 422, "", _(
            "What you pasted is longer than any credential of this tool; paste the "
            "credential (a JWT) only."))
    return _credential_answer(check_credential(data or pasted), pasted)


def _too_large(limit: int, pasted: str):
    megabytes = limit // (1024 * 1024)
    return _answer("too_large", 413, pasted, _(
        "This file is larger than %(size)d MB, more than any certificate or badge of this "
        "tool. Check that you chose the right file.", size=megabytes))


def _pdf_answer(result, pasted: str):
    certificate = result.certificate
    signature = result.signature
    if result.outcome == "issued":
        message = _("This PDF is the document that was issued, unchanged.")
    elif result.outcome == "changed":
        message = _("This file is not the document that was issued: it names a certificate "
                    "of this tool, but its content differs from the PDF that was issued.")
    else:
        message = _("This file is not a certificate from this tool.")
    if result.outcome == "issued":
        signature_note = None
    elif signature is None:
        signature_note = _("The file carries no digital signature.")
    elif not signature.is_unchanged:
        signature_note = _("It carries a digital signature (%(signer)s), but the file was "
                           "changed after it was signed.", signer=signature.signer_common_name)
    else:
        signature_note = _("It carries an intact digital signature of %(signer)s, but not "
                           "the one of the document this tool issued.",
                           signer=signature.signer_common_name)
    db.session.commit()
    return _answer(result.outcome, 200, pasted, message, kind="pdf",
                   certificate=certificate, sha256=result.sha256, language=result.language,
                   signature=signature, signature_note=signature_note)


_CREDENTIAL_MESSAGES = {
    "valid": lambda: _("This credential was issued by this tool and is valid."),
    "revoked": lambda: _("This credential was issued by this tool, but it was revoked."),
    "superseded": lambda: _("This credential was issued by this tool, but it was replaced "
                            "by a corrected one."),
    "altered": lambda: _("This credential was changed after it was issued (for example the "
                         "name): its signature no longer matches. It is not valid."),
    "unknown_kid": lambda: _("This credential is signed with a key this tool does not know. "
                             "It was not issued by this tool, or not with a published key."),
    "not_ours": lambda: _("This credential was not issued by this tool."),
    "unknown_certificate": lambda: _("This credential is signed by this tool, but it names "
                                     "no certificate the tool knows."),
    "unreadable": lambda: _("This is neither a certificate PDF nor a credential this tool can "
                            "read. Upload the PDF, the badge (.png) or the credential (.jwt or "
                            ".json)."),
}


def _credential_answer(result, pasted: str):
    outcome = result.outcome if result.outcome in _CREDENTIAL_MESSAGES else "unreadable"
    status = 422 if outcome == "unreadable" else 200
    db.session.commit()
    return _answer(outcome, status, pasted, _CREDENTIAL_MESSAGES[outcome](),
                   kind="credential", certificate=result.certificate)


def _answer(outcome: str, status: int, pasted: str, message: str, *, kind: str | None = None,
            certificate=None, sha256: str | None = None, language: str | None = None,
            signature=None, signature_note: str | None = None):
    certificate_status = status_of(certificate) if certificate is not None else None
    if wants_json():
        return jsonify(
            kind=kind, outcome=outcome, message=message, sha256=sha256, language=language,
            certificate={
                "code": certificate.verification_code,
                "status": certificate_status.state,
                "since": certificate_status.since.isoformat()
                if certificate_status.since else None,
                "verify_url": url_for("verification.verify",
                                      code=certificate.verification_code, _external=True),
            } if certificate is not None else None,
            signature={
                "signer": signature.signer_subject, "intact": signature.is_unchanged,
                "certificate_sha256": signature.certificate_sha256,
            } if signature is not None else None,
        ), status
    return render_template(
        "verification/check.html", lookup=None, typed="", upload_outcome=outcome,
        upload_kind=kind, upload_message=message, upload_certificate=certificate,
        upload_status=certificate_status, upload_signature_note=signature_note,
        pasted=pasted[:PASTE_LIMIT],
    ), status
