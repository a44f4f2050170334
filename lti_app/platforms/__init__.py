from flask import Blueprint

# CLI only: `flask platform add|update|list|approve|refuse|remove|add-deployment`.
bp = Blueprint("platforms", __name__, cli_group="platform")

from . import cli  # noqa: E402,F401
