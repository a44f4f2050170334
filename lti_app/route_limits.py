"""Flask-Limiter checks a limit where a route has one, not before every request.

Every limit of the tool is a decorator on its route (`limiter.limit`,
`limiter.shared_limit`): the login, the registration, the host library's
pages, the verification page. A decorated view checks its own limits when it
is called. Flask-Limiter also runs a check before every request (its
`before_request` hook), for limits that apply to every route (default,
application and meta limits, limits on a whole blueprint). The tool has none,
so on every other request that check finds nothing to count, at a cost of
about half a million instructions: some 5 % of a learner's login, launch,
module page, quiz and result. So the hook goes, but only while no such limit
is configured: a deployment that sets RATELIMIT_DEFAULT, RATELIMIT_APPLICATION
or RATELIMIT_META, or a blueprint given a limit, keeps it.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter

APP_WIDE_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def check_only_decorated_routes(app: Flask, limiter: Limiter) -> None:
    """Drop the limiter's before-request check if no limit needs it. Call after
    every blueprint is registered."""
    if not needs_check_before_every_request(app, limiter):
        app.before_request_funcs[None] = [
            hook for hook in app.before_request_funcs.get(None, [])
            if getattr(hook, "__self__", None) is not limiter]


def needs_check_before_every_request(app: Flask, limiter: Limiter) -> bool:
    if any(app.config.get(name) for name in APP_WIDE_SETTINGS):
        return True
    manager = limiter.limit_manager
    with app.app_context():
        return bool(manager.default_limits or manager.application_limits or any(
            manager.blueprint_limits(app, name) for name in app.blueprints))
