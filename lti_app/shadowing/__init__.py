from flask import Blueprint

bp = Blueprint("shadowing", __name__, template_folder="templates")

from . import host_views, views  # noqa: E402,F401
