"""Row factories' shared switch: flush after every row, or once in bulk.

Call inside an app context; the caller commits. Used by the tests, the
benchmarks and nothing in production.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator

from ..extensions import db

ids = itertools.count(1)
_bulk = False


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Flush once at the end instead of after every row (thousands of learners)."""
    global _bulk
    _bulk = True
    try:
        yield
    finally:
        _bulk = False
    db.session.flush()


def flush_row() -> None:
    if not _bulk:
        db.session.flush()
