from flask import Blueprint

from ..lti.launch_flow import LEARNER_LANDING

bp = Blueprint("learning", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
from .landing import landing_target  # noqa: E402


@bp.record_once
def _land_launches_here(state) -> None:
    state.app.extensions[LEARNER_LANDING] = landing_target
