"""Where a launch's time goes inside one tool: `python -m benchmarks.profile_launch`.

cProfile runs only while the tool handles a request (login, launch), so the
platform's signing is not in it. Times are per launch and include cProfile's
own overhead, which inflates small, often-called functions.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask
from sqlalchemy import event

from lti_app.extensions import db

from .launch import ToolUnderTest, launch_bench


def profile_requests(app: Flask, profiler: cProfile.Profile) -> None:
    inner: Callable[..., Any] = app.wsgi_app

    def profiled(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        profiler.enable()
        try:
            return list(inner(environ, start_response))  # consume the body too
        finally:
            profiler.disable()

    app.wsgi_app = profiled  # type: ignore[method-assign]


def count_statements(app: Flask, counts: dict[str, int]) -> None:
    """Count the SQL statements and commits the app sends (Kennisdeling only)."""
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(*_args) -> None:
        counts["statements"] = counts.get("statements", 0) + 1

    @event.listens_for(engine, "commit")
    def _commit(*_args) -> None:
        counts["commits"] = counts.get("commits", 0) + 1


def print_top(stats: pstats.Stats, n: int, limit: int, key: int) -> None:
    """The `limit` functions with the most time per launch (key 3: cumulative)."""
    table = stats.stats  # type: ignore[attr-defined]
    entries = sorted(table.items(), key=lambda item: item[1][key], reverse=True)
    print(f"{'cum ms':>8} {'own ms':>8} {'calls':>7}  function")
    for (path, line, name), (_cc, calls, own, cum, _callers) in entries[:limit]:
        where = path.split("site-packages/")[-1].split("/work/main/")[-1]
        print(
            f"{cum / n * 1000:8.2f} {own / n * 1000:8.2f} {calls / n:7.1f}  "
            f"{name} ({where}:{line})"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="profiled launches")
    parser.add_argument(
        "--tool", choices=("kennisdeling", "bare"), default="kennisdeling"
    )
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--sort", choices=("cumulative", "own"), default="cumulative")
    args = parser.parse_args(argv)
    profiler = cProfile.Profile()
    with launch_bench() as bench:
        tool: ToolUnderTest = bench.ours if args.tool == "kennisdeling" else bench.bare
        for i in range(20):
            bench.launch(tool, i, record=False)
        counts: dict[str, int] = {}
        if tool is bench.ours:
            count_statements(tool.app, counts)
        profile_requests(tool.app, profiler)
        for i in range(args.n):
            bench.launch(tool, i, record=False)
    stats = pstats.Stats(profiler)
    print(f"{tool.name}: {args.n} launches (login + launch requests), ms per launch")
    if counts:
        print(f"SQL per launch: {counts.get('statements', 0) / args.n:.1f} statements, "
              f"{counts.get('commits', 0) / args.n:.1f} commits (pre-pings not counted)")
    print_top(stats, args.n, args.limit, key=3 if args.sort == "cumulative" else 2)


if __name__ == "__main__":
    main()
