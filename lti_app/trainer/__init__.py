from flask import Blueprint

bp = Blueprint("trainer", __name__, url_prefix="/trainer", template_folder="templates")

from . import models, views  # noqa: E402,F401
