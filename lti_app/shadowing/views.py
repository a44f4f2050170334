"""The learner's shadowing log and the trainer's confirmations, inside the LMS."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..extensions import db
from ..forms import add_errors, render_form
from ..launch_scope import bound_courses, catalog, course_of_launch, trainer_required
from ..lti.context import current_launch, launch_required
from . import bp, service
from .forms import ALACT_FIELDS, OTHER, ActionForm, AskForm, DecisionForm, ShadowDayForm
from .host_links import host_link_url
from .questions import modules_of_refs, modules_with_questions, ref_of

@bp.get("/shadowing/")
@launch_required()
def list_days():
    launch = current_launch()
    days = service.days_of_person(launch.person_id)
    return render_template(
        "shadowing/list_days.html", days=days,
        confirmed=service.confirmed_day_count(launch.person_id),
        required=_required_days(), action_form=ActionForm(),
        has_worksheet=bool(modules_with_questions(_courses())),
    )


@bp.get("/shadowing/worksheet")
@launch_required()
def worksheet():
    """The pre-visit worksheet: every module's question for the host, to print."""
    courses = _courses()
    return render_template("shadowing/worksheet.html", courses=courses,
                           modules=modules_with_questions(courses))


@bp.route("/shadowing/new", methods=["GET", "POST"])
@launch_required()
def new_day():
    launch = current_launch()
    form = _day_form()
    if _validate(form):
        try:
            day = service.create_day(person_id=launch.person_id, context_id=launch.context_id,
                                     values=_input(form), actor_name=launch.person_name)
        except service.ShadowDayInvalid as exc:  # shown on the form, input kept
            add_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("Shadowing day saved."))
            return redirect(url_for("shadowing.show_day", day_id=day.id))
    return render_form("shadowing/edit_day.html", form, day=None)


@bp.get("/shadowing/<int:day_id>")
@launch_required()
def show_day(day_id: int):
    launch = current_launch()
    day = service.day_of_person(launch.person_id, day_id) or abort(404)
    return _show_day(day)


def _show_day(day, ask_form: AskForm | None = None, problem: str | None = None):
    """The day's page; after a refused request for confirmation, why (422), with
    the reflection steps as they were typed and each missing one marked."""
    refused = ask_form is not None and (bool(ask_form.errors) or problem is not None)
    if ask_form is None:
        ask_form = AskForm(obj=day)
    page = render_template(
        "shadowing/show_day.html", day=day, invitation=session.get(f"host-invitation-{day.id}"),
        action_form=ActionForm(), ask_form=ask_form, problem=problem, refused=refused,
        today=date.today(), alact_fields=ALACT_FIELDS,
        reflection_missing=bool(service.missing_reflection(day)),
        focus=modules_of_refs(catalog(), day.focus_question_refs),
    )
    return (page, 422) if refused else page


@bp.route("/shadowing/<int:day_id>/edit", methods=["GET", "POST"])
@launch_required()
def edit_day(day_id: int):
    launch = current_launch()
    day = service.day_of_person(launch.person_id, day_id) or abort(404)
    if not day.is_editable:
        flash(_("This day is waiting for confirmation or already decided; it cannot be changed."),
              "error")
        return redirect(url_for("shadowing.show_day", day_id=day.id))
    form = _day_form(obj=day)
    if _validate(form):
        try:
            service.update_day(day=day, values=_input(form, day), actor_name=launch.person_name)
        except service.ShadowDayInvalid as exc:
            add_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("Shadowing day saved."))
            return redirect(url_for("shadowing.show_day", day_id=day.id))
    return render_form("shadowing/edit_day.html", form, day=day)


@bp.post("/shadowing/<int:day_id>/submit")
@launch_required()
def submit_day(day_id: int):
    """Ask the host; the reflection steps still missing may come along (day's page)."""
    launch = current_launch()
    day = service.day_of_person(launch.person_id, day_id) or abort(404)
    form = AskForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _show_day(day, form)  # e.g. a step too long: on the page, input kept
    try:
        if day.is_editable and any(field in request.form for field in ALACT_FIELDS):
            service.save_reflection(day=day, actor_name=launch.person_name,
                                    steps={f: getattr(form, f).data for f in ALACT_FIELDS})
        invitation = service.submit_day(day=day, actor_name=launch.person_name,
                                        today=date.today())
    except service.ShadowDayInvalid as exc:  # on the day's page, with a way to fix it
        db.session.rollback()
        add_errors(form, exc.errors)
        return _show_day(day, form)
    except (service.DayInFuture, service.ShadowDayLocked) as exc:
        db.session.rollback()
        return _show_day(day, form, problem=exc.user_message())
    db.session.commit()
    # Shown on the day's page for this launch only: the code is stored hashed.
    session[f"host-invitation-{day.id}"] = {
        "url": host_link_url(day.id, invitation.token_id), "code": invitation.code,
    }
    flash(_("Send the link or the code to your host to confirm the day."))
    return redirect(url_for("shadowing.show_day", day_id=day.id))


@bp.post("/shadowing/<int:day_id>/delete")
@launch_required()
def delete_day(day_id: int):
    launch = current_launch()
    day = service.day_of_person(launch.person_id, day_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.delete_day(day=day)
    db.session.commit()
    flash(_("Shadowing day deleted."))
    return redirect(url_for("shadowing.list_days"))


# -- trainers: the days of the learners in their LMS course ------------------------

@bp.get("/trainer/shadowing")
@trainer_required
def course_days():
    days = service.days_in_context(current_launch().context_id)
    return render_template("shadowing/course_days.html", days=days)


@bp.route("/trainer/shadowing/<int:day_id>", methods=["GET", "POST"])
@trainer_required
def decide_day(day_id: int):
    launch = current_launch()
    day = service.day_in_context(launch.context_id, day_id) or abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            service.decide(day=day, is_confirmed=form.decision.data == "confirm", by="trainer",
                           by_name=launch.person_name, by_person_id=launch.person_id,
                           comment=form.comment.data, today=date.today())
        except service.ShadowDayInvalid as exc:
            add_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("Decision saved."))
            return redirect(url_for("shadowing.course_days"))
    return render_form("shadowing/decide_day.html", form, day=day, today=date.today(),
                       focus=modules_of_refs(catalog(), day.focus_question_refs),
                       labels=AskForm(formdata=None))


def _courses():
    """The course of this LMS link, or every course the LMS course opens."""
    launch = current_launch()
    course = course_of_launch(launch)
    return [course] if course else bound_courses(launch.context_id)


def _day_form(obj=None) -> ShadowDayForm:
    form = ShadowDayForm(obj=obj)
    form.set_library_choices(catalog().libraries, _("Choose a library…"), _("Another library…"))
    form.focus_questions.choices = [(ref_of(module), module.ask_your_host.get(_lang()))
                                    for module in modules_with_questions(_courses())]
    if obj is not None and not form.is_submitted():
        form.host_library.data = obj.host_library_id or OTHER
        form.host_library_other.data = "" if obj.host_library_id else obj.host_library_name
        form.focus_questions.data = obj.focus_question_refs
    return form


def _lang() -> str:
    return "en" if str(get_locale() or "").startswith("en") else "nl"


def _validate(form: ShadowDayForm) -> bool:
    """The form's own checks, and the host library's at once: an empty form
    marks every field it needs, not only the date."""
    valid = form.validate_on_submit()
    if form.is_submitted() and not valid and not form.host_library.errors:
        library, other = _library(form)
        if message := service.library_error(library, other):
            form.host_library.errors = [*form.host_library.errors, message]
    return valid


def _library(form: ShadowDayForm):
    library = catalog().library(form.host_library.data) if form.host_library.data else None
    other = form.host_library_other.data if library is None else None
    return library, other


def _input(form: ShadowDayForm, day=None) -> service.DayInput:
    library, other = _library(form)
    return service.DayInput(
        day=form.day.data, host_library=library, host_library_other=other,
        department=form.department.data, host_contact_name=form.host_contact_name.data,
        host_contact_email=form.host_contact_email.data, learning_goals=form.learning_goals.data,
        activities=form.activities.data,
        # The one free reflection of a day logged before the ALACT steps.
        reflection=form.reflection.data if day is not None and day.reflection else None,
        focus_questions=tuple(ref for ref in form.focus_questions.data or ()
                              if ref in dict(form.focus_questions.choices)),
        **{field: getattr(form, field).data for field in ALACT_FIELDS},
    )


def _required_days() -> int:
    """What the course of this LMS link asks (Library Basics: 2)."""
    course = course_of_launch(current_launch())
    return course.shadow_days_required if course else 0


@bp.app_context_processor
def _day_rules():
    """The service's rules of a day, for every template that offers an action."""
    return {
        "trainer_may_decide": service.trainer_may_decide,
        "may_ask_confirmation": service.may_ask_confirmation,
        "has_taken_place": service.has_taken_place,
    }


@bp.context_processor
def _event_labels():
    labels = {
        "created": _("created"), "updated": _("changed"), "submitted": _("sent for confirmation"),
        "new_link": _("new confirmation link"), "confirmed": _("confirmed"),
        "declined": _("declined"), "reopened": _("reopened"),
    }
    return {"event_label": lambda action: labels.get(action, action)}
