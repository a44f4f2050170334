"""CPU seconds by process during a phase: where a loaded machine's time goes.

On 2 CPUs shared by the tool, PostgreSQL and the load script itself, a request's
latency is its wait in gunicorn's queue; what the queue drains at is how much
CPU each learner's requests cost, on every side. Read from /proc (Linux).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (all its threads)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def postgres_backends(database: str) -> set[int]:
    """The PostgreSQL server processes serving connections to `database`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            found.add(int(entry.name))
    return found


def machine_busy_cpu() -> float:
    """Every CPU's non-idle seconds since boot (/proc/stat), all processes."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / _TICK


class CpuMeter:
    """CPU seconds each group of processes used between start() and stop();
    a process that exits meanwhile is not counted (its CPU is then in "others")."""

    def __init__(self, groups: dict[str, Callable[[], Iterable[int]]]) -> None:
        self.groups = groups
        self._before: dict[int, float] = {}
        self._machine = 0.0

    def start(self) -> None:
        self._before = {pid: cpu for pids in self.groups.values() for pid in pids()
                        if (cpu := process_cpu(pid)) is not None}
        self._machine = machine_busy_cpu()

    def stop(self) -> dict[str, float]:
        used = {}
        for name, pids in self.groups.items():
            total = 0.0
            for pid in set(pids()):
                cpu = process_cpu(pid)
                if cpu is not None:
                    total += cpu - self._before.get(pid, 0.0)
            used[name] = round(total, 1)
        machine = machine_busy_cpu() - self._machine
        used["others on the machine"] = round(max(0.0, machine - sum(used.values())), 1)
        used["the whole machine (busy CPU s)"] = round(machine, 1)
        return used
