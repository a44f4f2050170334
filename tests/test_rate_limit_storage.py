"""The in-memory rate-limit storage: same counting, expiry without a thread per hit."""

from __future__ import annotations

import threading
import time

from limits import parse
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from lti_app import rate_limit_storage
from lti_app.rate_limit_storage import InlineExpiryMemoryStorage


def test_a_login_limit_refuses_the_request_past_it_and_counts_per_address():
    limiter = FixedWindowRateLimiter(InlineExpiryMemoryStorage())
    limit = parse("3 per minute")
    assert [limiter.hit(limit, "login", "10.0.0.1") for _ in range(4)] == [
        True, True, True, False]
    assert limiter.hit(limit, "login", "10.0.0.2")  # another address has its own count


def test_the_moving_window_counts_alike():
    limiter = MovingWindowRateLimiter(InlineExpiryMemoryStorage())
    limit = parse("2 per minute")
    assert [limiter.hit(limit, "verify") for _ in range(3)] == [True, True, False]


def test_a_counter_expires_with_its_window_and_is_swept(monkeypatch):
    monkeypatch.setattr(rate_limit_storage, "SWEEP_INTERVAL", 0.0)
    storage = InlineExpiryMemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("1 per second")
    assert limiter.hit(limit, "a") and not limiter.hit(limit, "a")
    time.sleep(1.05)
    assert limiter.hit(limit, "b")  # this write sweeps the expired counter of "a"
    assert [key for key in storage.storage if "/a/" in key or key.endswith("/a")] == []
    assert limiter.hit(limit, "a")  # a new window


def test_hits_start_no_timer_threads():
    storage = InlineExpiryMemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("100 per minute")
    time.sleep(0.02)  # the one timer the constructor starts has run
    before = set(threading.enumerate())
    started = []
    for _ in range(5):
        limiter.hit(limit, "login")
        started += [t for t in threading.enumerate() if t not in before]
        time.sleep(0.015)  # past the 10 ms after which memory:// starts a new timer
    assert started == []
