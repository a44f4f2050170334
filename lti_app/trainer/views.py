"""The trainer's pages. Issue 3: the landing page after a launch."""

from flask import render_template

from ..lti.context import launch_required
from . import bp


@bp.get("/")
@launch_required(roles={"trainer", "admin"})
def dashboard():
    return render_template("trainer/dashboard.html")
