"""Run the benchmarks and print one table (`python -m benchmarks.run -n 50`)."""

from __future__ import annotations

import argparse
import os
import platform
import resource
from collections.abc import Callable, Sequence
from pathlib import Path

from .database import database_label
from .rows import Row, Value


def _launch(n: int) -> list[Row]:
    from . import launch

    return launch.run(n)


def _certificates(n: int) -> list[Row]:
    from . import certificates

    return certificates.run(n)


def _dashboard(n: int) -> list[Row]:
    from . import dashboard

    return dashboard.run(n)


def _credentials(n: int) -> list[Row]:
    from . import credentials

    return credentials.run(n, list_size=50_000)


def _verify(n: int) -> list[Row]:
    from . import verify_share

    return verify_share.run(n)


# One entry per measurement module; each takes n and returns its rows.
MEASUREMENTS: dict[str, Callable[[int], list[Row]]] = {
    "launch": _launch,
    "certificates": _certificates,
    "dashboard": _dashboard,
    "credentials": _credentials,
    "verify": _verify,
}


def format_table(rows: Sequence[Row]) -> str:
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row.values if key not in columns]
    header = ["", *columns]
    lines = [header] + [
        [row.name, *(_cell(row.values.get(column, "")) for column in columns)]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def machine_line() -> str:
    return (
        f"machine: {os.cpu_count()} CPUs, {_cpu_model()}, Python "
        f"{platform.python_version()} ({platform.system()} {platform.machine()}); "
        f"database: {database_label()}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(MEASUREMENTS), action="append")
    parser.add_argument("-n", type=int, default=50, help="timed runs per row")
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error("-n must be at least 2")
    rows: list[Row] = []
    for name in args.only or MEASUREMENTS:
        rows += MEASUREMENTS[name](args.n)
    # Peak resident memory of this process over the whole run (Linux: KiB).
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(Row("peak memory of the benchmark process", {"MB": round(peak_mb, 1)}))
    print(machine_line())
    print(format_table(rows))


def _cell(value: Value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _cpu_model() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    for line in cpuinfo.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


if __name__ == "__main__":
    main()
