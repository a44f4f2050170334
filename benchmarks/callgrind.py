"""Count a Python process's instructions in chosen stretches, under valgrind's callgrind.

Callgrind counts the machine instructions a process runs in user space: the same
number for the same code and input, whatever else the machine is doing. A
script re-runs itself under `valgrind --tool=callgrind --collect-atstart=no`
(`run_counted`); inside, `Toggles` switches counting on and off around the work
to count and dumps the count under a label. Its client requests are inline
machine code, so a five-line C library is compiled for the run.

Left out, for whatever is counted: the kernel's share of system calls, cache
misses and waits. Needs valgrind with `callgrind.h` (Debian's `valgrind`
package) and gcc; Python runs some 60 times slower under valgrind.
"""

from __future__ import annotations

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

HEADER = Path("/usr/include/valgrind/callgrind.h")
TOGGLES_C = """
#include <valgrind/callgrind.h>
void kd_toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
void kd_zero(void) { CALLGRIND_ZERO_STATS; }
void kd_dump(const char *label) { CALLGRIND_DUMP_STATS_AT(label); }
"""
DUMP_LABEL = re.compile(r"^desc: Trigger: Client Request: (.+)$", re.M)
TOTAL = re.compile(r"^(?:summary|totals): (\d+)", re.M)


class Toggles:
    """Callgrind's switches, from inside the counted process (`--inner LIB`)."""

    def __init__(self, library: str) -> None:
        self._lib = ctypes.CDLL(library)

    def zero(self) -> None:
        self._lib.kd_zero()

    def dump(self, label: str) -> None:
        """Write the count since the last dump under `label`, and start again at 0."""
        self._lib.kd_dump(label.encode())

    def counted_wsgi(
        self, inner: Callable[..., Any], counts: Callable[[dict[str, Any]], bool]
    ) -> Callable[..., Any]:
        """`inner`, counted for the requests where `counts(environ)` is true."""

        def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if not counts(environ):
                return inner(environ, start_response)
            self._lib.kd_toggle()
            try:
                return list(inner(environ, start_response))  # the body is the app's too
            finally:
                self._lib.kd_toggle()

        return wsgi_app


def run_counted(module: str, arguments: Sequence[str]) -> list[tuple[str, int]]:
    """Run `python -m module --inner LIB *arguments` under callgrind: (label, count) per dump."""
    missing = [what for what, there in (
        ("valgrind", shutil.which("valgrind")),
        ("gcc", shutil.which("gcc")),
        (str(HEADER), HEADER.exists()),
    ) if not there]
    if missing:
        sys.exit(f"needs {', '.join(missing)} (apt-get install valgrind gcc)")
    with tempfile.TemporaryDirectory(prefix="kd-callgrind-") as name:
        tmp = Path(name)
        library = tmp / "toggles.so"
        (tmp / "toggles.c").write_text(TOGGLES_C)
        subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", library, tmp / "toggles.c"],
                       check=True)
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--collect-atstart=no",
             f"--callgrind-out-file={tmp / 'callgrind.out'}",
             f"--log-file={tmp / 'valgrind.log'}",
             sys.executable, "-m", module, "--inner", str(library), *arguments],
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


def per_label(counts: list[tuple[str, int]], n: int) -> dict[str, list[float]]:
    """Million instructions per counted unit (n per dump), by label, one value per dump."""
    values: dict[str, list[float]] = {}
    for label, total in counts:
        values.setdefault(label, []).append(total / n / 1e6)
    return values


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}
