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

About three minutes; what it needs is in `benchmarks/callgrind.py`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .callgrind import Toggles, per_label, run_counted, spread
from .rows import Row
from .run import format_table, machine_line

# What a round counts: both requests, or the login and the launch apart.
PARTS = {False: ("login + launch",), True: ("/lti/login", "/lti/launch")}


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
        _count_launches(Toggles(args.inner), args.n, args.rounds, args.split)
        return
    counts = run_counted(
        "benchmarks.launch_instructions",
        ["-n", str(args.n), "--rounds", str(args.rounds), *(["--split"] * args.split)],
    )
    print(machine_line())
    rows = []
    for part in PARTS[args.split]:
        rows += _rows(counts, args.n, part)
    print(format_table(rows))


def _count_launches(toggles: Toggles, n: int, rounds: int, split: bool) -> None:
    from .launch import launch_bench

    with launch_bench() as bench:
        counting: dict[str, str | None] = {"part": None}

        def counts(environ: dict) -> bool:
            part = counting["part"]
            return part is not None and part in ("login + launch", environ["PATH_INFO"])

        for tool in (bench.ours, bench.bare):
            tool.app.wsgi_app = toggles.counted_wsgi(tool.app.wsgi_app, counts)  # type: ignore[method-assign]
        for i in range(20):  # warm-up: imports, templates, caches
            for tool in (bench.ours, bench.bare):
                bench.launch(tool, i, record=False)
        toggles.zero()
        for r in range(rounds):
            pair = (bench.ours, bench.bare) if r % 2 == 0 else (bench.bare, bench.ours)
            for tool in pair:
                for part in PARTS[split]:
                    counting["part"] = part
                    for i in range(n):
                        bench.launch(tool, i, record=False)
                    counting["part"] = None
                    toggles.dump(f"{tool.name}: {part}")


def _rows(counts: list[tuple[str, int]], n: int, part: str) -> list[Row]:
    per_launch = per_label(counts, n)
    ours = per_launch.get(f"kennisdeling: {part}", [])
    bare = per_launch.get(f"bare pylti1p3: {part}", [])
    if not ours or len(ours) != len(bare):
        sys.exit(f"callgrind gave no usable counts: {counts}")
    rows = [
        Row(
            f"{part}, million instructions per launch: {name}",
            {"rounds": len(values), **spread(values)},
        )
        for name, values in (("kennisdeling", ours), ("bare pylti1p3", bare))
    ]
    ratios = [o / b for o, b in zip(ours, bare, strict=True)]
    rows.append(
        Row(
            f"{part}: kennisdeling / bare",
            {"rounds": len(ratios), **{k: f"{v:.3f}x" for k, v in spread(ratios).items()}},
        )
    )
    return rows


if __name__ == "__main__":
    main()
