"""The learner's pages: course overview, module, quiz; the trainer's link setup."""

from __future__ import annotations

import re
import uuid

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from course_content.models import format_number, percent_of, right_needed

from ..extensions import db
from ..forms import render_form
from ..i18n import current_language
from ..launch_scope import course_of_launch, current_link, trainer_required
from ..lti.context import current_launch, launch_required
from ..lti.deep_linking import ContentItem, deep_link_response
from ..read_only import reads_only
from .. import standing
from . import bp, service
from .content import UnknownCourseOrModule, catalog, find_course, module_or_404
from .forms import ActionForm, BindLinkForm, QuizForm, quiz_answers, unanswered
from .landing import landing_target
from .links import link_targets
from .module_list import module_list
from .page_parts import module_page_parts, quiz_feedback


@bp.get("/")
@launch_required()
@reads_only
def home():
    launch = current_launch()
    target = landing_target(current_link(launch))
    if target is None:
        if launch.is_trainer:
            return redirect(url_for("learning.bind_link"))
        return render_template("learning/not_set_up.html"), 409
    endpoint, values = target
    return redirect(url_for(endpoint, **values))


@bp.get("/course")
@launch_required()
@reads_only
def overview():
    course, progress, status = standing.course_progress_and_status(current_launch())
    published = course.published_modules
    next_module = service.next_module(course, progress)
    return render_template(
        "learning/overview.html", course=course, progress=progress, status=status,
        next_module=next_module, modules_html=module_list(course, progress, next_module),
        minutes_total=sum(m.estimated_minutes or 0 for m in published),
        minutes_left=sum(m.estimated_minutes or 0 for m in published
                         if not (m.slug in progress and progress[m.slug].is_passed)),
    )


bp.app_template_global("percent_of")(percent_of)


@bp.app_template_filter("duration")
def duration(minutes: int) -> str:
    """A study time: "45 min", "2 h 05 min" (Dutch: "2 u 05 min")."""
    hours, rest = divmod(int(minutes or 0), 60)
    if not hours:
        return _("%(minutes)d min", minutes=rest)
    if not rest:
        return _("%(hours)d h", hours=hours)
    return _("%(hours)d h %(minutes)02d min", hours=hours, minutes=rest)


# A question's own text that already asks for every right answer.
_ASKS_FOR_ALL = re.compile(
    r"\b(kies|vink|selecteer) alle\b|\b(choose|select|tick) (all|every)\b", re.I
)


@bp.app_template_test("asking_for_all")
def asking_for_all(text: str) -> bool:
    """True if a question's text already says to tick every right answer."""
    return bool(_ASKS_FOR_ALL.search(text or ""))


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
@reads_only
def module(module_slug: str):
    launch = current_launch()
    course, progress, reflections = service.course_and_module_state(launch, module_slug)
    return _module_page(launch, course, module_or_404(course, module_slug),
                        submission_id=uuid.uuid4().hex, read=(progress, reflections))


def _module_page(launch, course, module, *, submission_id, answers=None, missing=(),
                 status=200, read=None):
    """The module page; after a refused quiz, with the answers given and the
    questions still open marked. What every learner sees alike comes from
    page_parts; only the learner's own state is rendered here.
    `read`: her progress in the module and her reflections on it, if the
    caller read them already (service.course_and_module_state)."""
    progress, reflections = read or service.module_state(launch.enrollment_id, course, module)
    state = service.scenario_state(launch.enrollment_id, course, module) if module.scenario else None
    return render_template(
        "learning/module.html", course=course, module=module, progress=progress,
        **module_page_parts(
            course, module, submission_id=submission_id, answers=answers, missing=missing,
            reflections=reflections if module.reflection else {}),
        scenario_node=(module.scenario.node(service.current_node_id(state, module))
                       if module.scenario else None),
        scenario_state=state, last_choice=service.last_consequence(state, module)
        if module.scenario else None,
    ), status


@bp.get("/modules/<module_slug>/resources/<file>")
@launch_required()
def resource(module_slug: str, file: str):
    """Only a file the module declares in its front matter, as a download."""
    launch, course, module = _launch_course_module(module_slug)
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
    launch, course, module = _launch_course_module(module_slug)
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
    launch, course, module = _launch_course_module(module_slug)
    if module.scenario is None or not ActionForm().validate_on_submit():
        abort(400)
    _state, reached_end = service.choose(
        enrollment_id=launch.enrollment_id, course=course, module=module,
        node_id=request.form.get("node", ""), choice_id=request.form.get("choice", ""),
    )
    # An end reached passes the module: its scores were queued with it
    # (signals.standing_changed) and go out after this commit, off this worker.
    db.session.commit()
    return redirect(url_for("learning.module", module_slug=module.slug, _anchor="scenario"))


@bp.post("/modules/<module_slug>/scenario/restart")
@launch_required()
def scenario_restart(module_slug: str):
    launch, course, module = _launch_course_module(module_slug)
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
    launch, course, module = _launch_course_module(module_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.mark_read(enrollment_id=launch.enrollment_id, course=course, module=module)
    db.session.commit()
    flash(_("Marked as read."), "here")  # shown next to the button, not at the top
    return redirect(url_for("learning.module", module_slug=module.slug, _anchor="read"))


@bp.post("/modules/<module_slug>/quiz")
@launch_required()
def submit_quiz(module_slug: str):
    # Her standing is locked first, with the link's course in the same SELECT.
    launch, course, module = _launch_course_module(module_slug, course_of=service.locked_course)
    form = QuizForm()
    if module.quiz is None or not form.validate_on_submit():
        abort(400)
    answers = quiz_answers(module, request.form)
    missing = unanswered(module, answers)
    if missing:  # no attempt: the page again, the answers kept, the open ones marked
        return _module_page(launch, course, module, submission_id=form.submission_id.data,
                            answers=answers, missing=missing, status=422)
    attempt = service.submit_quiz(
        enrollment_id=launch.enrollment_id, course=course, module=module,
        answers=answers, submission_id=form.submission_id.data,
    )
    attempt_id = attempt.id  # before the commit expires it (no SELECT to reload it)
    # The attempt queued the learner's scores (signals.standing_changed); they
    # go out after this commit, off this worker (RQ or a delivery thread).
    db.session.commit()
    return redirect(
        url_for("learning.quiz_result", module_slug=module.slug, attempt_id=attempt_id)
    )


@bp.get("/modules/<module_slug>/attempts/<int:attempt_id>")
@launch_required()
@reads_only
def quiz_result(module_slug: str, attempt_id: int):
    launch = current_launch()
    course, progress, attempt = service.course_progress_and_attempt(launch, attempt_id)
    module = module_or_404(course, module_slug)
    if attempt is None or attempt.module_slug != module.slug:
        abort(404)
    module_progress = progress.get(module.slug)
    reveal = course.reveal_answers == "always" or bool(module_progress and module_progress.is_passed)
    return render_template(
        "learning/quiz_result.html", course=course, module=module, attempt=attempt,
        progress=module_progress, next_module=service.next_module(course, progress),
        reveal=reveal, feedback=quiz_feedback(module, attempt.answers, reveal=reveal),
        needed=right_needed(module.quiz.pass_mark, attempt.total),
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


def _launch_course_module(module_slug: str, course_of=course_of_launch):
    """The launch, its course and the module of the URL: every module page's start."""
    launch = current_launch()
    course = course_of(launch)
    if course is None:
        raise UnknownCourseOrModule("course")
    return launch, course, module_or_404(course, module_slug)


def _target_title(value: str) -> str:
    for target in link_targets(current_language()):
        if target.value == value:
            return target.label
    return value
