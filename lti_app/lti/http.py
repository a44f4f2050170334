"""Every HTTP call to a platform, bounded: one deadline for the whole call, a byte cap.

A per-read socket timeout does not bound a call: a platform that sends one byte
every two seconds never trips a five-second read timeout, and would hold the
worker (and the person waiting) for as long as it likes. So each call here has

- a wall-clock deadline for the name's lookup, connect, request, headers and
  body together: the lookup is waited for only until then (outbound_dns.py), the
  socket timeouts are never longer than the time left, and a watchdog timer
  shuts the call's sockets down when the deadline passes (a blocked read then
  returns at once);
- the connection goes to the addresses the lookup found; for a call that must
  stay public (`public_only`: registration) only if all of them are public;
- a byte cap per purpose (BODY_CAPS): a larger body is refused, a
  Content-Length above it before reading; bodies are asked for uncompressed;
- a check of JSON bodies' nesting (MAX_JSON_DEPTH), so that parsing them later
  cannot raise RecursionError;
- a short memory of failures (FLASK_OUTBOUND_FAILURE_MEMORY seconds, in the
  shared store, so every worker knows): a URL that timed out or sent too much
  is not called again within that time, the call fails at once instead;
- a single flight (`single_flight(url)`, for key sets): while one worker
  fetches a URL, another that needs it fails at once (InFlight) instead of
  waiting too; a slow key set then holds one worker, not all of them.

`BoundedSession` is a `requests.Session`, so pylti1p3's ServiceConnector (AGS
scores, access tokens) uses it like any other; `bounded_get` and
`bounded_post` are for our own calls.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import re
import socket
import threading
import time
from typing import Any

import requests
from flask import current_app, has_app_context
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from . import outbound_dns

log = logging.getLogger(__name__)

# Bytes a platform may send us, per purpose (a platform's answer is small; these
# leave room for large key sets and full roster pages of 100 members).
BODY_CAPS = {
    "jwks": 64 * 1024,  # a key set: a few keys of ~1 KB
    "token": 16 * 1024,  # an OAuth2 access token answer
    "service": 64 * 1024,  # AGS: a score's answer, a line item
    "roster": 2 * 1024 * 1024,  # one NRPS page (100 members of ~1 KB at most)
    "registration": 64 * 1024,  # an OpenID configuration, a registration answer
}
MAX_JSON_DEPTH = 32  # no answer we read is nested deeper than ~6
CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 5.0  # per socket read, and never past the deadline
_CHUNK = 16 * 1024


class DeadlineExceeded(requests.Timeout):
    """The whole call took longer than its deadline."""


class BodyTooLarge(requests.RequestException):
    """The platform sent (or announced) more bytes than the purpose allows."""


class UnsafeBody(requests.RequestException):
    """A JSON body nested too deeply to parse safely."""


class RecentlyFailed(requests.ConnectionError):
    """This URL failed moments ago; it is not called again yet."""


class InFlight(RecentlyFailed):
    """Another request is fetching this URL right now (a single flight)."""


class PrivateAddress(requests.ConnectionError):
    """A call that must stay public found a private address for its host."""


# -- the deadline of the current call, and its sockets ---------------------------------


class _Call:
    def __init__(self, deadline: float, *, public_only: bool = False) -> None:
        self.deadline = deadline
        self.public_only = public_only
        self.private_address: str | None = None  # found, so not connected
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)
        else:
            sock.settimeout(max(0.01, min(sock.gettimeout() or READ_TIMEOUT,
                                          self.deadline - time.monotonic())))

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        # The plain socket's shutdown (an SSLSocket's own would drop its TLS
        # object under a read in progress): a blocked recv returns at once.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


_current: contextvars.ContextVar[_Call | None] = contextvars.ContextVar(
    "outbound_call", default=None
)


def _watch(sock) -> None:
    call = _current.get()
    if call is not None:
        call.watch(sock)


def _connect_found(conn: HTTPConnection, new_conn):
    """urllib3's `_new_conn` (socket options, timeouts, its errors), given each
    address found for the host in turn instead of the name, which it would look
    up again without a deadline. Outside a bounded call: urllib3's own."""
    call = _current.get()
    if call is None:
        return new_conn()
    name = conn._dns_host  # the name urllib3 connects to (TLS checks conn.host)
    try:
        addresses = outbound_dns.resolve(name, conn.port,
                                         seconds=call.deadline - time.monotonic())
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    except socket.timeout as exc:
        raise ConnectTimeoutError(conn, str(exc)) from exc
    # Through an operator's proxy (HTTPS_PROXY) these are the proxy's addresses,
    # which may well be private; the proxy looks the platform up itself.
    if call.public_only and not conn.proxy:
        private = [a for a in addresses if not outbound_dns.is_public(a)]
        if private or not addresses:
            call.private_address = (private or ["none"])[0]
            raise NewConnectionError(conn, f"{conn.host} resolved to {call.private_address}")
    failure: Exception | None = None
    for address in addresses:
        conn._dns_host = address
        try:
            return new_conn()
        except ConnectTimeoutError as exc:  # NewConnectionError too: the next one
            failure = exc
            if time.monotonic() >= call.deadline:
                break
        finally:
            conn._dns_host = name
    raise failure or NewConnectionError(conn, f"{conn.host}: no address")


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        return _connect_found(self, super()._new_conn)

    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def request(self, *args, **kwargs):  # a pooled connection skips connect()
        _watch(self.sock)
        return super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        return _connect_found(self, super()._new_conn)

    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def request(self, *args, **kwargs):
        _watch(self.sock)
        return super().request(*args, **kwargs)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _Pool, "https": _TlsPool}


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if hasattr(manager, "pool_classes_by_scheme"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


# -- the session ------------------------------------------------------------------------


class BoundedSession(requests.Session):
    """A session whose every request is bounded (deadline, byte cap, failure memory).

    `purpose` picks the byte cap (BODY_CAPS) and the deadline; `purposes` maps
    particular URLs to another purpose (the token endpoint of a platform).
    """

    def __init__(self, purpose: str = "service", *, purposes: dict[str, str] | None = None,
                 deadline: float | None = None, public_only: bool = False) -> None:
        super().__init__()
        from pylti1p3.service_connector import REQUESTS_USER_AGENT

        self.headers["User-Agent"] = REQUESTS_USER_AGENT
        self.purpose = purpose
        self.purposes = dict(purposes or {})
        self.deadline = deadline
        self.public_only = public_only
        adapter = _WatchedAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(self, method, url, **kwargs):  # type: ignore[override]
        purpose = self.purposes.get(url, self.purpose)
        deadline = kwargs.pop("deadline", None) or self.deadline or deadline_for(purpose)
        return self._bounded(method, url, purpose=purpose, seconds=deadline, **kwargs)

    def _bounded(self, method: str, url: str, *, purpose: str, seconds: float,
                 **kwargs: Any) -> requests.Response:
        if failed_recently(url):
            raise RecentlyFailed(f"{url} failed moments ago")
        return self._call(method, url, purpose=purpose, seconds=seconds, **kwargs)

    def _call(self, method: str, url: str, *, purpose: str, seconds: float,
              **kwargs: Any) -> requests.Response:
        cap = BODY_CAPS[purpose]
        start = time.monotonic()
        call = _Call(start + seconds, public_only=self.public_only)
        connect, read = _timeouts(kwargs.pop("timeout", None))
        kwargs["timeout"] = (min(connect, seconds), min(read, seconds))
        kwargs["stream"] = True
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Accept-Encoding", "identity")  # the cap counts real bytes
        watchdog = threading.Timer(seconds, call.expire)
        watchdog.daemon = True
        token = _current.set(call)
        watchdog.start()
        try:
            response = super().request(method, url, headers=headers, **kwargs)
            try:
                body = _read_capped(response, cap, call)
            finally:
                response.close()
        except (BodyTooLarge, UnsafeBody):
            remember_failure(url)
            raise
        except Exception as exc:
            if call.private_address:
                raise PrivateAddress(f"{url}: {call.private_address} is not public") from exc
            if call.expired or time.monotonic() >= call.deadline:
                remember_failure(url)
                raise DeadlineExceeded(f"{url}: no answer within {seconds:g} s") from exc
            if isinstance(exc, requests.Timeout):
                remember_failure(url)
            raise
        finally:
            watchdog.cancel()
            _current.reset(token)
        if _looks_like_json(body) and json_too_deep(body):
            remember_failure(url)
            raise UnsafeBody(f"{url}: JSON nested deeper than {MAX_JSON_DEPTH}")
        response._content = body
        response._content_consumed = True
        return response


def bounded_get(url: str, *, purpose: str, public_only: bool = False,
                **kwargs) -> requests.Response:
    with BoundedSession(purpose, public_only=public_only) as session:
        return session.get(url, **kwargs)


def bounded_post(url: str, *, purpose: str, public_only: bool = False,
                 **kwargs) -> requests.Response:
    with BoundedSession(purpose, public_only=public_only) as session:
        return session.post(url, **kwargs)


def deadline_for(purpose: str) -> float:
    """Seconds for one whole call: FLASK_LTI_JWKS_TIMEOUT for key sets (a launch
    waits for them), FLASK_OUTBOUND_TIMEOUT for everything else."""
    if not has_app_context():
        return 10.0
    config = current_app.config
    if purpose == "jwks":
        return float(config.get("LTI_JWKS_TIMEOUT") or 5)
    return float(config.get("OUTBOUND_TIMEOUT") or 10)


def _timeouts(timeout) -> tuple[float, float]:
    if isinstance(timeout, tuple):
        return float(timeout[0]), float(timeout[1])
    if isinstance(timeout, (int, float)):
        return float(timeout), float(timeout)
    return CONNECT_TIMEOUT, READ_TIMEOUT


def _read_capped(response: requests.Response, cap: int, call: _Call) -> bytes:
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > cap:
        raise BodyTooLarge(f"{response.url}: {length} bytes announced")
    chunks, size = [], 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge(f"{response.url}: more than {cap} bytes")
        if time.monotonic() >= call.deadline:
            call.expire()
            raise DeadlineExceeded(f"{response.url}: body not complete in time")
        chunks.append(chunk)
    return b"".join(chunks)


# -- JSON nesting ------------------------------------------------------------------------

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip()[:1] in (b"{", b"[")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests arrays/objects deeper than `limit`."""
    depth = 0
    for byte in _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS):
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


# -- the memory of failures -----------------------------------------------------------


def _failure_key(url: str) -> str:
    return "outbound-failed:" + hashlib.sha256(url.encode()).hexdigest()


def failed_recently(url: str) -> bool:
    if not has_app_context() or not _memory_seconds():
        return False
    from .store import get_store

    try:
        return get_store().get(_failure_key(url)) is not None
    except Exception:  # the memory is a protection, never a new way to fail
        log.exception("outbound failure memory unreadable")
        return False


def remember_failure(url: str) -> None:
    seconds = _memory_seconds() if has_app_context() else 0
    if not seconds:
        return
    from .store import get_store

    log.warning("platform call failed; not calling %s again for %s s", url, seconds)
    try:
        get_store().put_now(_failure_key(url), {"at": time.time()}, seconds)
    except Exception:
        log.exception("outbound failure memory unwritable")


@contextlib.contextmanager
def single_flight(url: str, *, purpose: str):
    """While the block runs, another request entering it for the same URL gets
    InFlight at once (it may wait for the result elsewhere). The block holds
    the fetch *and* the storing of its result: a waiter that sees the flight
    end then finds the result, never a gap between the two."""
    if failed_recently(url):
        raise RecentlyFailed(f"{url} failed moments ago")
    if not _take_flight(url, deadline_for(purpose)):
        raise InFlight(f"{url} is being fetched by another request")
    try:
        yield
    finally:
        _end_flight(url)


def _flight_key(url: str) -> str:
    return "outbound-flight:" + hashlib.sha256(url.encode()).hexdigest()


def _take_flight(url: str, seconds: float) -> bool:
    if not has_app_context():
        return True
    from .store import get_store

    try:  # the marker outlives a worker killed mid-call by the deadline only
        return get_store().add_now(_flight_key(url), {"at": time.time()}, int(seconds) + 2)
    except Exception:
        log.exception("outbound single flight unavailable")
        return True


def flight_started(url: str) -> float | None:
    """When (time.time()) the single flight fetching this URL began; None: none."""
    if not has_app_context():
        return None
    from .store import get_store

    try:
        marker = get_store().get(_flight_key(url))
    except Exception:
        return None
    return float(marker["at"]) if isinstance(marker, dict) and "at" in marker else None


def _end_flight(url: str) -> None:
    from .store import get_store

    try:
        get_store().delete_now(_flight_key(url))
    except Exception:
        log.exception("outbound single flight not ended (it expires)")


def _memory_seconds() -> int:
    return int(current_app.config.get("OUTBOUND_FAILURE_MEMORY") or 0)
