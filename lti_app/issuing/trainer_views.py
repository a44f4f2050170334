"""The trainer's certificate page: who is eligible, issue, revoke, re-issue, ZIP."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import language_of
from ..jobs import service as jobs
from ..launch_scope import trainer_course_of_launch, trainer_required
from ..lti.context import current_launch
from ..people import service as people
from .. import standing
from . import bp, service
from .forms import (
    ActionForm, IssueAgainForm, RefuseNameForm, ReissueForm, RevokeForm, ZipForm,
)
from .views import pdf_response
from .zip_export import ZIP_KIND, ZIP_WITH_CREDENTIALS_KIND


@bp.get("/trainer/certificates")
@trainer_required
def trainer_certificates():
    launch = current_launch()
    course = trainer_course_of_launch(launch)
    rows = service.eligibility_rows(context_id=launch.context_id, course=course)
    _current, history = service.split_current(
        service.certificates_in_context(launch.context_id)
    )
    return render_template(
        "issuing/trainer_certificates.html", course=course, rows=rows, history=history,
        name_requests=service.pending_name_requests(launch.context_id, course.slug),
        action_form=ActionForm(), revoke_form=RevokeForm(), reissue_form=ReissueForm(),
        refuse_name_form=RefuseNameForm(), issue_again_form=IssueAgainForm(),
        zip_form=ZipForm(formdata=None),
        revoked=service.revoked_certificates([row.enrollment.person_id for row in rows],
                                             course.slug),
    )


@bp.post("/trainer/certificates/names/<int:request_id>/approve")
@trainer_required
def trainer_approve_name(request_id: int):
    launch = current_launch()
    name_request = service.name_request_in_context(launch.context_id, request_id) or abort(404)
    course = trainer_course_of_launch(launch)
    if not ActionForm().validate_on_submit() or name_request.course_slug != course.slug:
        abort(400)
    enrollment = service.enrollment_of(name_request.person_id, launch.context_id) or abort(404)
    status = standing.status_for(enrollment_id=enrollment.id, person_id=enrollment.person_id,
                                 course=course)
    service.approve_name(
        request=name_request, course=course, status=status,
        trainer_name=people.trainer_name_of_context(launch.context_id),
        decided_by_person_id=launch.person_id,
    )
    db.session.commit()
    flash(_("Name approved; the certificate has been issued."))
    return redirect(url_for("issuing.trainer_certificates"))


@bp.post("/trainer/certificates/names/<int:request_id>/refuse")
@trainer_required
def trainer_refuse_name(request_id: int):
    launch = current_launch()
    name_request = service.name_request_in_context(launch.context_id, request_id) or abort(404)
    form = RefuseNameForm()
    if not form.validate_on_submit():
        flash(_("Give a reason to refuse a name; the learner sees it."), "error")
        return redirect(url_for("issuing.trainer_certificates"))
    service.refuse_name(request=name_request, reason=form.reason.data,
                        decided_by_person_id=launch.person_id)
    db.session.commit()
    flash(_("Name refused; the learner sees your reason."))
    return redirect(url_for("issuing.trainer_certificates"))


@bp.post("/trainer/certificates/issue/<int:enrollment_id>")
@trainer_required
def trainer_issue(enrollment_id: int):
    launch = current_launch()
    enrollment = people.learner_in_context(launch.context_id, enrollment_id) or abort(404)
    course = trainer_course_of_launch(launch)
    if not ActionForm().validate_on_submit():
        abort(400)
    status = standing.status_for(enrollment_id=enrollment.id, person_id=enrollment.person_id,
                        course=course)
    try:
        service.issue_certificate(
            person_id=enrollment.person_id, context_id=launch.context_id, course=course,
            status=status, learner_name=enrollment.person.display_name or "",
            language=language_of(enrollment.person.locale), trainer_name=launch.person_name,
            issued_by_person_id=launch.person_id,
        )
    except service.CertificateRevoked as refused:
        db.session.rollback()
        flash(refused.user_message(), "error")
        return redirect(url_for("issuing.trainer_certificates"))
    db.session.commit()
    flash(_("Certificate issued."))
    return redirect(url_for("issuing.trainer_certificates"))


@bp.post("/trainer/certificates/issue-again/<int:enrollment_id>")
@trainer_required
def trainer_issue_again(enrollment_id: int):
    """After a revocation: a new certificate (new code) on the trainer's explicit
    confirmation; the revoked one stays revoked."""
    launch = current_launch()
    enrollment = people.learner_in_context(launch.context_id, enrollment_id) or abort(404)
    course = trainer_course_of_launch(launch)
    revoked = service.revoked_certificate(enrollment.person_id, course.slug)
    form = IssueAgainForm()
    if not form.validate_on_submit():
        flash(_("Tick the confirmation and enter the name to issue the certificate again."),
              "error")
        return redirect(url_for("issuing.trainer_certificates"))
    status = standing.status_for(enrollment_id=enrollment.id, person_id=enrollment.person_id,
                                 course=course)
    service.issue_certificate(
        person_id=enrollment.person_id, context_id=launch.context_id, course=course,
        status=status, learner_name=form.learner_name.data,
        language=revoked.language if revoked else language_of(enrollment.person.locale),
        trainer_name=launch.person_name, issued_by_person_id=launch.person_id,
        after_revocation=True,
    )
    db.session.commit()
    flash(_("The certificate was issued again, with a new code; the revoked one stays revoked."))
    return redirect(url_for("issuing.trainer_certificates"))


@bp.post("/trainer/certificates/<int:certificate_id>/revoke")
@trainer_required
def trainer_revoke(certificate_id: int):
    certificate = _certificate(certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give a reason to revoke a certificate."), "error")
        return redirect(url_for("issuing.trainer_certificates"))
    service.revoke(certificate=certificate, reason=form.reason.data)
    db.session.commit()
    flash(_("Certificate revoked."))
    return redirect(url_for("issuing.trainer_certificates"))


@bp.post("/trainer/certificates/<int:certificate_id>/reissue")
@trainer_required
def trainer_reissue(certificate_id: int):
    certificate = _certificate(certificate_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        flash(_("Enter the corrected name (at most 120 characters)."), "error")
        return redirect(url_for("issuing.trainer_certificates"))
    service.reissue(certificate=certificate, learner_name=form.learner_name.data,
                    issued_by_person_id=current_launch().person_id)
    db.session.commit()
    flash(_("A new certificate was issued; the old one shows as replaced."))
    return redirect(url_for("issuing.trainer_certificates"))


@bp.get("/trainer/certificates/<int:certificate_id>.pdf")
@trainer_required
def trainer_pdf(certificate_id: int):
    certificate = _certificate(certificate_id)
    return pdf_response(certificate, request.args.get("lang", certificate.language))


@bp.post("/trainer/certificates/zip")
@trainer_required
def trainer_zip():
    form = ZipForm()
    if not form.validate_on_submit():
        abort(400)
    kind = ZIP_WITH_CREDENTIALS_KIND if form.include_credentials.data else ZIP_KIND
    job = jobs.create_job(kind=kind, context_id=current_launch().context_id)
    db.session.commit()
    jobs.start(job.id)
    return redirect(url_for("jobs.show", job_id=job.id))


def _certificate(certificate_id: int):
    return service.certificate_in_context(current_launch().context_id, certificate_id) or abort(404)
