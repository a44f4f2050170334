"""Values every template may use."""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale, dates
from flask import Flask, request
from flask_babel import get_locale, get_timezone, to_user_timezone
from flask_babel import gettext as _
from markupsafe import Markup

from course_content.markdown import render_markdown

from .lti.context import LaunchContext, current_launch_or_none
from .page_cache import cached_part, cached_url_for

# The pages' language is nl or en; dates follow the Dutch programme's conventions:
# Dutch for nl, British English (31 Dec 2026, 31/12/2026, 24-hour clock) for en.
FORMAT_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def format_locale() -> Locale:
    """The locale dates and times are written in: nl_NL or en_GB (never en_US)."""
    language = "en" if str(get_locale() or "").lower().startswith("en") else "nl"
    return Locale.parse(FORMAT_LOCALES[language])


def format_date(value: date | datetime | None = None, format: str | None = None,
                rebase: bool = True) -> str:
    """flask_babel.format_date, in nl_NL or en_GB (a datetime in the user's time zone)."""
    if rebase and isinstance(value, datetime):
        value = to_user_timezone(value)
    return dates.format_date(value, format or "medium", locale=format_locale())


def format_datetime(value: datetime | None = None, format: str | None = None,
                    rebase: bool = True) -> str:
    """flask_babel.format_datetime, in nl_NL or en_GB."""
    extra = {"tzinfo": get_timezone()} if rebase else {}
    return dates.format_datetime(value, format or "medium", locale=format_locale(), **extra)


def role_label(role: str) -> str:
    return {"learner": _("learner"), "trainer": _("trainer"), "admin": _("administrator")}.get(
        role, role
    )


# The menu item a page belongs to, by blueprint (one endpoint has its own).
_SECTIONS = {"learning": "course", "shadowing": "shadowing", "trainer": "dashboard",
             "jobs": "dashboard", "issuing": "certificate"}


def main_nav(launch: LaunchContext) -> Markup:
    """The menu of a launch's pages: one per role and section, rendered once."""
    section = ("insights" if request.endpoint == "trainer.insights_page"
               else _SECTIONS.get(request.blueprint or ""))
    return cached_part("_main_nav.html", ("main-nav", launch.is_trainer, section),
                       is_trainer=launch.is_trainer, section=section)


def init_templating(app: Flask) -> None:
    app.jinja_env.globals["url_for"] = cached_url_for
    @app.template_filter("markdown")
    def _markdown(text: str) -> Markup:
        # render_markdown sanitises (nh3): raw HTML and scripts are stripped.
        return Markup(render_markdown(text or ""))

    @app.context_processor
    def _globals():
        return {
            "launch": current_launch_or_none(),
            "role_label": role_label,
            "main_nav": main_nav,
            "format_date": format_date,
            "format_datetime": format_datetime,
            "current_locale": lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
        }
