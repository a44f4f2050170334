"""The learner's pages. Issue 3: the landing page after a launch."""

from flask import render_template

from ..lti.context import launch_required
from . import bp


@bp.get("/")
@launch_required()
def home():
    return render_template("learning/home.html")


@bp.get("/content/choose")
@launch_required(roles={"trainer", "admin"})
def choose_content():
    return render_template("learning/choose_content.html")
