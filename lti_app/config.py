"""Defaults for every setting; each is overridden by a ``FLASK_<NAME>`` variable."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    # Filled in by ``apply_local_defaults`` when the environment does not say.
    "SQLALCHEMY_DATABASE_URI": None,
    "SECRET_KEY": None,
    # hide_parameters: SQL errors in logs never carry names or emails. No
    # pool_pre_ping: db_ping.py pings only connections that sat idle, which is
    # how a restarted database is noticed without a round trip per request.
    "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
    # Erase people inactive this many days (`flask privacy purge-inactive`); None: off.
    "PRIVACY_RETENTION_DAYS": None,
    # The tool lives in an LMS iframe on another site: only SameSite=None cookies
    # reach it, browsers demand Secure with that, and Partitioned (CHIPS) keeps
    # the cookie alive where third-party cookies are blocked.
    "SESSION_COOKIE_NAME": "kd_session",
    "SESSION_COOKIE_SAMESITE": "None",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_PARTITIONED": True,
    "SESSION_COOKIE_HTTPONLY": True,
    # The CSRF token lives in the launch's server-side session, which expires
    # with the launch; a second clock on the token would only add failures.
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_SSL_STRICT": False,  # the Referer is the LMS, never our origin
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "LANGUAGES": ["nl", "en"],
    # LTI timings (seconds).
    "LTI_LAUNCH_LIFETIME": 4 * 3600,  # how long a launch session (ltik) is valid
    "LTI_STATE_LIFETIME": 600,  # login -> launch must happen within this
    "LTI_CLOCK_LEEWAY": 60,  # clock skew allowed on exp/iat (pylti1.3#146)
    "LTI_MAX_TOKEN_AGE": 600,  # an id_token with an older iat is refused
    "LTI_JWKS_TIMEOUT": 5,  # a key set's whole fetch (connect and every byte)
    # Other launches wait this long for a key set one request is fetching.
    "LTI_JWKS_IN_FLIGHT_WAIT": 1.0,
    # Any other call to a platform (token, scores, a roster page, registration):
    # the whole call, connect and every byte (lti/http.py).
    "OUTBOUND_TIMEOUT": 10,
    # A platform URL that timed out or sent too much is not called again for
    # this long (every worker sees it: the shared store); 0: off.
    "OUTBOUND_FAILURE_MEMORY": 30,
    "LTI_JWKS_MAX_AGE": 3600,  # when the platform sends no Cache-Control
    "LTI_JWKS_MIN_REFETCH": 30,  # unknown kid: refetch at most this often
    # None: on when Flask runs in debug mode (the README's first command).
    "DEMO_LMS_ENABLED": None,
    # The demo LMS's issuer; all its URLs are built on it, never on the request's
    # Host. None: from SERVER_NAME, else http://127.0.0.1:5000/dev (`make run`).
    "DEMO_LMS_ISSUER": None,
    # Test switch for an http-only test LMS (e.g. an on-premises Moodle at
    # http://...): dynamic registration accepts its http:// URLs, and http://
    # pages may frame the login step. Off by default; debug mode allows http
    # to localhost only. Never in production.
    "LTI_ALLOW_HTTP_PLATFORMS": False,
    # LMS host names (comma-separated) whose dynamic registrations are approved
    # at once; others wait for `flask platform approve`. Never list a shared
    # host such as canvas.instructure.com (every Canvas customer registers there).
    "LTI_AUTO_APPROVE_HOSTS": "",
    "TOOL_TITLE": "Kennisdeling",
    # Look at the content files again on every page (edit a module, reload the
    # page): None follows debug. Off, the catalog is read once per process.
    "CONTENT_RELOAD": None,
    # Where the tool is reached (e.g. https://tool.example.org): certificates
    # made outside a request (CLI, jobs) print their verification URL under it.
    "TOOL_BASE_URL": None,
    # Certificate PDFs are signed (PAdES). With an institution's certificate:
    # a .p12/.pfx file (key, certificate, chain) and its passphrase, loaded at
    # start. None: the tool's own self-signed certificate (kept in the database),
    # its O the ORGANISATION below, else TOOL_TITLE. TSA_URL: an RFC 3161
    # timestamp authority for PAdES B-T; None: B-B, no call out.
    "CERTIFICATE_SIGNING_PKCS12": None,
    "CERTIFICATE_SIGNING_PASSPHRASE": None,
    "CERTIFICATE_SIGNING_ORGANISATION": None,
    "CERTIFICATE_SIGNING_TSA_URL": None,
    # Optional Redis for the one-time values and launch sessions (else the database).
    "REDIS_URL": None,
    "REDIS_KEY_PREFIX": "kd:",
    # Long work (ZIP of certificates): an RQ queue on Redis when set, else a thread.
    "JOBS_REDIS_URL": None,
    "JOBS_QUEUE": "kennisdeling",
    # The RQ worker lowers its own CPU priority (nice) by this much when it
    # starts: on a host it shares with the web workers, a class's pages come
    # before its scores and ZIPs. 0 leaves it as started.
    "JOBS_WORKER_NICENESS": 10,
    # A score run waits this long before it reads what is due, so the scores of
    # a class submitting at once go out in a few runs (grade_delivery._gather).
    "GRADES_GATHER_SECONDS": 0.25,
    # Rate limits (Flask-Limiter) on the public, unauthenticated endpoints.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_LOGIN": "60 per minute",
    "RATELIMIT_VERIFY": "30 per minute",
    "RATELIMIT_HOST": "20 per minute",
    # Each registration page makes the tool fetch the URL it is given: an admin
    # registers once, nobody needs this often.
    "RATELIMIT_REGISTER": "20 per minute",
    # The largest file a verifier may upload to POST /verify (a certificate PDF or a
    # baked badge is far smaller); a larger one is refused with a message (413).
    "VERIFY_UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
    # The issuing organisation's LinkedIn id for "Add to LinkedIn profile" (its
    # logo and page on the learner's profile); unset: its name is sent instead.
    "LINKEDIN_ORGANIZATION_ID": None,
    # Request bodies larger than this are refused with 413 before they are parsed
    # (the tool's largest honest POST, a launch, is a few KB).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # A launch's id_token longer than this is refused before it is decoded.
    "LTI_MAX_ID_TOKEN_LENGTH": 64 * 1024,
    # Count of reverse proxies in front of the app (ProxyFix); 0 = none.
    "PROXY_FIX_X_FOR": 0,
    "PROXY_FIX_X_PROTO": 0,
    "PROXY_FIX_X_HOST": 0,
}


def apply_local_defaults(config: dict, instance_path: Path) -> None:
    """SQLite and a generated secret in the instance folder, for local use."""
    instance_path.mkdir(parents=True, exist_ok=True)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        db_file = instance_path / "kennisdeling.sqlite3"
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    create_private_sqlite_file(config["SQLALCHEMY_DATABASE_URI"])
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _read_or_create_secret(instance_path / "secret_key")
    if not config.get("TOOL_KEY_PASSPHRASE"):
        # Encrypts the tool's private signing keys at rest.
        config["TOOL_KEY_PASSPHRASE"] = config["SECRET_KEY"]


def create_private_sqlite_file(uri: str) -> None:
    """A SQLite database file that does not exist yet is created 0600 (owner only):
    it holds names, emails and the tool's encrypted keys. SQLite gives its -wal
    and -shm files the same mode."""
    from sqlalchemy.engine import make_url

    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    if url.database.startswith("file:") or url.query.get("mode") == "memory":
        return
    path = Path(url.database)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:  # another worker made it a moment ago
        pass


def _read_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_hex(32)
    # Created 0600 at once: never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secret)
    return secret
