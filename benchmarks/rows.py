"""One table row per measurement, and the statistics that fill it."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Value = float | int | str


@dataclass(frozen=True)
class Row:
    """A labelled row; the printer makes one column per distinct key."""

    name: str
    values: Mapping[str, Value]


def percentile(samples: Sequence[float], pct: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def timing_row(name: str, samples_ms: Sequence[float]) -> Row:
    """n, p50, p95, mean (ms) and how many fit in a second at the mean."""
    mean = statistics.fmean(samples_ms)
    return Row(
        name,
        {
            "n": len(samples_ms),
            "p50 ms": percentile(samples_ms, 50),
            "p95 ms": percentile(samples_ms, 95),
            "mean ms": mean,
            "per second": 1000 / mean,
        },
    )


def ratio_row(name: str, ours: Sequence[float], base: Sequence[float]) -> Row:
    """ours / base for p50, p95 and mean; below 1.00x means ours is faster."""

    def ratio(stat: float, base_stat: float) -> str:
        return f"{stat / base_stat:.2f}x"

    return Row(
        name,
        {
            "p50 ms": ratio(percentile(ours, 50), percentile(base, 50)),
            "p95 ms": ratio(percentile(ours, 95), percentile(base, 95)),
            "mean ms": ratio(statistics.fmean(ours), statistics.fmean(base)),
        },
    )
