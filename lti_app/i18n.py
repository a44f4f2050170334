"""The user's language: launch locale, then an explicit choice, then the browser."""

from __future__ import annotations

from flask import (
    Blueprint, Flask, abort, current_app, flash, has_request_context, redirect, request,
    session, url_for,
)
from flask_babel import _get_current_context, get_locale, get_translations
from flask_babel import gettext as _

from .extensions import babel
from .lti.context import current_launch, current_launch_or_none

bp = Blueprint("i18n", __name__)
LANGUAGES = ("nl", "en")  # of the pages, the content and the certificates


def language_of(locale: str | None) -> str:
    """nl or en for any locale string ("en_GB", "nl-NL", "EN"); nl otherwise."""
    return "en" if (locale or "").strip().lower().startswith("en") else "nl"


def current_language() -> str:
    """The language this request's pages are shown in: nl or en."""
    return language_of(str(get_locale() or ""))


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    try:
        chosen = session.get("lang") if session else None
    except AssertionError:  # the session never opened (e.g. its store is down)
        chosen = None
    if chosen in languages:
        return chosen
    launch = current_launch_or_none() if has_request_context() else None
    if launch and launch.locale:
        # LMS locales look like "nl", "nl_NL", "en-GB", "en_us".
        language = launch.locale.replace("-", "_").split("_")[0].lower()
        if language in languages:
            return language
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def request_translations():
    """This request's translations, looked up once per request, not per string.

    Kept in Flask-Babel's own per-request slot (`babel_translations`), which
    its refresh() and force_locale() clear: a language switched mid-request
    (a certificate in the learner's language) is still honoured.
    """
    ctx = _get_current_context()
    if ctx is None:  # outside a request or app context
        return get_translations()
    translations = getattr(ctx, "babel_translations", None)
    if translations is None:
        translations = ctx.babel_translations = get_translations()
    return translations


def init_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    # The templates' _() and ngettext: Flask-Babel's look up the domain, the
    # locale and the catalogue again for every string (30-50 on a page).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )


@bp.post("/language")
def set_language():
    """Switch nl/en for this launch; the LMS locale is only the default."""
    launch = current_launch()
    if launch is None:
        abort(401)
    language = request.form.get("lang")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        flash(_("Language changed."))
    return redirect(url_for("trainer.dashboard" if launch.is_trainer else "learning.home"))
