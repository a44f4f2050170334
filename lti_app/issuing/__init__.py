from flask import Blueprint

bp = Blueprint("issuing", __name__, template_folder="templates")

from . import sharing_views, trainer_views, views, zip_export  # noqa: E402,F401
