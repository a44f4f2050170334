"""One simulated learner: an LMS launch, the module page, the quiz; every response kept.

Each learner is a `requests.Session` (its own cookie jar, for the OIDC state
cookie) that also plays the TLS reverse proxy of the README's production set-up:
it talks plain HTTP to gunicorn on 127.0.0.1 and adds `X-Forwarded-Proto: https`,
`X-Forwarded-Host` and a `X-Forwarded-For` of its own, as if each learner came
from their own browser. It refuses any URL that is not on 127.0.0.1.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests

from lti_app.demo_lms.platform import (
    MEMBERSHIP,
    AuthorizationRefused,
    LaunchRequest,
    LtiPlatform,
)

REQUEST_TIMEOUT = (5, 30)  # connect, read (seconds): gunicorn's worker timeout is 30 s
SCORE_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
]
UNAVAILABLE_MARKERS = (
    "The service is temporarily unavailable",
    "De dienst is tijdelijk niet beschikbaar",
)
REFUSED_MARKERS = ("The tool could not be opened", "De tool kon niet worden geopend")


@dataclass(frozen=True)
class Sample:
    wave: str
    step: str
    learner: str
    status: int  # 0: no HTTP answer (connection error or timeout)
    ms: float
    start: float  # time.monotonic()
    end: float
    ok: bool  # the status the flow expects
    # "unavailable" (the clear 503 page), "refused" (launch refused page), "other"
    page: str
    has_traceback: bool
    detail: str  # for failures: the page's heading or the exception


class Recorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.samples: list[Sample] = []

    def add(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)

    def of(self, *waves: str) -> list[Sample]:
        with self._lock:
            return [s for s in self.samples if s.wave in waves]


class _LoopbackSecureCookies(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies to 127.0.0.1: TLS ends at the proxy this client plays."""

    def return_ok_secure(self, cookie, request) -> bool:
        return urlsplit(request.get_full_url()).hostname == "127.0.0.1" or (
            super().return_ok_secure(cookie, request)
        )


class LoopbackSession(requests.Session):
    def __init__(self, tool_base: str, forwarded_for: str) -> None:
        super().__init__()
        self.cookies.set_policy(_LoopbackSecureCookies())
        self.tool_base = tool_base  # http://127.0.0.1:<port>
        self.public_base = "https://" + urlsplit(tool_base).netloc
        self.headers.update(
            {
                "X-Forwarded-For": forwarded_for,
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": urlsplit(tool_base).netloc,
            }
        )

    def prepare_request(self, request):
        prepared = super().prepare_request(request)
        # requests copies the cookies into a new jar with the default policy,
        # which keeps Secure cookies from http://: ask our own jar instead.
        prepared.headers.pop("Cookie", None)
        prepared.prepare_cookies(self.cookies)
        return prepared

    def request(self, method, url, **kwargs):
        if urlsplit(url).hostname != "127.0.0.1":
            raise ValueError(f"refusing a request outside 127.0.0.1: {url}")
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        kwargs.setdefault("allow_redirects", False)  # each hop is timed on its own
        return super().request(method, url, **kwargs)

    def local(self, url: str, base: str | None = None) -> str:
        """A URL the tool printed (public, https) as this client reaches it."""
        absolute = urljoin(base or self.public_base + "/", url)
        if absolute.startswith(self.public_base):
            return self.tool_base + absolute[len(self.public_base) :]
        return absolute


@dataclass
class Learner:
    wave: str
    sub: str
    forwarded_for: str
    locale: str = "nl"
    reading_seconds: float = 0.0  # between the module page and the quiz POST
    launched: bool = False
    submission_id: str | None = None
    submit_confirmed: bool = False  # the tool answered the quiz POST with a redirect
    saw_result: bool = False
    failures: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.saw_result


@dataclass
class Flow:
    """What every learner of a run shares: the tool, the platform, the module."""

    tool_base: str
    platform: LtiPlatform
    recorder: Recorder
    module_slug: str
    right_answers: dict[str, list[str]]
    lineitem_url: str
    return_url: str

    def run(self, learner: Learner, *, retries: int = 0, pause: float = 1.0) -> Learner:
        """Launch, open the module, pass the quiz; a failed step is tried `retries` more.

        A failed launch starts again at the LMS (a new login); a failed page is
        reloaded; a failed quiz POST is sent again with the same form (same
        submission id), as a learner pressing reload does.
        """
        session = LoopbackSession(self.tool_base, learner.forwarded_for)
        with session:
            module_url = self._retry(
                lambda: self._launch(session, learner), retries, pause
            )
            if module_url is None:
                return learner
            learner.launched = True
            page = self._retry(
                lambda: self._step(
                    session, learner, "module page", "GET", module_url, {200}
                ),
                retries,
                pause,
            )
            if page is None:
                return learner
            data = {**_form_tokens(page.text), **self.right_answers}
            time.sleep(learner.reading_seconds)
            learner.submission_id = data.get("submission_id")
            submit_url = (
                self.tool_base
                + f"/modules/{self.module_slug}/quiz?"
                + (urlsplit(module_url).query)
            )
            submitted = self._retry(
                lambda: self._step(
                    session,
                    learner,
                    "quiz submit",
                    "POST",
                    submit_url,
                    {302, 303},
                    data=data,
                ),
                retries,
                pause,
            )
            if submitted is None:
                return learner
            learner.submit_confirmed = True
            result_url = session.local(submitted.headers["Location"], base=submit_url)
            result = self._retry(
                lambda: self._step(
                    session, learner, "quiz result", "GET", result_url, {200}
                ),
                retries,
                pause,
            )
            learner.saw_result = result is not None
        return learner

    def _launch(self, session: LoopbackSession, learner: Learner) -> str | None:
        """LMS login -> platform signs -> launch; the module page's URL it lands on."""
        launch_url = session.public_base + "/lti/launch"
        fields = self.platform.login_initiation(
            target_link_uri=launch_url,
            login_hint=learner.sub,
            lti_message_hint=LtiPlatform.encode_hint({"link": "link-1"}),
        )
        login = self._step(
            session,
            learner,
            "login",
            "POST",
            session.tool_base + "/lti/login",
            {302},
            data=fields,
        )
        if login is None:
            return None
        auth = urlsplit(login.headers["Location"])
        if auth._replace(query="").geturl() != self.platform.auth_login_url:
            learner.failures.append(
                f"login redirected elsewhere: {auth.geturl()[:120]}"
            )
            return None
        start = time.monotonic()
        try:
            redirect_uri, form = self.platform.authorize(
                dict(parse_qsl(auth.query)),
                allowed_redirect_uris=lambda uri: uri == launch_url,
                launch_for_hint=lambda hint, _message: self._launch_request(
                    learner, launch_url
                ),
            )
        except AuthorizationRefused as exc:  # the tool's auth request was wrong
            learner.failures.append(f"platform refused the auth request: {exc}")
            return None
        end = time.monotonic()
        self.recorder.add(
            Sample(
                learner.wave,
                "platform signs (LMS side)",
                learner.sub,
                200,
                (end - start) * 1000,
                start,
                end,
                True,
                "other",
                False,
                "",
            )
        )
        launch = self._step(
            session,
            learner,
            "launch",
            "POST",
            session.local(redirect_uri),
            {303},
            data=form,
        )
        if launch is None:
            return None
        # The launch lands on the link's page itself (no home page in between).
        module_url = session.local(launch.headers["Location"], base=launch_url)
        if urlsplit(module_url).path != f"/modules/{self.module_slug}":
            learner.failures.append(f"landing is not the module: {module_url[:120]}")
            return None
        return module_url

    def _launch_request(self, learner: Learner, launch_url: str) -> LaunchRequest:
        return LaunchRequest(
            sub=learner.sub,
            roles=(MEMBERSHIP + "Learner",),
            name=f"Learner {learner.sub}",
            given_name="Learner",
            family_name=learner.sub,
            email=f"{learner.sub}@example.org",
            locale=learner.locale,
            return_url=self.return_url,
            custom={"course": "library-basics", "module": self.module_slug},
            ags={"scope": SCORE_SCOPES, "lineitem": self.lineitem_url},
            target_link_uri=launch_url,
        )

    def _step(self, session, learner, step, method, url, expect, **kwargs):
        """One request, recorded; the response if its status is expected, else None."""
        start = time.monotonic()
        try:
            response = session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            end = time.monotonic()
            self.recorder.add(
                Sample(
                    learner.wave,
                    step,
                    learner.sub,
                    0,
                    (end - start) * 1000,
                    start,
                    end,
                    False,
                    "other",
                    False,
                    type(exc).__name__,
                )
            )
            learner.failures.append(f"{step}: {type(exc).__name__}")
            return None
        end = time.monotonic()
        body = response.text
        ok = response.status_code in expect
        self.recorder.add(
            Sample(
                learner.wave,
                step,
                learner.sub,
                response.status_code,
                (end - start) * 1000,
                start,
                end,
                ok,
                _page_kind(body),
                "Traceback" in body,
                "" if ok else _heading(body),
            )
        )
        if not ok:
            learner.failures.append(f"{step}: HTTP {response.status_code}")
            return None
        return response

    @staticmethod
    def _retry(attempt, retries: int, pause: float):
        for number in range(retries + 1):
            if number:
                time.sleep(pause)
            result = attempt()
            if result is not None:
                return result
        return None


def _form_tokens(html: str) -> dict[str, str]:
    tokens = {}
    for name in ("csrf_token", "submission_id"):
        found = re.search(rf'name="{name}"[^>]*value="([^"]+)"', html)
        if found:
            tokens[name] = found.group(1)
    return tokens


def _page_kind(body: str) -> str:
    if any(marker in body for marker in UNAVAILABLE_MARKERS):
        return "unavailable"
    if any(marker in body for marker in REFUSED_MARKERS):
        return "refused"
    return "other"


def _heading(body: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.DOTALL)
    text = found.group(1) if found else body
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())[:120]
