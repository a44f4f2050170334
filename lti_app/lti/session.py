"""Flask's session, kept server-side per launch when the request carries an ltik.

Inside an LMS iframe the browser may drop every cookie, so flashed messages and
the CSRF token live with the launch in the shared store; requests without an
ltik (the demo LMS, a host's confirmation page) use the normal cookie session.
"""

from __future__ import annotations

from flask import current_app, g
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..read_only import read_without_transaction
from .context import (
    context_key, launch_id_from_ltik, ltik_from_request, remember_launch, session_key,
)
from .store import get_store


class LaunchSession(SecureCookieSession):
    launch_id: str = ""


class LaunchSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        token = ltik_from_request()
        launch_id = launch_id_from_ltik(token)
        if launch_id is None:
            return super().open_session(app, request)
        try:
            read_without_transaction(request)
            # The launch's context comes in the same read: every page needs it.
            data, context = get_store().get_many(session_key(launch_id), context_key(launch_id))
        except (SQLAlchemyError, RedisError):
            # The store is down: an empty, unsaved session lets the request go
            # on to the view, whose database access then gets the clear 503 page.
            db.session.rollback()
            g.session_store_down = True  # errors.py answers 503, not a CSRF error
            return self.null_session_class()
        remember_launch(token, context)
        session = LaunchSession(data or {})
        session.launch_id = launch_id
        return session

    def save_session(self, app, session, response):
        if not isinstance(session, LaunchSession):
            return super().save_session(app, session, response)
        if session.modified:
            try:
                get_store().put(session_key(session.launch_id), dict(session),
                                current_app.config["LTI_LAUNCH_LIFETIME"])
                db.session.commit()
            except (SQLAlchemyError, RedisError):
                db.session.rollback()  # a flash message lost; the response still goes

