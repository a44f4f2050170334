"""Values every template may use."""

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from course_content.markdown import render_markdown

from .lti.context import current_launch_or_none


def role_label(role: str) -> str:
    return {"learner": _("learner"), "trainer": _("trainer"), "admin": _("administrator")}.get(
        role, role
    )


def init_templating(app: Flask) -> None:
    @app.template_filter("markdown")
    def _markdown(text: str) -> Markup:
        # render_markdown sanitises (nh3): raw HTML and scripts are stripped.
        return Markup(render_markdown(text or ""))

    @app.context_processor
    def _globals():
        return {
            "launch": current_launch_or_none(),
            "role_label": role_label,
            "format_date": format_date,
            "format_datetime": format_datetime,
            "current_locale": lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
        }
