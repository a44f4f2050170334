"""The trainer's certificate page: who is eligible, issue, revoke, re-issue, ZIP."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..completion import course_status, status_for
from ..extensions import db
from ..jobs import service as jobs
from ..learning.content import course_or_404
from ..learning.links import current_link
from ..lti.context import current_launch, launch_required
from ..learning.service import progress_by_enrollment
from ..people import service as people
from ..shadowing.service import confirmed_day_counts
from . import bp, service
from .forms import ActionForm, ReissueForm, RevokeForm
from .views import pdf_response

TRAINERS = {"trainer", "admin"}


@bp.get("/trainer/certificates")
@launch_required(roles=TRAINERS)
def trainer_certificates():
    launch = current_launch()
    course = _course()
    learners = people.learner_enrollments(launch.context_id)
    person_ids = [e.person_id for e in learners]
    # One query per kind of data, never one per learner.
    current = service.current_certificates(person_ids, course.slug)
    progress = progress_by_enrollment([e.id for e in learners], course.slug)
    days = confirmed_day_counts(person_ids)
    rows = [
        (enrollment,
         course_status(course, progress.get(enrollment.id, {}), days.get(enrollment.person_id, 0)),
         current.get(enrollment.person_id))
        for enrollment in learners
    ]
    history = [c for c in service.certificates_in_context(launch.context_id) if c.state != "valid"]
    return render_template(
        "issuing/trainer_certificates.html", course=course, rows=rows, history=history,
        action_form=ActionForm(), revoke_form=RevokeForm(), reissue_form=ReissueForm(),
    )


@bp.post("/trainer/certificates/issue/<int:enrollment_id>")
@launch_required(roles=TRAINERS)
def trainer_issue(enrollment_id: int):
    launch = current_launch()
    enrollment = people.learner_in_context(launch.context_id, enrollment_id) or abort(404)
    course = _course()
    if not ActionForm().validate_on_submit():
        abort(400)
    status = status_for(enrollment_id=enrollment.id, person_id=enrollment.person_id,
                        course=course)
    service.issue_certificate(
        person_id=enrollment.person_id, context_id=launch.context_id, course=course,
        status=status, learner_name=enrollment.person.display_name or "",
        language=_language(enrollment.person.locale), trainer_name=launch.person_name,
        issued_by_person_id=launch.person_id,
    )
    db.session.commit()
    flash(_("Certificate issued."))
    return redirect(url_for("issuing.trainer_certificates"))


@bp.post("/trainer/certificates/<int:certificate_id>/revoke")
@launch_required(roles=TRAINERS)
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
@launch_required(roles=TRAINERS)
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
@launch_required(roles=TRAINERS)
def trainer_pdf(certificate_id: int):
    certificate = _certificate(certificate_id)
    return pdf_response(certificate, request.args.get("lang", certificate.language))


@bp.post("/trainer/certificates/zip")
@launch_required(roles=TRAINERS)
def trainer_zip():
    if not ActionForm().validate_on_submit():
        abort(400)
    job = jobs.create_job(kind="certificates_zip", context_id=current_launch().context_id)
    db.session.commit()
    jobs.start(job.id)
    return redirect(url_for("jobs.show", job_id=job.id))


def _course():
    link = current_link(current_launch())
    return course_or_404(link.course_slug if link else None)


def _certificate(certificate_id: int):
    return service.certificate_in_context(current_launch().context_id, certificate_id) or abort(404)


def _language(locale: str | None) -> str:
    return "en" if (locale or "").lower().startswith("en") else "nl"
