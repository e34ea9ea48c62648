"""Side-by-side timing for the reader benches: every way of reading one file, run in turn within
each round (so a busy machine slows all of them alike), with medians, and optionally the medians of
a reader's own steps."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

Steps = Callable[[Path], dict[str, float]]


def interleaved(rows: dict[str, Callable[[Path], object]], path: Path, runs: int,
                stages: Steps | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """Median milliseconds of each row, and of each step `stages` reports (none without it)."""
    times: dict[str, list[float]] = {name: [] for name in rows}
    steps: dict[str, list[float]] = {}
    for run in rows.values():  # warm up: imports, the library's first load
        run(path)
    for _ in range(runs):
        for name, run in rows.items():
            start = time.perf_counter()
            run(path)
            times[name].append(time.perf_counter() - start)
        for name, seconds in (stages(path) if stages else {}).items():
            steps.setdefault(name, []).append(seconds)
    return ({name: statistics.median(t) * 1000 for name, t in times.items()},
            {name: statistics.median(s) * 1000 for name, s in steps.items()})


def print_ratios(median: dict[str, float], floor: str, width: int = 32) -> None:
    for name, ms in median.items():
        print(f"{name:{width}} {ms:8.2f} ms  {ms / median[floor]:6.2f} ×")


def print_steps(title: str, steps: dict[str, float]) -> None:
    if steps:
        print(f"{title} (medians):")
        for name, ms in steps.items():
            print(f"  {name:46} {ms:6.2f} ms")


def arguments(reader: str, runs: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--stages", action="store_true", help=f"also time {reader}'s steps")
    parser.add_argument("--quick", action="store_true", help="every row and step once (the CI's run): that the "
                        "bench runs, not its times")
    given = parser.parse_args()
    if given.quick:
        given.runs, given.stages = 1, True
    return given
