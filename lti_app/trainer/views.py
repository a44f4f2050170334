"""The trainer's pages. Issue 3: the landing page after a launch."""

from flask import redirect, render_template, url_for

from ..learning.content import find_course
from ..learning.links import current_link
from ..lti.context import current_launch, launch_required
from . import bp


@bp.get("/")
@launch_required(roles={"trainer", "admin"})
def dashboard():
    link = current_link(current_launch())
    if link is not None and find_course(link.course_slug) is None:
        return redirect(url_for("learning.bind_link"))
    return render_template("trainer/dashboard.html")
