from flask import Blueprint

bp = Blueprint("verification", __name__, url_prefix="/verify", template_folder="templates")

from . import views  # noqa: E402,F401
