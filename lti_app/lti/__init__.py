"""LTI 1.3 protocol glue: the only package that talks to pylti1p3."""

from flask import Blueprint

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")

from . import views  # noqa: E402,F401
