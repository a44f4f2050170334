"""In-memory rate-limit counters that expire without a thread per request.

The `memory://` storage of `limits` starts a new timer thread on every hit
that comes more than 10 ms after the last one, i.e. on nearly every
/lti/login: on a busy 2-CPU machine, waiting for that thread to be scheduled
was the largest single cost of a login. Counting is unchanged (a fixed window
drops its expired counter when read, a moving window compares timestamps);
only the clean-up of expired keys, which bounds the memory, now runs inline,
at most once per SWEEP_INTERVAL seconds. `create_app` uses it for `memory://`.
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SCHEME = "kd-memory"
SWEEP_INTERVAL = 1.0  # seconds between two clean-ups of expired keys


class InlineExpiryMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_INTERVAL
        self._sweep_lock = threading.Lock()

    # MemoryStorage calls self.__schedule_expiry() before each write: the
    # name-mangled attribute is what its methods look up.
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_INTERVAL
            self._MemoryStorage__expire_events()
        finally:
            self._sweep_lock.release()
