"""Kennisdeling: an LTI 1.3 tool for the training of Dutch library staff."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config
from .extensions import csrf, db, limiter, migrate


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    config.apply_local_defaults(app.config, Path(app.instance_path))
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        # With Redis at hand, count rate limits there: shared by all workers.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        # The same in-memory counters without a timer thread started per request.
        from .rate_limit_storage import SCHEME

        app.config["RATELIMIT_STORAGE_URI"] = f"{SCHEME}://"
    if app.config["DEMO_LMS_ENABLED"] is None:
        app.config["DEMO_LMS_ENABLED"] = app.debug
    _configure_proxy(app)
    logging.basicConfig(level=logging.INFO)
    # WeasyPrint narrates every render at INFO; keep its warnings only.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from .request_log import install_request_log_filter

    install_request_log_filter()  # the dev server's request log: no ltik, no host token

    db.init_app(app)
    from . import models  # noqa: F401  (every table, for Alembic)

    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    from .i18n import init_i18n

    init_i18n(app)
    from .templating import init_templating

    init_templating(app)

    from .lti.session import LaunchSessionInterface

    app.session_interface = LaunchSessionInterface()
    from .input_limits import guard_engine, init_input_limits

    init_input_limits(app)  # the bounded <int:> converter, before any route
    _register_blueprints(app)
    from .route_limits import check_only_decorated_routes

    check_only_decorated_routes(app, limiter)  # every limit is on its route
    from .issuing.signer_cli import init_signing_cli

    init_signing_cli(app)  # the configured PDF signer, loaded now; `flask certificates`

    from .errors import register_error_handlers
    from .security_headers import init_security_headers

    register_error_handlers(app)
    from .learning import grade_delivery

    grade_delivery.init_app(app)
    init_security_headers(app)
    _register_sqlite_pragmas(app)
    from .db_ping import init_idle_ping

    init_idle_ping(app)  # a restarted database noticed, no round trip per request
    guard_engine(app)  # no NUL character reaches the database
    return app


def _register_blueprints(app: Flask) -> None:
    from . import health, i18n
    from .learning import bp as learning_bp
    from .learning.cli import content_bp, grades_bp
    from .lti import bp as lti_bp
    from .lti.cli import keys_bp
    from .lti.context import add_ltik_to_urls
    from .issuing import bp as issuing_bp
    from .credentials import cli as _credentials_cli  # noqa: F401 - `flask credentials`
    from .credentials.views import bp as credentials_bp
    from .jobs.views import bp as jobs_bp
    from .platforms import bp as platforms_bp
    from .privacy import bp as privacy_bp
    from .shadowing import bp as shadowing_bp
    from .trainer import bp as trainer_bp
    from .verification import bp as verification_bp

    blueprints = [health.bp, i18n.bp, lti_bp, keys_bp, platforms_bp, learning_bp, content_bp, grades_bp,
                  shadowing_bp, trainer_bp, issuing_bp, jobs_bp, verification_bp,
                  privacy_bp, credentials_bp]
    if app.config["DEMO_LMS_ENABLED"]:
        # The one place product code reaches the demo LMS, and only when it is on.
        from .demo_lms import bp as demo_lms_bp
        from .demo_lms import cli as _demo_cli  # noqa: F401 - `flask trainer seed-demo`

        blueprints.append(demo_lms_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.url_defaults(add_ltik_to_urls)


def _configure_proxy(app: Flask) -> None:
    """Behind a TLS proxy, trust its X-Forwarded-* so URLs and cookies say https."""
    counts = {k: int(app.config[f"PROXY_FIX_X_{k.upper()}"]) for k in ("for", "proto", "host")}
    if any(counts.values()):
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=counts["for"], x_proto=counts["proto"], x_host=counts["host"]
        )


def _register_sqlite_pragmas(app: Flask) -> None:
    """WAL lets readers and one writer work at once; the timeout waits for locks."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL never corrupts the file; a power cut may lose the
        # last commits only. It saves an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
