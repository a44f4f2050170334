"""The names of outbound calls, resolved within the call's deadline.

`socket.getaddrinfo` blocks in C for as long as the system's resolver likes (5 s
a try, several tries) and before there is a socket that the deadline's watchdog
could shut (lti/http.py). So the lookup runs in a thread of a small pool, and the
call waits for it only until its deadline: a lookup that never returns holds a
pool thread, never the worker and the person waiting.

The connection then goes to the addresses found, not to the name again. For a
call that must stay on the public internet (registration, whose URLs anyone may
give) every address must be public: a name that answered a public address to the
SSRF check and a private one a moment later (DNS rebinding) is refused before it
is connected.
"""

from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

# A few lookups at once per process are plenty: each call waits for its own, and
# a pool full of hung lookups makes the next ones wait their deadline, no longer.
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="outbound-dns")


class LookupTimeout(socket.timeout):
    """The resolver did not answer within the call's time."""


def resolve(host: str, port: int, *, seconds: float) -> list[str]:
    """The addresses of `host` (an address itself is its own), without duplicates,
    in the resolver's order; LookupTimeout after `seconds`, socket.gaierror when
    the name does not exist."""
    if is_address(host):
        return [host.strip("[]")]
    lookup = _pool.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=max(0.0, seconds))
    except FutureTimeout:
        lookup.cancel()  # if it had not started yet
        raise LookupTimeout(f"resolving {host}: no answer within {seconds:.2g} s") from None
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))


def is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def is_public(address: str) -> bool:
    return ipaddress.ip_address(address).is_global
