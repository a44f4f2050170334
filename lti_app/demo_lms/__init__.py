"""The built-in demo LMS at /dev/: only registered when DEMO_LMS_ENABLED."""

from flask import Blueprint, current_app

bp = Blueprint("demo_lms", __name__, url_prefix="/dev", template_folder="templates")


@bp.record_once
def _configure(state) -> None:
    from .service import configure

    configure(state.app)


@bp.before_request
def _ensure_tables() -> None:
    # Only where the demo runs: production migrations never create its tables.
    from .models import ensure_tables

    ensure_tables(current_app._get_current_object())


from . import api, canvas_views, views  # noqa: E402,F401
