"""/trainer/jobs/<id>: progress (page and JSON) and the result."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, url_for

from ..lti.context import current_launch, launch_required
from .service import job_in_context

bp = Blueprint("jobs", __name__, url_prefix="/trainer/jobs", template_folder="templates")
TRAINERS = {"trainer", "admin"}


@bp.get("/<int:job_id>")
@launch_required(roles=TRAINERS)
def show(job_id: int):
    job = job_in_context(current_launch().context_id, job_id) or abort(404)
    return render_template("jobs/show.html", job=job)


@bp.get("/<int:job_id>.json")
@launch_required(roles=TRAINERS)
def status(job_id: int):
    job = job_in_context(current_launch().context_id, job_id) or abort(404)
    return jsonify(
        status=job.status, done=job.done, total=job.total, percent=job.percent,
        download=url_for("jobs.download", job_id=job.id) if job.status == "done" else None,
    )


@bp.get("/<int:job_id>/download")
@launch_required(roles=TRAINERS)
def download(job_id: int):
    job = job_in_context(current_launch().context_id, job_id) or abort(404)
    if job.status != "done" or job.result is None:
        abort(404)
    response = Response(job.result, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    return response
