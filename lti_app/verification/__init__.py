from flask import Blueprint

bp = Blueprint("verification", __name__, url_prefix="/verify", template_folder="templates")

from . import upload_views, views  # noqa: E402,F401
