"""The platforms' public keys: fetched, cached, refetched on an unknown kid.

pylti1p3 caches a key set for a fixed time and never refetches when a platform
rotates its key; here the cache honours Cache-Control max-age, an unknown kid
triggers one refetch (at most every LTI_JWKS_MIN_REFETCH seconds, so forged
tokens cannot make us hammer the platform), and a platform that is down is
answered from the cached copy.

The fetch goes through lti/http.py: FLASK_LTI_JWKS_TIMEOUT bounds the whole
call, a key set is at most 64 KB, and a key set URL that just failed is not
called again for FLASK_OUTBOUND_FAILURE_MEMORY seconds (the launch is refused
at once, or answered from the cached copy). While one worker fetches a key set,
other launches that need it use the cached copy, or wait at most
LTI_JWKS_IN_FLIGHT_WAIT for that fetch (a single flight: one request to the platform).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time

import requests
from flask import current_app

from ..platforms.models import Platform
from .http import (
    InFlight, RecentlyFailed, bounded_get, failed_recently, flight_started, single_flight,
)
from .store import get_store

log = logging.getLogger(__name__)

_CACHE_KEEP_SECONDS = 30 * 24 * 3600  # stale copies serve while a platform is down
# A per-process copy of fresh key sets in front of the shared store: a cache of
# public data that every worker can rebuild, never state another worker needs.
_memo: dict[str, dict] = {}


class PlatformKeysUnavailable(Exception):
    """The key set could not be fetched and no cached copy exists."""


# A launch that needs a key set another request is fetching, with no copy
# cached, waits for that fetch until it has run LTI_JWKS_IN_FLIGHT_WAIT seconds
# (a healthy platform answers in well under a second); a launch that comes
# later than that is refused at once: a slow platform holds one worker, not
# every launch's.


def find_platform_jwk(platform: Platform, kid: str) -> dict | None:
    """The platform's public JWK with this kid, or None when it has none."""
    if platform.static_jwks:
        return _pick(json.loads(platform.static_jwks), kid)
    url = platform.jwks_url or ""
    now = time.time()
    memo = _memo.get(url)
    if memo and now < memo["fetched_at"] + memo["max_age"]:
        jwk = _pick(memo["jwks"], kid)
        if jwk:  # fresh and known: no database round trip
            return jwk
    store = get_store()
    cache_key = "jwks:" + hashlib.sha256(url.encode()).hexdigest()
    cached = store.get(cache_key)
    if cached:
        jwk = _pick(cached["jwks"], kid)
        is_fresh = now < cached["fetched_at"] + cached["max_age"]
        may_refetch = now >= cached["fetched_at"] + current_app.config["LTI_JWKS_MIN_REFETCH"]
        if jwk and is_fresh:
            _memo[url] = cached
            return jwk
        if not may_refetch:
            return jwk
    try:
        # One worker fetches and stores; a launch that needs the same key set
        # meanwhile is answered from the cached copy or waits for the stored
        # result (LTI_JWKS_IN_FLIGHT_WAIT at most): a single flight.
        with single_flight(url, purpose="jwks"):
            jwks, max_age = _fetch(url)
            entry = {"jwks": jwks, "fetched_at": now, "max_age": max_age}
            store.put_now(cache_key, entry, _CACHE_KEEP_SECONDS)
    except InFlight as exc:
        if cached:
            return _pick(cached["jwks"], kid)
        entry = _await_other_fetch(store, cache_key, url)
        if entry is None:
            raise PlatformKeysUnavailable(url) from exc
        _memo[url] = entry
        return _pick(entry["jwks"], kid)
    except (PlatformKeysUnavailable, RecentlyFailed) as exc:
        if cached:
            log.warning("platform %s key set unreachable; using cached copy", platform.id)
            return _pick(cached["jwks"], kid)
        raise PlatformKeysUnavailable(url) from exc
    _memo[url] = entry
    return _pick(jwks, kid)


def _await_other_fetch(store, cache_key: str, url: str) -> dict | None:
    """The key set another request is fetching, once it is cached; None if that
    fetch failed, or has run longer than the in-flight wait (a slow platform)."""
    in_flight_wait = current_app.config["LTI_JWKS_IN_FLIGHT_WAIT"]
    end = time.monotonic() + in_flight_wait
    while True:
        entry = store.get(cache_key)
        if entry:  # none was cached when we started: it is the other fetch's
            return entry
        started = flight_started(url)
        if (failed_recently(url) or time.monotonic() >= end or started is None
                or time.time() - started >= in_flight_wait):
            return store.get(cache_key)  # stored just before that flight ended
        time.sleep(0.05)


def _pick(jwks: dict, kid: str) -> dict | None:
    for jwk in jwks.get("keys", []):
        if jwk.get("kid") == kid:
            return jwk
    return None


def _fetch(url: str) -> tuple[dict, int]:
    config = current_app.config
    try:
        response = bounded_get(url, purpose="jwks", headers={"Accept": "application/json"})
        response.raise_for_status()
        jwks = response.json()
    except (requests.RequestException, ValueError, RecursionError) as exc:
        raise PlatformKeysUnavailable(url) from exc
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise PlatformKeysUnavailable(url)
    return jwks, _max_age(response.headers.get("Cache-Control"), config["LTI_JWKS_MAX_AGE"])


def _max_age(cache_control: str | None, default: int) -> int:
    match = re.search(r"max-age=(\d+)", cache_control or "")
    if not match:
        return default
    return min(max(int(match.group(1)), 60), 24 * 3600)
