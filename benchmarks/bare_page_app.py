"""The baseline of `throughput.py`: a bare Flask app serving a 20 KB HTML page.

    gunicorn 'benchmarks.bare_page_app:app'

No database, no templates, no extensions: the page is built once at import, so a
request costs what Flask, Werkzeug and gunicorn's sync worker cost.
"""

from __future__ import annotations

from flask import Flask, Response

PAGE_BYTES = 20_000


def _page() -> bytes:
    head = b"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Bare</title></head><body><main>"
    tail = b"</main></body></html>"
    paragraph = b"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.</p>\n"
    body = bytearray(head)
    while len(body) + len(paragraph) + len(tail) <= PAGE_BYTES:
        body += paragraph
    body += b" " * (PAGE_BYTES - len(body) - len(tail)) + tail
    return bytes(body)


PAGE = _page()
app = Flask(__name__)


@app.get("/")
def page() -> Response:
    return Response(PAGE, mimetype="text/html")


@app.get("/healthz")
def healthz() -> Response:
    return Response(b"ok", mimetype="text/plain")
