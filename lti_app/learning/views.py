"""The learner's pages: course overview, module, quiz; the trainer's link setup."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from course_content.models import format_number

from ..extensions import db
from ..forms import render_form
from ..i18n import current_language
from ..launch_scope import course_of_launch, current_link, trainer_required
from ..lti.context import current_launch, launch_required
from ..lti.deep_linking import ContentItem, deep_link_response
from .. import standing
from . import bp, grades, service
from .content import UnknownCourseOrModule, catalog, find_course, module_or_404
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


@bp.app_template_filter("decimal_number")
def decimal_number(value, lang: str | None = None) -> str:
    """A content number as the learner's language writes it (12,5 or 12.5)."""
    return format_number(value, lang or current_language())


# Safe types for the files a module offers; always downloaded, never shown inline.
RESOURCE_TYPES = {
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to text types
    "txt": "text/plain",
    "md": "text/plain",  # shown as text, never rendered
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/modules/<module_slug>")
@launch_required()
def module(module_slug: str):
    launch = current_launch()
    course = _course_of_link(launch)
    module = module_or_404(course, module_slug)
    progress = service.progress_by_module(launch.enrollment_id, course.slug).get(module.slug)
    state = service.scenario_state(launch.enrollment_id, course, module) if module.scenario else None
    return render_template(
        "learning/module.html", course=course, module=module, progress=progress,
        quiz_form=QuizForm(), action_form=ActionForm(),
        reflections=service.reflections_for(launch.enrollment_id, course, module),
        scenario_node=(module.scenario.node(service.current_node_id(state, module))
                       if module.scenario else None),
        scenario_state=state, last_choice=service.last_consequence(state, module)
        if module.scenario else None,
    )


@bp.get("/modules/<module_slug>/resources/<file>")
@launch_required()
def resource(module_slug: str, file: str):
    """Only a file the module declares in its front matter, as a download."""
    launch = current_launch()
    course = _course_of_link(launch)
    module = module_or_404(course, module_slug)
    declared = module.resource(file)
    if declared is None or declared.extension not in RESOURCE_TYPES:
        abort(404)
    # The path was built and checked by the content loader from the declared name.
    response = send_file(
        declared.path, mimetype=RESOURCE_TYPES[declared.extension], as_attachment=True,
        download_name=declared.file, max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/modules/<module_slug>/reflections")
@launch_required()
def save_reflections(module_slug: str):
    launch = current_launch()
    course = _course_of_link(launch)
    module = module_or_404(course, module_slug)
    if not module.reflection or not ActionForm().validate_on_submit():
        abort(400)
    service.save_reflections(
        enrollment_id=launch.enrollment_id, course=course, module=module,
        texts={p.id: request.form.get(f"r-{p.id}", "") for p in module.reflection},
    )
    db.session.commit()
    flash(_("Your reflections are saved. Only you can see them."))
    return redirect(url_for("learning.module", module_slug=module.slug, _anchor="reflection"))


@bp.get("/reflections/<int:reflection_id>")
@launch_required()
def reflection(reflection_id: int):
    """One saved answer, for the learner who wrote it; anyone else gets a 404."""
    launch = current_launch()
    answer = service.reflection_of_person(launch.person_id, reflection_id)
    if answer is None:
        abort(404)
    course = find_course(answer.course_slug)
    module = course.module(answer.module_slug) if course else None
    prompt = next((p for p in module.reflection if p.id == answer.prompt_id), None) if module else None
    return render_template("learning/reflection.html", answer=answer, module=module,
                           prompt=prompt)


@bp.post("/modules/<module_slug>/scenario")
@launch_required()
def scenario_choice(module_slug: str):
    launch = current_launch()
    course = _course_of_link(launch)
    module = module_or_404(course, module_slug)
    if module.scenario is None or not ActionForm().validate_on_submit():
        abort(400)
    _state, reached_end = service.choose(
        enrollment_id=launch.enrollment_id, course=course, module=module,
        node_id=request.form.get("node", ""), choice_id=request.form.get("choice", ""),
    )
    queued = False
    if reached_end:  # the module is passed: scores go out as after a passed quiz
        queued = service.queue_grades(
            enrollment_id=launch.enrollment_id, context_id=launch.context_id, course=course,
            status=standing.status_for(enrollment_id=launch.enrollment_id,
                                       person_id=launch.person_id, course=course),
        )
    db.session.commit()
    if queued:
        grades.schedule_delivery()  # off this worker: RQ or a delivery thread
    return redirect(url_for("learning.module", module_slug=module.slug, _anchor="scenario"))


@bp.post("/modules/<module_slug>/scenario/restart")
@launch_required()
def scenario_restart(module_slug: str):
    launch = current_launch()
    course = _course_of_link(launch)
    module = module_or_404(course, module_slug)
    if module.scenario is None or not ActionForm().validate_on_submit():
        abort(400)
    service.restart_scenario(enrollment_id=launch.enrollment_id, course=course, module=module)
    db.session.commit()
    return redirect(url_for("learning.module", module_slug=module.slug, _anchor="scenario"))


@bp.get("/glossary")
@launch_required()
def glossary():
    lang = current_language()
    terms = sorted(catalog().glossary, key=lambda t: t.term.get(lang).casefold())
    return render_template("learning/glossary.html", terms=terms)


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
