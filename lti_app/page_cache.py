"""Parts of a page that are the same for every learner, rendered once.

The tool's links carry the launch's token (ltik). A cached part is rendered
with a fixed slot in its place, and each request puts its own token there: a
part never holds, and never shows, another learner's launch. The content and
the translations do not change while the process runs; with template
auto-reload on (debug) nothing is cached, so edits show at once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from contextlib import contextmanager

from flask import current_app, g, has_request_context, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape

_MAX_PARTS = 512  # parts x languages x variants, with room for new content versions
_MAX_ANSWER_PARTS = 4096  # questions x languages x the answers learners give
# URL-safe (url_for leaves it as it is) and HTML-safe; never in course text.
LTIK_SLOT = "LTIK-SLOT-4c0f9e"
_parts: dict[tuple, str] = {}
_answer_parts: dict[tuple, str] = {}
_lock = threading.Lock()


def page_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def cached_part(template: str, key: tuple, **context) -> Markup:
    """`template` rendered once per `key` and language, with this request's ltik
    in its links. `key` names everything the part depends on besides both."""
    return _cached(_parts, _MAX_PARTS, template, key, context)


def cached_answer_part(template: str, key: tuple, **context) -> Markup:
    """As cached_part, for a part that shows an answer (a question's feedback):
    kept apart, so that a class's many different answers never push the
    module parts out."""
    return _cached(_answer_parts, _MAX_ANSWER_PARTS, template, key, context)


def _cached(store: dict, limit: int, template: str, key: tuple, context: dict) -> Markup:
    lang = page_language()
    ltik = g.get("ltik")
    if current_app.jinja_env.auto_reload or not ltik:
        return Markup(render_template(template, lang=lang, **context))
    full_key = (template, lang, *key)
    part = store.get(full_key)
    if part is None:
        with _ltik_slot(ltik):
            part = render_template(template, lang=lang, **context)
        remember(store, limit, full_key, part)
    return Markup(part.replace(LTIK_SLOT, ltik))


@contextmanager
def _ltik_slot(ltik: str | None):
    """url_for's url_defaults hook writes the slot instead of this request's ltik."""
    g.ltik = LTIK_SLOT if ltik else ltik
    try:
        yield
    finally:
        g.ltik = ltik


def remember(cache: dict, limit: int, key: tuple, value: str) -> None:
    """Keep `value` in a worker's bounded cache (emptied when full), thread-safely."""
    with _lock:
        if len(cache) >= limit:
            cache.clear()
        cache[key] = value


_MAX_URLS = 4096  # endpoints x values (module slugs, attempt ids, ...)
_urls: dict[tuple, str] = {}


def cached_url_for(endpoint: str, **values) -> str:
    """Flask's `url_for` for templates, each link built once per worker.

    Building a URL through Werkzeug's map cost more than a page's Markdown once
    that was cached; a page has 10 to 25 links. Built with the ltik slot and
    given this request's ltik, like the cached parts. Anything unusual (a
    relative endpoint, `_external` and the other options, an explicit ltik)
    goes to `url_for` itself.
    """
    if (endpoint.startswith(".") or not has_request_context()
            or any(name.startswith("_") or name == "ltik" for name in values)):
        return url_for(endpoint, **values)
    ltik = g.get("ltik")
    key = (endpoint, request.script_root, bool(ltik), *sorted(values.items()))
    try:
        url = _urls.get(key)
    except TypeError:  # a list of values: not a key
        return url_for(endpoint, **values)
    if url is None:
        with _ltik_slot(ltik):
            url = url_for(endpoint, **values)
        remember(_urls, _MAX_URLS, key, url)
    return url.replace(LTIK_SLOT, ltik) if ltik else url


# Where a cached part holds one learner's own value (a badge, a CSRF token).
_SLOT = re.compile(r"<!--slot:([a-z]+):([\w.-]*)-->")


def slot(kind: str, key: str = "") -> Markup:
    """A cached part's template marks a learner's own value with this."""
    return Markup(f"<!--slot:{kind}:{key}-->")


def fill_slots(part: str, fill: Callable[[str, str], object]) -> Markup:
    """`part` with each slot replaced by `fill(kind, key)`, escaped unless Markup."""
    return Markup(_SLOT.sub(lambda match: str(escape(fill(*match.groups()))), part))


def clear() -> None:
    """Forget every cached part and URL (tests; a worker never needs to)."""
    with _lock:
        _parts.clear()
        _answer_parts.clear()
        _urls.clear()
