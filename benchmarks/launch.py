"""LTI launch: Kennisdeling against a bare pylti1p3 Flask tool, interleaved."""

from __future__ import annotations

import gc
import logging
import os
import tempfile
import time
from collections.abc import Container, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from lti_app import create_app
from lti_app.demo_lms.platform import LtiPlatform
from lti_app.extensions import db
from lti_app.platforms.service import add_platform

from .bare_pylti1p3_tool import create_bare_app, write_tool_config
from .database import bench_database
from .lti_flow import (
    TOOL_BASE,
    LaunchFailed,
    drive_launch,
    make_platform,
    loopback_jwks_server,
    serve_platform_jwks,
)
from .rows import Row, ratio_row, timing_row

LEARNERS = 10  # launches cycle through these subs: mostly returning learners


@dataclass
class ToolUnderTest:
    name: str
    app: Flask
    launch_status: Container[int]
    total_ms: list[float] = field(default_factory=list)
    tool_ms: list[float] = field(default_factory=list)


@dataclass
class LaunchBench:
    platform: LtiPlatform
    ours: ToolUnderTest
    bare: ToolUnderTest

    def launch(self, tool: ToolUnderTest, i: int, *, record: bool) -> LaunchResult:
        # A fresh browser each time: one cookie jar over hundreds of launches
        # would pile up state cookies (10 minutes each) on every request.
        client = tool.app.test_client()
        timing = drive_launch(
            client,
            self.platform,
            sub=f"learner-{i % LEARNERS}",
            launch_status=tool.launch_status,
        )
        if record:
            tool.total_ms.append(timing.total_ms)
            tool.tool_ms.append(timing.tool_ms)
        return LaunchResult(client, timing.location)


@dataclass(frozen=True)
class LaunchResult:
    client: FlaskClient
    location: str


@contextmanager
def launch_bench(jwks: str = "mock") -> Iterator[LaunchBench]:
    """Both tools registered with one platform whose JWKS both fetch alike.

    jwks="mock": the key set comes from an in-process mock (free for both);
    jwks="http": from a real HTTP server on 127.0.0.1, as a platform would serve it.
    """
    _keep_info_logs_off_the_terminal()
    with ExitStack() as stack:
        if jwks == "http":
            url, holder = stack.enter_context(loopback_jwks_server())
            platform = make_platform(url)
            holder["jwks"] = platform.jwks()
        else:
            platform = make_platform()
            stack.enter_context(serve_platform_jwks(platform))
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="kd-bench-"))
        database_url = stack.enter_context(bench_database(Path(tmp)))
        app = _kennisdeling_app(database_url, platform)
        config = write_tool_config(Path(tmp) / "bare", platform)
        bare = create_bare_app(config, Path(tmp) / "bare-cache")
        try:
            yield LaunchBench(
                platform,
                ToolUnderTest("kennisdeling", app, {303}),
                ToolUnderTest("bare pylti1p3", bare, {200}),
            )
        finally:
            with app.app_context():
                db.engine.dispose()


def run(n: int) -> list[Row]:
    return _run(n, "mock", "") + _run(n, "http", " (JWKS over loopback HTTP)")


def _run(n: int, jwks: str, label: str) -> list[Row]:
    landing_ms: list[float] = []
    with launch_bench(jwks) as bench:
        _check_forgeries_refused(bench)
        for i in range(max(10, n // 5)):  # warm-up: imports, templates, caches
            for tool in (bench.ours, bench.bare):
                bench.launch(tool, i, record=False)
        gc.collect()
        for i in range(n):
            # Alternate who goes first so drifting machine noise hits both.
            pair = (bench.ours, bench.bare) if i % 2 else (bench.bare, bench.ours)
            for tool in pair:
                result = bench.launch(tool, i, record=True)
                if tool is bench.ours:
                    landing_ms.append(_follow_landing(result))
    ours, bare = bench.ours, bench.bare
    rows = [
        timing_row(f"launch{label}: kennisdeling", ours.total_ms),
        timing_row(f"launch{label}: bare pylti1p3", bare.total_ms),
        ratio_row(f"launch{label}: kennisdeling / bare", ours.total_ms, bare.total_ms),
        timing_row("  tool share: kennisdeling", ours.tool_ms),
        timing_row("  tool share: bare pylti1p3", bare.tool_ms),
        ratio_row("  tool share: kennisdeling / bare", ours.tool_ms, bare.tool_ms),
    ]
    if not label:
        rows.append(timing_row("landing, not in launch: 303 -> overview", landing_ms))
    return rows


def _kennisdeling_app(database_url: str, platform: LtiPlatform) -> Flask:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "benchmark-secret",
            "DEMO_LMS_ENABLED": False,
            # The limiter stays on (its cost is part of a launch), with room for
            # a benchmark's burst from one address.
            "RATELIMIT_LOGIN": "1000000 per minute",
        }
    )
    with app.app_context():
        db.create_all()
        add_platform(
            issuer=platform.issuer,
            client_id=platform.client_id,
            auth_login_url=platform.auth_login_url,
            auth_token_url=platform.token_url,
            jwks_url=platform.jwks_url,
            deployment_ids=[platform.deployment_id],
            product_family="moodle",
        )
        db.session.commit()
    return app


def _follow_landing(result: LaunchResult) -> float:
    start = time.perf_counter()
    response = result.client.get(
        result.location, base_url=TOOL_BASE, follow_redirects=True
    )
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise LaunchFailed(f"landing page: HTTP {response.status_code}")
    return elapsed


def _check_forgeries_refused(bench: LaunchBench) -> None:
    """Both tools must really check the signature, or the comparison is void."""
    forger_pem, _kid = LtiPlatform.generate_key()
    for tool in (bench.ours, bench.bare):
        drive_launch(
            tool.app.test_client(),
            bench.platform,
            sub="forger",
            launch_status=range(400, 600),
            forge_key_pem=forger_pem,
        )


def _keep_info_logs_off_the_terminal() -> None:
    # The app logs one INFO line per launch; keep that work but not the output.
    # (create_app's basicConfig is a no-op once the root logger has a handler.)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(open(os.devnull, "w")))  # noqa: SIM115
    root.setLevel(logging.INFO)
