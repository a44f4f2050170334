"""No bearer token in the request log of the development server (`make run`).

Werkzeug logs every request line, query string included: the tool's links
carry the launch token (`ltik`) there, and old host links carried their token
in the path. This filter on the `werkzeug` logger strips query strings and
masks host-link tokens before a record is written. (Production: the README's
gunicorn access-log format logs the path without its query.)
"""

from __future__ import annotations

import logging
import re

# A path followed by its query: keep the path, drop "?..." up to a space or quote.
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")
# The token of a host link in the old form /host/confirm/<token>.
_HOST_TOKEN = re.compile(r"(/host/confirm/)[^\s?\"'/]+")


def scrub(text: str) -> str:
    return _HOST_TOKEN.sub(r"\1[token]", _QUERY.sub(r"\1", text))


class StripQueryStrings(logging.Filter):
    """Rewrites the record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: scrub(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        return True


def install_request_log_filter(logger_name: str = "werkzeug") -> StripQueryStrings:
    """Add the filter once (create_app may run many times in one process)."""
    logger = logging.getLogger(logger_name)
    for existing in logger.filters:
        if isinstance(existing, StripQueryStrings):
            return existing
    installed = StripQueryStrings()
    logger.addFilter(installed)
    return installed
