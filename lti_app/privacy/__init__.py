from flask import Blueprint

# CLI only: `flask privacy export|erase|purge-inactive`.
bp = Blueprint("privacy", __name__, cli_group="privacy")

from . import cli  # noqa: E402,F401
