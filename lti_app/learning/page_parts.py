"""Parts of a module page that are the same for every learner, rendered once.

A module's text, its quiz questions (before any answer is given), its sources
and the links around it depend only on the module's content version and the
page's language: rendering them on every page view was most of the module
page's template time. How parts are cached: `lti_app/page_cache.py`.
"""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from course_content.models import CourseModule

from ..page_cache import cached_part, page_language


def module_part(template: str, module: CourseModule, *, cacheable: bool = True,
                variant: str = "", **context) -> Markup:
    """`template` rendered for `module` in this request's language (`lang`)."""
    if not cacheable:
        return Markup(render_template(template, module=module, lang=page_language(),
                                      **context))
    return cached_part(template, (module.course_slug, module.slug, module.version, variant),
                       module=module, **context)
