"""Values every template may use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from functools import lru_cache

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
    return _locale(FORMAT_LOCALES[language])


@lru_cache(maxsize=None)  # two of them; Locale.parse builds a new one each time
def _locale(name: str) -> Locale:
    return Locale.parse(name)


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


def datetime_writer(format: str = "short") -> Callable[[datetime], str]:
    """format_datetime(value, format) with one of Babel's named formats, for the
    many dates of one page (a trainer's whole list of 1,000 learners): the
    locale, the time zone and the patterns are looked up once, not per date."""
    locale, zone = format_locale(), get_timezone()
    frame = dates.get_datetime_format(format, locale=locale).replace("'", "")
    date_pattern = dates.get_date_format(format, locale=locale)
    time_pattern = dates.get_time_format(format, locale=locale)

    def write(value: datetime) -> str:
        # As Babel's format_datetime: naive means UTC; then the user's zone.
        local = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(zone)
        if hasattr(zone, "normalize"):  # pytz
            local = zone.normalize(local)
        return (frame
                .replace("{0}", time_pattern.apply(local.timetz(), locale, reference_date=local.date()))
                .replace("{1}", date_pattern.apply(local.date(), locale)))

    return write


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
            "datetime_writer": datetime_writer,
            "current_locale": lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
        }
