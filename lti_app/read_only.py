"""Page views that only read run their statements without a transaction.

A module page made seven round trips to PostgreSQL: four statements plus the
pool's ping, BEGIN and ROLLBACK. A view that writes nothing needs neither
BEGIN nor ROLLBACK: each statement still reads committed rows. The one write
such a request may make, the launch session once a flashed message is shown,
is a single statement and commits on its own.
"""

from __future__ import annotations

from flask import Request, current_app
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from .extensions import db

_MARK = "reads_only"


def reads_only(view):
    """Mark a view that writes nothing (its GET)."""
    setattr(view, _MARK, True)
    return view


def read_without_transaction(request: Request) -> None:
    """For a GET of a view marked `reads_only`: check the connection out now,
    in autocommit; SQLAlchemy restores the isolation level when it returns.

    Called when the session opens, which Flask does before it matches the URL:
    the view is looked up here (Flask's own match follows, unchanged)."""
    if request.method not in ("GET", "HEAD"):
        return
    try:
        rule, _args = request_ctx.url_adapter.match(return_rule=True)
    except HTTPException:  # 404, 405, a redirect: Flask answers it
        return
    if getattr(current_app.view_functions.get(rule.endpoint), _MARK, False):
        statements_commit_alone()


def statements_commit_alone() -> None:
    """For a view whose every write is one statement that may stand alone (the
    OIDC login saves its state): each statement commits by itself, with no
    BEGIN and COMMIT around them. Call before the view's first statement."""
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
