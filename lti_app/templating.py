"""Values every template may use."""

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _


def role_label(role: str) -> str:
    return {"learner": _("learner"), "trainer": _("trainer"), "admin": _("administrator")}.get(
        role, role
    )


def init_templating(app: Flask) -> None:
    from .lti.context import current_launch

    @app.context_processor
    def _globals():
        return {
            "launch": current_launch(),
            "role_label": role_label,
            "current_locale": lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
        }
