"""GET /verify/<code>: is this certificate valid? Name, course, date, who issued it,
who confirmed each shadowing day, the credential's wording and status, each
issued PDF's SHA-256 and its signer; nothing more. GET /verify: a field for the
code printed on the paper (GET /verify?code=… goes on to /verify/<code>) and an
upload form; POST /verify checks an uploaded PDF or credential (upload_views)."""

from __future__ import annotations

import json

from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for

from ..credentials import service as credentials
from ..errors import wants_json
from ..extensions import db, limiter
from ..issuing import service as issuing
from ..learning.content import find_course
from . import bp
from .facts import certificate_facts

# One budget for every way of trying a code (the form, the address, the upload).
verify_limit = limiter.shared_limit(lambda: current_app.config["RATELIMIT_VERIFY"],
                                    scope="verify")

# Which page status a failed lookup gets: an unknown code is not found; a code
# with a typing error (or too few or many characters) is a form to correct.
_STATUS = {"unknown": 404, "mistyped": 422, "length": 422}
_JSON_STATUS = {"unknown": "unknown", "mistyped": "mistyped", "length": "wrong_length"}


@bp.get("", strict_slashes=False)
@verify_limit
def check():
    typed = request.args.get("code")
    if typed is None:
        return render_template("verification/check.html", lookup=None, typed="")
    if not typed.strip():
        return render_template("verification/check.html", lookup=None, typed=typed,
                               empty=True), 422
    lookup = issuing.look_up(typed)
    if lookup.status == "found":
        return redirect(url_for("verification.verify", code=lookup.code))
    return render_template("verification/check.html", lookup=lookup,
                           typed=typed), _STATUS[lookup.status]


@bp.get("/<code>")
@verify_limit
def verify(code: str):
    lookup = issuing.look_up(code)
    result = lookup.verification
    course = find_course(result.course_slug) if result else None
    if result is None:
        if wants_json():
            return jsonify(status=_JSON_STATUS[lookup.status],
                           code=code[:64]), _STATUS[lookup.status]
        return render_template("verification/check.html", lookup=lookup,
                               typed=code[:100]), _STATUS[lookup.status]
    certificate = issuing.certificate_by_code(lookup.code)
    facts = certificate_facts(certificate)
    db.session.commit()  # a first look may store the signed credential
    if wants_json():
        return jsonify(
            status=result.state, name=result.learner_name, course=result.course_slug,
            course_title={"nl": course.title.nl, "en": course.title.en} if course else None,
            completed_on=result.completed_on.isoformat() if result.completed_on else "",
            issued_on=result.issued_at,
            # Who vouches for it (null: issued before this was recorded).
            institution=result.institution,
            shadow_days=[{"date": d.day.isoformat(), "host": d.host, "confirmed_by": d.confirmed_by}
                         for d in result.shadow_days],
            **_json_facts(certificate, facts),
        )
    return render_template("verification/verify.html", result=result, course=course,
                           code=lookup.code, facts=facts, certificate=certificate)


def _json_facts(certificate, facts) -> dict:
    achievement = facts.achievement
    return {
        "code": certificate.verification_code,
        "organisers": list((certificate.snapshot or {}).get("organisers") or []),
        "achievement": {
            "name": achievement.name, "description": achievement.description,
            "criteria": achievement.criteria, "issuer": achievement.issuer,
            "valid_from": achievement.valid_from,
        } if achievement else None,
        "signing_certificate_sha256": facts.signing_certificate_sha256,
        "credential_status": {
            "status": facts.status.state,
            # Why, in the status list's terms; the trainer's own words stay private.
            "reason": {"revoked": "revoked_by_issuer",
                       "superseded": "replaced_by_corrected_certificate"}.get(facts.status.state),
            "since": facts.status.since.isoformat() if facts.status.since else None,
        },
        "pdfs": [{
            "language": pdf.language, "sha256": pdf.sha256,
            "signature": {
                "signer": pdf.signature.signer_subject,
                "signed_at": pdf.signature.signed_at.isoformat()
                if pdf.signature.signed_at else None,
                "intact": pdf.signature.is_unchanged,
                "certificate_sha256": pdf.signature.certificate_sha256,
            } if pdf.signature else None,
        } for pdf in facts.pdfs],
        "credential": {
            "jwt": url_for("verification.credential", code=certificate.verification_code,
                           kind="jwt", _external=True),
            "json": url_for("verification.credential", code=certificate.verification_code,
                            kind="json", _external=True),
        } if facts.credential_public else None,
    }


@bp.get("/<code>/credential.<any(json, jwt):kind>")
@verify_limit
def credential(code: str, kind: str):
    """The credential by its code: public like the page (the same name, course and
    date), unless the learner put an email hash in it: then only they have it."""
    lookup = issuing.look_up(code)
    if lookup.status != "found":
        abort(404)
    certificate = issuing.certificate_by_code(lookup.code)
    if credentials.email_choice(certificate):
        abort(404)
    if kind == "jwt":
        body, mimetype = credentials.credential_jwt(certificate), "application/jwt"
    else:
        body = json.dumps(credentials.credential_json(certificate), ensure_ascii=False, indent=2)
        mimetype = "application/json"
    db.session.commit()
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'inline; filename="credential-{certificate.course_slug}.{kind}"')
    return response
