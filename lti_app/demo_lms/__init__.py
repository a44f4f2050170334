"""The built-in demo LMS at /dev/: only registered when DEMO_LMS_ENABLED."""

from flask import Blueprint

bp = Blueprint("demo_lms", __name__, url_prefix="/dev", template_folder="templates")

from . import api, views  # noqa: E402,F401
