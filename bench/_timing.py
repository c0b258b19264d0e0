"""Shared timing for the micro-benchmarks (bench/sdjwt.py, bench/integrity.py)."""

from __future__ import annotations

import time
from collections.abc import Callable


def rates(fns: dict[str, Callable[[], object]], seconds: float) -> dict[str, float]:
    """Calls per CPU-second of each function: the best of many short rounds, interleaved so that
    load from other processes hits every contender alike. CPU time (``process_time``) rather
    than wall time, so that time spent waiting for a busy machine's CPU is not counted."""
    batch: dict[str, int] = {}
    for name, fn in fns.items():
        fn()
        start, count = time.perf_counter(), 0
        while time.perf_counter() - start < 0.01:
            fn()
            count += 1
        batch[name] = max(count, 1)
    best = dict.fromkeys(fns, 0.0)
    rounds = max(5, int(seconds / (0.01 * len(fns))))
    for _ in range(rounds):
        for name, fn in fns.items():
            n = batch[name]
            start = time.process_time()
            for _ in range(n):
                fn()
            best[name] = max(best[name], n / max(time.process_time() - start, 1e-9))
    return best
