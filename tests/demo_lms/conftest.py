"""Helpers for the demo LMS's services: the tool's signed JWTs and access tokens.

The tool's side is played with its real key (`lti_app.lti.keys`), as the tool's
own service connector would sign: a platform-side test needs no tool code.
"""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from lti_app.demo_lms.platform import AGS_SCOPES, CLIENT_ASSERTION_TYPE, NRPS_SCOPE

CLIENT_ID = "kennisdeling-demo"
TOKEN_URL = "http://localhost/dev/token"
ISSUER = "http://localhost/dev"
CONTEXT = "demo-course-2026"
ALL_SCOPES = " ".join((*AGS_SCOPES, NRPS_SCOPE))


class Tool:
    """Signs what a tool signs, with the tool's active key."""

    def __init__(self, app) -> None:
        self.app = app

    def sign(self, claims: dict, *, key_pem: str | None = None,
             headers: dict | None = None) -> str:
        from lti_app.extensions import db
        from lti_app.lti import keys

        with self.app.app_context():
            key = keys.active_key()
            pem = key_pem or keys.private_key_pem(key)
            kid = key.kid
            db.session.commit()
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid, **(headers or {})})

    def assertion(self, **overrides) -> str:
        now = int(time.time())
        claims = {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": TOKEN_URL, "iat": now,
                  "exp": now + 60, "jti": f"jti-{uuid.uuid4()}"}
        claims.update(overrides)
        return self.sign({k: v for k, v in claims.items() if v is not None})

    def token_request(self, client, *, scope: str = ALL_SCOPES, **form):
        data = {"grant_type": "client_credentials",
                "client_assertion_type": CLIENT_ASSERTION_TYPE,
                "client_assertion": self.assertion(), "scope": scope}
        data.update(form)
        return client.post("/dev/token", data=data)

    def access_token(self, client, scope: str = ALL_SCOPES) -> str:
        response = self.token_request(client, scope=scope)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["access_token"]


@pytest.fixture
def tool(app):
    return Tool(app)


@pytest.fixture
def course(app, client) -> dict[str, str]:
    """The demo course after a first visit of /dev/: {link key: its column's path}.

    Ids come from the database (PostgreSQL sequences do not restart per test).
    """
    from lti_app.demo_lms import links
    from lti_app.extensions import db

    assert client.get("/dev/").status_code == 200
    with app.app_context():
        paths = {
            link.key: f"/dev/ags/{CONTEXT}/lineitems/{links.line_item_of_link(link).id}"
            for link in links.list_links()
        }
        db.session.commit()
    return paths


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def autopost_fields(html: str) -> dict[str, str]:
    """The hidden fields of the demo LMS's (or the tool's) auto-submitting form."""
    import html as html_lib
    import re

    return {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', html)
    }


def csrf_token(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def launch_id_token(client, start_query: dict) -> tuple[dict, dict]:
    """Run /dev/start -> the tool's /lti/login -> /dev/auth; return (id_token claims, form)."""
    from urllib.parse import urlsplit

    start = client.get("/dev/start", query_string=start_query)
    assert start.status_code == 200, start.get_data(as_text=True)
    import html as html_lib
    import re

    login = client.post("/lti/login", data=autopost_fields(start.get_data(as_text=True)))
    # The demo LMS offers platform storage, so the tool answers with a page that
    # stores the state there and then goes on to the auth URL.
    assert login.status_code == 200
    auth_url = re.search(r'id="continue" href="([^"]+)"', login.get_data(as_text=True)).group(1)
    location = urlsplit(html_lib.unescape(auth_url))
    assert location.path == "/dev/auth"
    auth = client.get(f"{location.path}?{location.query}")
    assert auth.status_code == 200, auth.get_data(as_text=True)
    form = autopost_fields(auth.get_data(as_text=True))
    return jwt.decode(form["id_token"], options={"verify_signature": False}), form
