"""The dashboard's module cells, each kind rendered once per worker.

The whole list of 1,000 learners has 12,000 cells but only a few hundred kinds
(a state and a best score, in a language); rendering every cell in Jinja was
about half of that page's time.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, render_template
from markupsafe import Markup

from ..page_cache import page_language, remember
from .table import ModuleCell

_MAX_KINDS = 2048  # 4 states x 0-100 % x 2 languages is under 900
_kinds: dict[tuple, str] = {}


def module_cells(cells: Iterable[ModuleCell]) -> Markup:
    """A row's module cells (trainer/_module_cell.html), as one string."""
    lang = page_language()
    reload = current_app.jinja_env.auto_reload  # debug: template edits show at once
    parts = []
    for cell in cells:
        key = (lang, cell.state, cell.best_percent)
        html = None if reload else _kinds.get(key)
        if html is None:
            html = render_template("trainer/_module_cell.html", cell=cell)
            remember(_kinds, _MAX_KINDS, key, html)
        parts.append(html)
    return Markup("".join(parts))
