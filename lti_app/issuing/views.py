"""The learner's certificate: confirm the printed name, issue, download."""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _

from .. import standing
from ..extensions import db
from ..forms import render_form
from ..i18n import LANGUAGES, current_language
from ..launch_scope import course_of_launch
from ..lti.context import current_launch, launch_required
from ..credentials import service as credentials
from ..people.service import trainer_name_of_context
from . import bp, service, sharing
from .forms import EmailChoiceForm, IssueForm


@bp.route("/certificate", methods=["GET", "POST"])
@launch_required()
def my_certificate():
    launch = current_launch()
    course = course_of_launch(launch) or abort(404)
    certificate = service.current_certificate(launch.person_id, course.slug)
    # A revoked certificate stands until the trainer issues again.
    revoked = (service.revoked_certificate(launch.person_id, course.slug)
               if certificate is None else None)
    status = standing.status_for(enrollment_id=launch.enrollment_id, person_id=launch.person_id,
                        course=course)
    trainer_name = trainer_name_of_context(launch.context_id)
    form = IssueForm(learner_name=launch.person_name, language=current_language())
    refused = False
    if certificate is None and form.validate_on_submit() and not form.preview.data:
        try:
            # Another name than the LMS's waits for the trainer (service.request_certificate).
            service.request_certificate(
                person_id=launch.person_id, context_id=launch.context_id, course=course,
                status=status, learner_name=form.learner_name.data,
                lms_name=launch.person_name, language=form.language.data,
                trainer_name=trainer_name,
            )
        except service.CertificateRevoked:
            # Shown on this page (it says why and whom to ask), nothing saved.
            db.session.rollback()
            refused = True
        else:
            db.session.commit()
            return redirect(url_for("issuing.my_certificate"))
    name_request = (service.name_request_of(launch.person_id, course.slug)
                    if certificate is None else None)
    preview = None
    if certificate is None and revoked is None and status.is_complete:
        preview = _preview(launch, course, form, trainer_name)
    page, code = render_form(
        "issuing/my_certificate.html", form, course=course, status=status,
        certificate=certificate, name_request=name_request, lms_name=launch.person_name,
        revoked=revoked, refused=refused, preview=preview,
        verify_url=url_for("verification.check", _external=True),
        **(_sharing(certificate) if certificate else {}))
    return page, 409 if refused else code


def _sharing(certificate) -> dict:
    """The sharing block's links and the email choice as saved (current only)."""
    verify_url = url_for("verification.verify", code=certificate.verification_code,
                         _external=True)
    return {
        "share": {
            "verify_url": verify_url,
            "linkedin_url": sharing.linkedin_url(
                certificate, verification_url=verify_url, language=current_language(),
                organization_id=current_app.config.get("LINKEDIN_ORGANIZATION_ID")),
        },
        "email_form": EmailChoiceForm(
            formdata=None, include_email=credentials.email_choice(certificate)),
    }


def _preview(launch, course, form, trainer_name):
    """What would be printed with the name and language in the form (the LMS's
    name at first); none while the typed name cannot be printed."""
    language = form.language.data if form.language.data in LANGUAGES else current_language()
    try:
        return service.preview(
            person_id=launch.person_id, course=course,
            learner_name=form.learner_name.data or launch.person_name or "",
            language=language, trainer_name=trainer_name,
            verification_url=url_for("verification.check", _external=True))
    except service.NameRequired:
        return None


@bp.get("/certificate/<int:certificate_id>.pdf")
@launch_required()
def my_pdf(certificate_id: int):
    launch = current_launch()
    certificate = service.certificate_of_person(launch.person_id, certificate_id) or abort(404)
    return pdf_response(certificate, request.args.get("lang", certificate.language))


def pdf_response(certificate, language: str) -> Response:
    """The stored PDF; `?download=1` as an attachment, else inline (a new tab)."""
    if language not in LANGUAGES:
        abort(404)
    pdf = service.pdf_for(certificate, language)
    db.session.commit()  # a first request in the other language stores it
    name = f"{_('certificate')}-{certificate.course_slug}-{language}.pdf"
    disposition = "attachment" if request.args.get("download") else "inline"
    response = Response(pdf.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["X-Content-SHA256"] = pdf.sha256
    return response
