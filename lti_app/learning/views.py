"""The learner's pages: course overview, module, quiz; the trainer's link setup."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..forms import render_form
from ..i18n import current_language
from ..launch_scope import course_of_launch, current_link, trainer_required
from ..lti.context import current_launch, launch_required
from ..lti.deep_linking import ContentItem, deep_link_response
from .. import standing
from . import bp, grades, service
from .content import UnknownCourseOrModule, find_course, module_or_404
from .forms import ActionForm, BindLinkForm, QuizForm, quiz_answers
from .links import link_targets


@bp.get("/")
@launch_required()
def home():
    launch = current_launch()
    link = current_link(launch)
    course = find_course(link.course_slug if link else None)
    if course is None:
        if launch.is_trainer:
            return redirect(url_for("learning.bind_link"))
        return render_template("learning/not_set_up.html"), 409
    if link.module_slug and course.module(link.module_slug):
        return redirect(url_for("learning.module", module_slug=link.module_slug))
    return redirect(url_for("learning.overview"))


@bp.get("/course")
@launch_required()
def overview():
    launch = current_launch()
    course = _course_of_link(launch)
    progress = service.progress_by_module(launch.enrollment_id, course.slug)
    status = standing.status_for(
        enrollment_id=launch.enrollment_id, person_id=launch.person_id, course=course
    )
    return render_template(
        "learning/overview.html", course=course, progress=progress, status=status,
        next_module=service.next_module(course, progress),
    )


@bp.get("/modules/<module_slug>")
@launch_required()
def module(module_slug: str):
    launch = current_launch()
    course = _course_of_link(launch)
    module = module_or_404(course, module_slug)
    progress = service.progress_by_module(launch.enrollment_id, course.slug).get(module.slug)
    return render_template(
        "learning/module.html", course=course, module=module, progress=progress,
        quiz_form=QuizForm(), action_form=ActionForm(),
    )


@bp.post("/modules/<module_slug>/read")
@launch_required()
def mark_read(module_slug: str):
    launch = current_launch()
    course = _course_of_link(launch)
    module = module_or_404(course, module_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.mark_read(enrollment_id=launch.enrollment_id, course=course, module=module)
    db.session.commit()
    flash(_("Marked as read."))
    return redirect(url_for("learning.module", module_slug=module.slug, _anchor="quiz"))


@bp.post("/modules/<module_slug>/quiz")
@launch_required()
def submit_quiz(module_slug: str):
    launch = current_launch()
    course = _course_of_link(launch)
    module = module_or_404(course, module_slug)
    form = QuizForm()
    if not form.validate_on_submit():
        abort(400)
    attempt = service.submit_quiz(
        enrollment_id=launch.enrollment_id, course=course, module=module,
        answers=quiz_answers(module, request.form), submission_id=form.submission_id.data,
    )
    queued = service.queue_grades(
        enrollment_id=launch.enrollment_id, context_id=launch.context_id, course=course,
        status=standing.status_for(enrollment_id=launch.enrollment_id,
                          person_id=launch.person_id, course=course),
    )
    db.session.commit()
    response = redirect(
        url_for("learning.quiz_result", module_slug=module.slug, attempt_id=attempt.id)
    )
    if queued:
        grades.schedule_delivery()  # off this worker: RQ or a delivery thread
    return response


@bp.get("/modules/<module_slug>/attempts/<int:attempt_id>")
@launch_required()
def quiz_result(module_slug: str, attempt_id: int):
    launch = current_launch()
    course = _course_of_link(launch)
    module = module_or_404(course, module_slug)
    attempt = service.attempt_for(launch.enrollment_id, attempt_id)
    if attempt is None or attempt.module_slug != module.slug:
        abort(404)
    progress = service.progress_by_module(launch.enrollment_id, course.slug)
    return render_template(
        "learning/quiz_result.html", course=course, module=module, attempt=attempt,
        progress=progress.get(module.slug), next_module=service.next_module(course, progress),
    )


@bp.route("/link/setup", methods=["GET", "POST"])
@trainer_required
def bind_link():
    """Without deep linking or custom parameters, a trainer picks once."""
    launch = current_launch()
    link = current_link(launch)
    if link is None:
        abort(404)
    form = BindLinkForm()
    targets = link_targets(current_language())
    form.target.choices = [SelectChoice(t.value, t.label) for t in targets]
    if form.validate_on_submit():
        course_slug, _sep, module_slug = form.target.data.partition("/")
        try:
            service.bind_link(link=link, course=find_course(course_slug), module_slug=module_slug)
        except UnknownCourseOrModule:
            form.target.errors = [_("Choose one of the courses or modules listed.")]
        else:
            db.session.commit()
            flash(_("This link now opens %(title)s.", title=_target_title(form.target.data)))
            return redirect(url_for("trainer.dashboard"))
    return render_form("learning/bind_link.html", form, targets=targets)


@bp.route("/content/choose", methods=["GET", "POST"])
@trainer_required
def choose_content():
    """Deep linking: the trainer picks courses or modules for the LMS to add."""
    launch = current_launch()
    if launch.message_type != "LtiDeepLinkingRequest":
        abort(400)
    targets = link_targets(current_language())
    form = ActionForm()
    chosen = [t for t in targets if t.value in request.form.getlist("target")]
    if form.validate_on_submit():
        if chosen:
            items = [
                ContentItem(
                    title=t.label, custom=_custom(t), score_maximum=100.0,
                    resource_id=t.value, tag="kennisdeling",
                )
                for t in chosen
            ]
            return_url, jwt = deep_link_response(launch.launch_id, items)
            return render_template("learning/deep_link_return.html", action=return_url, jwt=jwt)
        flash(_("Choose at least one course or module."), "error")
    return render_form("learning/choose_content.html", form, targets=targets,
                       chosen={t.value for t in chosen}, invalid=request.method == "POST")


def _custom(target) -> dict[str, str]:
    custom = {"course": target.course_slug}
    if target.module_slug:
        custom["module"] = target.module_slug
    return custom


def _course_of_link(launch):
    course = course_of_launch(launch)
    if course is None:
        raise UnknownCourseOrModule("course")
    return course


def _target_title(value: str) -> str:
    for target in link_targets(current_language()):
        if target.value == value:
            return target.label
    return value
