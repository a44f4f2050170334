"""The trainer's pages: dashboard, insights, learner detail, roster refresh, exports,
overview.

Everything is scoped by the launch: its LMS course (context) and the course its
link is bound to. Ids in URLs are looked up within that context only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask import (
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from course_content.models import Course

from ..completion import course_status
from ..extensions import db
from ..i18n import current_language
from ..jobs.service import start as start_job
from ..issuing import service as issuing
from ..launch_scope import trainer_course_of_launch, trainer_required
from ..learning import service as learning
from ..lti.context import LaunchContext, current_launch, launch_required
from ..signals import launch_recorded
from ..people import service as people
from ..shadowing import service as shadowing
from . import bp, export, insights, overview, queries, roster
from .cells import module_cells
from .forms import RefreshRosterForm
from .learners import every_row, learner_page
from .table import PAGE_SIZE, LearnerRow, TableQuery, format_count

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/")
@trainer_required
def dashboard():
    launch = current_launch()
    course = trainer_course_of_launch(launch)
    # Only reads: the roster is fetched by a background job, started at the
    # trainer's first launch (below) or by the refresh button.
    context, sync = queries.context_with_roster(launch.context_id)
    roster_job, roster_outcome = roster.refresh_state(context.id)
    table = TableQuery.from_args(request.args)
    page = learner_page(course, context.id, table)
    return render_template(
        "trainer/dashboard.html",
        course=course,
        context=context,
        sync=sync,
        page=page,
        rows=page.rows,
        total=page.counts.total,
        counts=page.counts.stages,
        table=table,
        count=format_count,
        module_cells=module_cells,
        page_size=PAGE_SIZE,
        refresh_form=RefreshRosterForm(),
        lang=current_language(),
        ltik=g.get("ltik"),
        roster_error=roster.failure_message(sync.last_error)
        if sync and sync.last_error
        else None,
        no_nrps=None if context.memberships_url else roster.no_nrps_message(),
        roster_job=roster_job,
        roster_outcome=roster_outcome,
        roles=queries.role_counts(context.id),
    )


@bp.get("/insights")
@trainer_required
def insights_page():
    launch = current_launch()
    course = trainer_course_of_launch(launch)
    numbers = _insights(course, launch.context_id)
    lang = current_language()
    return render_template(
        "trainer/insights.html",
        course=course,
        insights=numbers,
        stage_bars=insights.stage_bars(numbers),
        module_bars=insights.module_bars(numbers, lang),
        stage_label=insights.stage_label,
        lang=lang,
    )


@bp.get("/insights.csv")
@trainer_required
def insights_csv():
    launch = current_launch()
    course = trainer_course_of_launch(launch)
    lang = current_language()
    lines = export.csv_table(
        export.insights_rows(_insights(course, launch.context_id), lang), lang
    )
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": _attachment(course, "csv", "insights")},
    )


@bp.post("/roster/refresh")
@trainer_required
def refresh_roster():
    launch = current_launch()
    if not RefreshRosterForm().validate_on_submit():
        abort(400)
    # A background job: the LMS may take its time, no worker waits for it. The
    # dashboard says so and shows the result (or the LMS's error) when done.
    job, is_new = roster.start_refresh(launch.context_id)
    db.session.commit()
    if is_new:
        start_job(job.id)
    return redirect(
        url_for("trainer.dashboard", **TableQuery.from_args(request.args).as_args())
    )


@bp.get("/learners/<int:enrollment_id>")
@trainer_required
def learner(enrollment_id: int):
    launch = current_launch()
    enrollment = people.learner_in_context(launch.context_id, enrollment_id)
    if enrollment is None:
        abort(404)
    course = trainer_course_of_launch(launch)
    person_id = enrollment.person_id
    progress = learning.progress_by_module(enrollment.id, course.slug)
    current, history = issuing.split_current(
        issuing.certificates_of_person(person_id, course.slug)
    )
    return render_template(
        "trainer/learner.html",
        course=course,
        enrollment=enrollment,
        person=enrollment.person,
        progress=progress,
        attempts=learning.attempts_of_enrollment(enrollment.id, course.slug),
        status=course_status(
            course, progress, shadowing.confirmed_day_count(person_id)
        ),
        days=shadowing.days_in_context(launch.context_id, person_id),
        current=current,
        history=history,
        lang=current_language(),
    )


@bp.get("/export.csv")
@trainer_required
def export_csv():
    course, rows = _rows_for_export()
    lang = current_language()
    lines = export.csv_lines(export.header(course, lang), export.body(rows), lang)
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": _attachment(course, "csv")},
    )


@bp.get("/export.xlsx")
@trainer_required
def export_xlsx():
    course, rows = _rows_for_export()
    lang = current_language()
    # The insights sheet counts every learner of the LMS course, whatever the
    # dashboard's filter: the same numbers as the insights page.
    numbers = _insights(course, current_launch().context_id)
    content = export.xlsx_bytes(
        export.header(course, lang),
        export.body(rows),
        title=course.title.get(lang),
        insights=export.insights_rows(numbers, lang),
    )
    return Response(
        content,
        mimetype=XLSX_TYPE,
        headers={"Content-Disposition": _attachment(course, "xlsx")},
    )


@bp.get("/admin")
@launch_required(roles={"admin"})
def admin_overview():
    launch = current_launch()
    if not launch.is_admin:
        abort(403)
    return render_template(
        "trainer/admin_overview.html",
        rows=overview.platform_overview(launch.platform_id),
        lang=current_language(),
    )


@launch_recorded.connect
def _first_roster_fetch(_app, *, launch: LaunchContext) -> None:
    """A trainer's first launch in an LMS course fetches its roster once, so the
    dashboard lists learners who never opened the tool; later refreshes are the
    trainer's choice (the button). Runs inside POST /lti/launch, after its commit;
    queues the fetch as a background job."""
    if not launch.is_trainer:
        return
    context, sync = queries.context_with_roster(launch.context_id)
    if not context.memberships_url or sync is not None:
        return
    # In the background: the launch does not wait for the LMS's roster.
    job, is_new = roster.start_refresh(context.id)
    db.session.commit()
    if is_new:
        start_job(job.id)


# -- helpers ------------------------------------------------------------------------


def _rows_for_export() -> tuple[Course, Iterator[LearnerRow]]:
    """The dashboard's rows with its filter, search and order, never paged:
    streamed from the database as the file is written."""
    launch = current_launch()
    course = trainer_course_of_launch(launch)
    table = TableQuery.from_args(request.args)
    return course, every_row(course, launch.context_id, table)


def _insights(course: Course, context_id: int) -> insights.CourseInsights:
    rows = list(every_row(course, context_id))
    return insights.course_insights(course, rows, context_id)


def _attachment(course: Course, extension: str, part: str = "") -> str:
    name = "-".join(filter(None, [course.slug, part, date.today().isoformat()]))
    return f'attachment; filename="{name}.{extension}"'

