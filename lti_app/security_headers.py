"""Headers every response gets: no referrer leaks of the ltik, no caching of
personal pages. Framing rules (frame-ancestors per platform) come with issue 9."""

from flask import Flask, request


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Links carry the launch token; never send our URLs to other sites.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and not request.endpoint.startswith(("static", "lti.jwks")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
