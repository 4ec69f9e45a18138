"""Small helpers for latency figures."""

from __future__ import annotations

import numpy as np


def percentiles_ms(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds of a list of durations in seconds."""
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    values = np.asarray(seconds) * 1000.0
    return {f"p{q}_ms": round(float(np.percentile(values, q)), 2) for q in (50, 95, 99)}
