"""The origin (scheme://host[:port]) of a URL: what CSP and postMessage compare.

Parsed strictly and rebuilt from its parts: an origin goes into
Content-Security-Policy, where a space, `*`, a quote, a semicolon or a comma
in a stored value would be a source list of the attacker's choosing. Anything
that is not plainly an http(s) URL on a valid host is refused (None).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# One DNS label (LDH: letters, digits, hyphens; IDNs arrive as punycode).
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PORT = re.compile(r"^[0-9]{1,5}$")


def origin_of(url: str | None) -> str | None:
    """`https://lms.example.nl` for any http(s) URL on it; None for anything else.

    The host is lowercased, an IDN becomes punycode, a default port is dropped.
    Refused: other schemes, userinfo (`user@`), spaces or control characters
    anywhere, hosts with characters outside a hostname or IP literal, empty or
    non-numeric ports.
    """
    if not isinstance(url, str) or not url or len(url) > 2048:
        return None
    return _origin_of(url)


# Pure, and asked for the same few registered URLs on every login, launch and
# CSP header: parsed once per process (bounded; a value that fails parses to None).
@lru_cache(maxsize=1024)
def _origin_of(url: str) -> str | None:
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None  # urlsplit would quietly drop tabs and newlines
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not url[len(scheme) + 1:].startswith("//"):
        return None
    host, port = _split_netloc(parts.netloc)
    host = _valid_host(host) if host is not None else None
    if host is None:
        return None
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def is_origin(value: str | None) -> bool:
    """Whether `value` is itself an origin in the form `origin_of` gives."""
    return bool(value) and origin_of(value) == value


def strict_origins(values) -> set[str]:
    """The values that are origins exactly; the rest (old or tampered rows) ignored."""
    return {value for value in values if is_origin(value)}


def _split_netloc(netloc: str) -> tuple[str | None, int | None]:
    """(host, port) of a netloc without userinfo; (None, None) when malformed."""
    if not netloc or "@" in netloc:
        return None, None
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            return None, None
        host, rest = netloc[: end + 1], netloc[end + 1:]
    else:
        host, _, rest = netloc.partition(":")
        rest = ":" + rest if _ else ""
    if not rest:
        return host, None
    port = rest[1:]
    if not rest.startswith(":") or not _PORT.match(port) or not 0 < int(port) < 65536:
        return None, None
    return host, int(port)


def _valid_host(host: str) -> str | None:
    if host.startswith("["):
        if "%" in host:  # a zone id (fe80::1%eth0) names no origin
            return None
        try:
            address = ipaddress.IPv6Address(host[1:-1])  # no zone ids (%eth0)
        except ValueError:
            return None
        return f"[{address.compressed}]"
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():  # 1.2.3 or 010.0.0.1: not a name, not an address
        return None
    return ascii_host
