"""Slow platforms on 127.0.0.1: endpoints that send one byte every DRIP seconds.

Paths ending in /drip answer with headers at once and then a JSON body one
byte every DRIP seconds (never more than MAX_SECONDS, and never after the
client hung up); `keys` maps a path to a key set served at once. Every request
is counted per path, so the run can show that a failed URL is not asked again.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from .fake_lms import serving

DRIP = 2.0  # seconds per byte
MAX_SECONDS = 90.0
BODY = b'{"keys": [], "members": [], "access_token": "' + b"x" * 64 + b'"}'


class SlowLms:
    def __init__(self) -> None:
        self.base_url = ""
        self.keys: dict[str, dict] = {}
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        return self.base_url + path

    def handler(self) -> type[BaseHTTPRequestHandler]:
        lms = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self._answer()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(min(length, 1_000_000))
                self._answer()

            def _answer(self):
                path = self.path.split("?")[0]
                with lms._lock:
                    lms.hits[path] += 1
                try:
                    if path in lms.keys:
                        data = json.dumps(lms.keys[path]).encode()
                        self._head(len(data))
                        self.wfile.write(data)
                    elif path.endswith("/drip"):
                        self._head(len(BODY))
                        end = time.monotonic() + MAX_SECONDS
                        for byte in BODY:
                            if time.monotonic() > end:
                                break
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(DRIP)
                        self.close_connection = True
                    else:
                        self._head(2, status=404)
                        self.wfile.write(b"{}")
                except OSError:  # the tool hung up: what it should do
                    self.close_connection = True

            def _head(self, length: int, status: int = 200):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(length))
                self.end_headers()

            def log_message(self, *_args):
                pass

        return Handler


@contextmanager
def running_slow_lms() -> Iterator[SlowLms]:
    with serving(SlowLms(), "slow-lms") as lms:
        yield lms
