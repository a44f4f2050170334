"""Parts of a module page that are the same for every learner, rendered once.

A module's quiz questions (before any answer is given) and its sources depend
only on the module's content version and the page's language: rendering their
loops on every page view was most of the module page's template time. The
content and the translations do not change while the process runs; with
template auto-reload on (debug) nothing is cached, so edits show at once.
"""

from __future__ import annotations

import threading

from flask import current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup

from course_content.models import CourseModule

_MAX_PARTS = 512  # modules x languages x parts, with room for new content versions
_parts: dict[tuple, Markup] = {}
_lock = threading.Lock()


def module_part(template: str, module: CourseModule, *, cacheable: bool = True,
                **context) -> Markup:
    """`template` rendered for `module` in this request's language (`lang`)."""
    lang = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    if not cacheable or current_app.jinja_env.auto_reload:
        return Markup(render_template(template, module=module, lang=lang, **context))
    key = (template, module.course_slug, module.slug, module.version, lang)
    part = _parts.get(key)
    if part is None:
        part = Markup(render_template(template, module=module, lang=lang, **context))
        with _lock:
            if len(_parts) >= _MAX_PARTS:
                _parts.clear()
            _parts[key] = part
    return part
