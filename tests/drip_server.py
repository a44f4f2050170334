"""A slow or greedy platform on 127.0.0.1: a threaded HTTP server for the outbound tests.

Paths (any prefix; the last segment picks the behaviour):
- .../drip-head: the status line and headers, one byte every DRIP seconds;
- .../drip-body: headers at once, then a JSON body one byte every DRIP seconds;
- .../big: a 100 KB JSON body with its Content-Length;
- .../big-unannounced: the same without Content-Length (read until close);
- .../deep: JSON nested 100,000 deep.
Every request is counted per path (`hits`). Each answer ends by itself within
MAX_SECONDS, or as soon as the client hangs up.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DRIP = 0.2  # seconds per byte: far below any per-read socket timeout
MAX_SECONDS = 8.0

BIG = json.dumps({"keys": [{"kid": f"k{n}", "n": "x" * 1000} for n in range(100)]}).encode()
DEEP = b"[" * 100_000 + b"]" * 100_000


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(length, 1_000_000))
        self._answer()

    def _answer(self) -> None:
        path = self.path.split("?")[0]
        self.server.hits[path] += 1
        kind = path.rsplit("/", 1)[-1]
        try:
            if kind == "drip-head":
                self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 2\r\n\r\n{}")
            elif kind == "drip-body":
                body = b'{"keys": [], "members": [], "access_token": "' + b"x" * 200 + b'"}'
                self._head(len(body))
                self._drip(body)
            elif kind == "big":
                self._head(len(BIG))
                self.wfile.write(BIG)
            elif kind == "big-unannounced":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(BIG)
                self.close_connection = True
            elif kind == "deep":
                self._head(len(DEEP))
                self.wfile.write(DEEP)
            else:
                self._head(2)
                self.wfile.write(b"{}")
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _head(self, length: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _drip(self, data: bytes) -> None:
        end = time.monotonic() + MAX_SECONDS
        for byte in data:
            if time.monotonic() > end:
                break
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(DRIP)
        self.close_connection = True


class DripServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path


@contextlib.contextmanager
def drip_server():
    server = DripServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
