"""Timing and reporting helpers shared by the benchmarks."""

from __future__ import annotations

import json
import os
import platform
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def measure(fn: Callable[[], object], *, min_time: float = 0.3, max_reps: int = 10_000) -> float:
    """Median seconds per call of ``fn`` over at least ``min_time`` seconds (>= 3 batches)."""
    fn()  # warm-up (and caches)
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    per_batch = max(1, min(max_reps, int(min_time / 5 / once)))
    samples: list[float] = []
    start = time.perf_counter()
    while len(samples) < 5 or (time.perf_counter() - start < min_time and len(samples) < 50):
        t0 = time.perf_counter()
        for _ in range(per_batch):
            fn()
        samples.append((time.perf_counter() - t0) / per_batch)
        if once > min_time and len(samples) >= 3:
            break
    return statistics.median(samples)


def random_blindings(count: int) -> list[int]:
    """``count`` uniform non-zero scalars (blinding factors for benchmark commitments)."""
    from zkpor.crypto.group import N

    return [secrets.randbelow(N - 1) + 1 for _ in range(count)]


def rounded(obj: Any, digits: int = 3) -> Any:
    """``obj`` with every float in it (nested dicts included) rounded to ``digits``."""
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, dict):
        return {k: rounded(v, digits) for k, v in obj.items()}
    return obj


def timed_against_range_m16(
    fn: Callable[[], object], gens: Any, budget: float
) -> tuple[float, float]:
    """Seconds per call of ``fn`` and, as its yardstick, seconds per native aggregated range
    proof of sixteen 64-bit values (m = 16): the mean of one measurement just before and one
    just after ``fn``'s, so that a drift of the machine's speed shows in both."""
    from functools import partial

    from zkpor.crypto.rangeproof import prove as range_prove

    values = [secrets.randbelow(2**64) for _ in range(16)]
    native = partial(range_prove, values, random_blindings(16), 64, gens=gens)
    before = measure(native, min_time=budget)
    seconds = measure(fn, min_time=budget)
    after = measure(native, min_time=budget)
    return seconds, (before + after) / 2


def machine_info() -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "coincurve": version("coincurve"),
        "py_ecc": version("py_ecc"),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def emit(report: dict[str, Any], out: str | None) -> None:
    """Print the JSON report and, with ``out``, write it atomically to that file."""
    text = json.dumps(report, indent=2)
    print(text)
    if out:
        path = Path(out)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text + "\n")
        tmp.replace(path)
