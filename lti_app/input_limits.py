"""Limits on what a request may carry, so odd input gets a clear 4xx, never a 500.

- URL ids: `<int:...>` accepts 1..2**31-1 only (PostgreSQL's INTEGER); a larger
  id is a 404, not an "integer out of range" from the database.
- Body size: MAX_CONTENT_LENGTH (config) makes Flask answer 413.
- NUL characters: PostgreSQL cannot store them in text, SQLite would keep
  them silently. Every statement's text parameters are checked before they
  reach the database; one with a NUL refuses the request (400), on both
  backends alike. Claims and forms check earlier, with their own messages;
  this is the net under them.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import IntegerConverter

from .domain import DomainError
from .extensions import db

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` with a maximum (and a minimum of 0): ids past INTEGER are 404."""

    def __init__(self, map, fixed_digits=0, min=0, max=INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class NulCharacter(DomainError, SQLAlchemyError):
    """A NUL character (\\0) in something that would be stored or looked up.

    Also an SQLAlchemyError: code that copes with a failing query (as it would
    with PostgreSQL's own refusal) copes with this one the same way.
    """

    status = 400
    reason = "nul_character"

    def user_message(self) -> str:
        return _("What you sent contains a NUL character (\\0), which the tool does not "
                 "accept. Remove it and try again.")


def has_nul(value: object) -> bool:
    return isinstance(value, str) and "\x00" in value


def _parameters_have_nul(parameters) -> bool:
    if isinstance(parameters, Mapping):
        values = parameters.values()
    elif isinstance(parameters, (list, tuple)):
        values = parameters
    else:
        return has_nul(parameters)
    for value in values:
        if isinstance(value, (Mapping, list, tuple)):
            if _parameters_have_nul(value):
                return True
        elif has_nul(value):
            return True
    return False


def refuse_nul_parameters(_conn, _cursor, statement, parameters, _context, _executemany):
    if parameters and _parameters_have_nul(parameters):
        raise NulCharacter()
    return statement, parameters


def init_input_limits(app: Flask) -> None:
    """The URL converter (call before routes are added); the NUL net on the engine."""
    app.url_map.converters["int"] = BoundedIntConverter


def guard_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if not event.contains(engine, "before_cursor_execute", refuse_nul_parameters):
        event.listen(engine, "before_cursor_execute", refuse_nul_parameters, retval=True)
