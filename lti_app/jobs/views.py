"""/trainer/jobs/<id>: progress (page and JSON) and the result."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, url_for

from ..launch_scope import trainer_required
from ..lti.context import current_launch
from .service import job_in_context

bp = Blueprint("jobs", __name__, url_prefix="/trainer/jobs", template_folder="templates")


@bp.get("/<int:job_id>")
@trainer_required
def show(job_id: int):
    job = job_in_context(current_launch().context_id, job_id) or abort(404)
    return render_template("jobs/show.html", job=job)


@bp.get("/<int:job_id>.json")
@trainer_required
def status(job_id: int):
    job = job_in_context(current_launch().context_id, job_id) or abort(404)
    return jsonify(
        status=job.status, done=job.done, total=job.total, percent=job.percent,
        download=url_for("jobs.download", job_id=job.id)
        if job.status == "done" and job.result_name else None,
    )


@bp.get("/<int:job_id>/download")
@trainer_required
def download(job_id: int):
    job = job_in_context(current_launch().context_id, job_id) or abort(404)
    if job.status != "done" or job.result is None or not job.result_name:
        abort(404)  # not done, or a job without a file (a roster refresh)
    response = Response(job.result, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    return response
