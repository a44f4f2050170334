"""The learner's certificate: confirm the printed name, issue, download."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import standing
from ..extensions import db
from ..forms import render_form
from ..i18n import LANGUAGES, current_language
from ..launch_scope import course_of_launch
from ..lti.context import current_launch, launch_required
from ..people.service import trainer_name_of_context
from . import bp, service
from .forms import IssueForm


@bp.route("/certificate", methods=["GET", "POST"])
@launch_required()
def my_certificate():
    launch = current_launch()
    course = course_of_launch(launch) or abort(404)
    certificate = service.current_certificate(launch.person_id, course.slug)
    status = standing.status_for(enrollment_id=launch.enrollment_id, person_id=launch.person_id,
                        course=course)
    form = IssueForm(learner_name=launch.person_name, language=current_language())
    if certificate is None and form.validate_on_submit():
        # Another name than the LMS's waits for the trainer (service.request_certificate).
        service.request_certificate(
            person_id=launch.person_id, context_id=launch.context_id, course=course,
            status=status, learner_name=form.learner_name.data, lms_name=launch.person_name,
            language=form.language.data, trainer_name=trainer_name_of_context(launch.context_id),
        )
        db.session.commit()
        return redirect(url_for("issuing.my_certificate"))
    name_request = (service.name_request_of(launch.person_id, course.slug)
                    if certificate is None else None)
    return render_form("issuing/my_certificate.html", form, course=course, status=status,
                       certificate=certificate, name_request=name_request,
                       lms_name=launch.person_name)


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
