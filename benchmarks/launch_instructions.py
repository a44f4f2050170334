"""Instructions per launch, counted by valgrind: `python -m benchmarks.launch_instructions`.

The launch benchmark's wall-clock ratio drifts on a shared 2-CPU machine: the
bare tool's p50 has moved from 2.5 to 4.1 ms within one session with nothing
changed, mostly in the kernel's file creation for its file cache. Callgrind
counts the machine instructions the process runs in user space, which is the
same number for the same code and input whatever the machine is doing.

It runs `launch_bench` (the same two tools, platform and launches as
`benchmarks.run --only launch`) inside `valgrind --tool=callgrind`, with
counting switched on only while a tool's `wsgi_app` handles a request (the
login and the launch; not the platform's signing, not the test client).
Each round counts n launches of one tool, then n of the other, and dumps the
count. What it leaves out, for both tools alike: the kernel's share of system
calls (file and socket writes, SQLite's and the bare tool's cache files), cache
misses and waits. So it is the tools' CPU work, not their latency.

Needs valgrind, its `callgrind.h` (Debian's `valgrind` package) and gcc; about
three minutes (Python runs some 60 times slower under valgrind).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .rows import Row
from .run import format_table, machine_line

HEADER = Path("/usr/include/valgrind/callgrind.h")
# Callgrind's client requests are inline machine code, so Python reaches them
# through a small library built for this run.
TOGGLES_C = """
#include <valgrind/callgrind.h>
void kd_toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
void kd_zero(void) { CALLGRIND_ZERO_STATS; }
void kd_dump(const char *label) { CALLGRIND_DUMP_STATS_AT(label); }
"""
DUMP_LABEL = re.compile(r"^desc: Trigger: Client Request: (.+)$", re.M)
TOTAL = re.compile(r"^(?:summary|totals): (\d+)", re.M)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20, help="counted launches per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--split", action="store_true",
        help="count the login and the launch request apart (twice the launches)",
    )
    parser.add_argument("--inner", metavar="LIB", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        _count_launches(ctypes.CDLL(args.inner), args.n, args.rounds, args.split)
        return
    missing = [
        what
        for what, there in (
            ("valgrind", shutil.which("valgrind")),
            ("gcc", shutil.which("gcc")),
            (str(HEADER), HEADER.exists()),
        )
        if not there
    ]
    if missing:
        sys.exit(f"needs {', '.join(missing)} (apt-get install valgrind gcc)")
    with tempfile.TemporaryDirectory(prefix="kd-callgrind-") as tmp:
        counts = _run_under_callgrind(Path(tmp), args.n, args.rounds, args.split)
    print(machine_line())
    rows = []
    for part in PARTS[args.split]:
        rows += _rows(counts, args.n, part)
    print(format_table(rows))


# What a round counts: both requests, or the login and the launch apart.
PARTS = {False: ("login + launch",), True: ("/lti/login", "/lti/launch")}


def _run_under_callgrind(
    tmp: Path, n: int, rounds: int, split: bool
) -> list[tuple[str, int]]:
    library = tmp / "toggles.so"
    (tmp / "toggles.c").write_text(TOGGLES_C)
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", "-o", library, tmp / "toggles.c"], check=True
    )
    out = tmp / "callgrind.out"
    subprocess.run(
        [
            "valgrind", "--tool=callgrind", "--collect-atstart=no",
            f"--callgrind-out-file={out}", "--log-file=" + str(tmp / "valgrind.log"),
            sys.executable, "-m", "benchmarks.launch_instructions",
            "--inner", str(library), "-n", str(n), "--rounds", str(rounds),
            *(["--split"] if split else []),
        ],
        check=True,
        # The same hashes every run: dict and set layouts, so the same work.
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    counts = []
    for dump in sorted(tmp.glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:])):
        text = dump.read_text()
        label, total = DUMP_LABEL.search(text), TOTAL.search(text)
        if label and total:
            counts.append((label.group(1), int(total.group(1))))
    return counts


def _count_launches(toggles: ctypes.CDLL, n: int, rounds: int, split: bool) -> None:
    from .launch import launch_bench

    with launch_bench() as bench:
        counting: dict[str, str | None] = {"part": None}
        for tool in (bench.ours, bench.bare):
            tool.app.wsgi_app = _counted(  # type: ignore[method-assign]
                tool.app.wsgi_app, toggles, counting
            )
        for i in range(20):  # warm-up: imports, templates, caches
            for tool in (bench.ours, bench.bare):
                bench.launch(tool, i, record=False)
        toggles.kd_zero()
        for r in range(rounds):
            pair = (bench.ours, bench.bare) if r % 2 == 0 else (bench.bare, bench.ours)
            for tool in pair:
                for part in PARTS[split]:
                    counting["part"] = part
                    for i in range(n):
                        bench.launch(tool, i, record=False)
                    counting["part"] = None
                    toggles.kd_dump(f"{tool.name}: {part}".encode())


def _counted(
    inner: Callable[..., Any], toggles: ctypes.CDLL, counting: dict[str, str | None]
) -> Callable[..., Any]:
    def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        part = counting["part"]
        if part is None or part not in ("login + launch", environ["PATH_INFO"]):
            return inner(environ, start_response)
        toggles.kd_toggle()
        try:
            return list(inner(environ, start_response))  # the body is the tool's too
        finally:
            toggles.kd_toggle()

    return wsgi_app


def _rows(counts: list[tuple[str, int]], n: int, part: str) -> list[Row]:
    per_launch: dict[str, list[float]] = {}
    for label, total in counts:
        per_launch.setdefault(label, []).append(total / n / 1e6)
    ours = per_launch.get(f"kennisdeling: {part}", [])
    bare = per_launch.get(f"bare pylti1p3: {part}", [])
    if not ours or len(ours) != len(bare):
        sys.exit(f"callgrind gave no usable counts: {counts}")
    rows = [
        Row(
            f"{part}, million instructions per launch: {name}",
            {"rounds": len(values), **_spread(values)},
        )
        for name, values in (("kennisdeling", ours), ("bare pylti1p3", bare))
    ]
    ratios = [o / b for o, b in zip(ours, bare, strict=True)]
    rows.append(
        Row(
            f"{part}: kennisdeling / bare",
            {"rounds": len(ratios), **{k: f"{v:.3f}x" for k, v in _spread(ratios).items()}},
        )
    )
    return rows


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


if __name__ == "__main__":
    main()
