"""The hostile-input suite: every case runs the real command in a new process, bounded in time and
memory, and must end as a user expects: exit 0, 1 or 2, a Chinese message naming the file, no
traceback, the input untouched, outputs complete or absent.

Sized for CI by default. `QTX_FUZZ=nightly` runs many more generated cases (see README).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings

NIGHTLY = os.environ.get("QTX_FUZZ") == "nightly"
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("nightly", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile("nightly" if NIGHTLY else "ci")

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
TIME_LIMIT_S = 20
MEMORY_LIMIT = 512 * 1024 * 1024
SEEDED_CASES = 400 if NIGHTLY else 12  # per seeded generator
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def damaged_bytes(rng: random.Random, data: bytes, how: str) -> bytes:
    """The whole file truncated at a random byte ("truncate"), or with 1 to 20 bytes overwritten."""
    if how == "truncate":
        return data[:rng.randrange(len(data))]
    damaged = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
    return bytes(damaged)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def run_cli(*args: str, cwd: Path | None = None, inputs: tuple[Path, ...] = ()) -> Outcome:
    """Run `qtx-report ARGS` as a user would, and assert what every run owes its user."""
    before = {p: digest(p) for p in inputs}
    env = {**os.environ, "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "qtx_report", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIME_LIMIT_S, preexec_fn=_limit_memory, stdin=subprocess.DEVNULL)
    outcome = Outcome(done.returncode, done.stdout, done.stderr)
    assert_well_behaved(outcome, args)
    for path, was in before.items():
        assert digest(path) == was, f"input {path} was modified"
    return outcome


def assert_well_behaved(outcome: Outcome, args: tuple[str, ...]) -> None:
    shown = f"qtx-report {' '.join(args)}\nexit {outcome.code}\nstdout: {outcome.stdout[-2000:]}\nstderr: {outcome.stderr[-2000:]}"
    assert outcome.code in (0, 1, 2), shown
    assert "Traceback" not in outcome.stderr and "Traceback" not in outcome.stdout, shown
    if outcome.code == 2:
        assert _CJK.search(outcome.stderr + outcome.stdout), f"exit 2 without a Chinese message\n{shown}"
