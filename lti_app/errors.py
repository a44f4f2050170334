"""Every error becomes a page in the user's language (or JSON when asked)."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .domain import DomainError
from .extensions import db

log = logging.getLogger(__name__)

TITLES = {
    400: lambda: _("The request could not be understood"),
    401: lambda: _("Please open the tool from your course"),
    403: lambda: _("You have no access to this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("This action is not allowed here"),
    409: lambda: _("This conflicts with what is already saved"),
    410: lambda: _("This link has expired or has been used"),
    413: lambda: _("What you sent is too large"),
    422: lambda: _("Please check what you entered"),
    429: lambda: _("Too many requests; please wait a moment"),
    500: lambda: _("Something went wrong on our side"),
    502: lambda: _("The LMS did not answer as expected"),
    503: lambda: _("The service is temporarily unavailable"),
}
MESSAGES = {
    401: lambda: _(
        "Your session has ended or this page was opened outside the LMS. Go back to "
        "your course in Moodle or Canvas and open the tool again."
    ),
    403: lambda: _("This page is for another role or another course."),
    404: lambda: _("The page or item you asked for does not exist (any more)."),
    413: lambda: _("The tool does not accept this much data in one request."),
    500: lambda: _("The error has been logged. Please try again in a moment."),
    503: lambda: _("Please try again in a minute; nothing you saved is lost."),
}


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(status: int, message: str | None = None, template: str | None = None,
                 title: str | None = None, **extra):
    title = title or TITLES.get(status, TITLES[500])()
    message = message or MESSAGES.get(status, lambda: "")()
    if wants_json():
        return jsonify(error=title, message=message, status=status), status
    try:
        return render_template(
            template or "errors/error.html", status=status, title=title, message=message, **extra
        ), status
    except Exception:  # the error page itself failed: plain text, never a trace
        log.exception("error page failed to render")
        return f"{status} {title}\n{message}", status, {"Content-Type": "text/plain; charset=utf-8"}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        """Every refusal of a rule, whatever feature raised it: its status, its
        message, and its own page when it names one."""
        db.session.rollback()
        log.info("refused: %s (%s)", type(exc).__name__, exc.reason)
        return render_error(
            exc.status, exc.user_message(), exc.template, exc.title(), **exc.page_context()
        )

    @app.errorhandler(LtiException)
    @app.errorhandler(OIDCException)
    def lti_error(exc):
        db.session.rollback()
        log.info("lti error: %s", type(exc).__name__)
        return render_error(400, _("The launch from your LMS could not be completed."),
                            "errors/lti_launch_failed.html")

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        db.session.rollback()
        if g.get("session_store_down"):  # the token could not be read: an outage
            return render_error(503)
        return render_error(400, _("This form has expired. Reload the page and try again; "
                                   "what you typed is shown again where possible."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        return render_error(exc.code or 500)

    @app.errorhandler(OperationalError)
    def database_down(exc):
        db.session.rollback()
        log.warning("database unavailable: %s", exc.orig if exc.orig is not None else type(exc).__name__)
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        if app.testing and not app.config.get("SHOW_ERROR_PAGES_IN_TESTS"):
            raise exc
        log.exception("unexpected error")
        return render_error(500)
