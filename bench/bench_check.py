"""Benchmark of `check`, side by side with python-calamine merely reading the same files.

Run: .venv/bin/python bench/bench_check.py [--files 50] [--runs 15]

(1) in process: load + validate N agency workbooks vs reading every sheet of them with calamine;
(2) whole process: `qtx-report check one.xlsx` vs a process that imports typer and pydantic and
    reads the same file with calamine. Runs are interleaved so machine noise hits both sides.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from python_calamine import CalamineWorkbook

from qtx_report import synth
from qtx_report.read.load import load_report
from qtx_report.rules.registry import validate
from qtx_report.write.workbook import write_template

BARE_PROCESS = (
    "import sys, typer, pydantic\n"
    "from python_calamine import CalamineWorkbook\n"
    "book = CalamineWorkbook.from_path(sys.argv[1])\n"
    "[book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names]\n"
)


def make_workbooks(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"agency{i:04d}.xlsx"
        write_template(path, report=synth.report(f"青铜峡市第{i}局", 2025, "2021", i, size=2), overwrite=True)
        paths.append(path)
    return paths


def bare_read(paths: list[Path]) -> None:
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def check_all(paths: list[Path]) -> None:
    for path in paths:
        validate(load_report(path))


def timed(func, *args, **kwargs) -> float:
    started = time.perf_counter()
    func(*args, **kwargs)
    return time.perf_counter() - started


def in_process(paths: list[Path], runs: int) -> tuple[float, float]:
    bare, ours = [], []
    for _ in range(runs):
        bare.append(timed(bare_read, paths))
        ours.append(timed(check_all, paths))
    return statistics.median(bare), statistics.median(ours)


def whole_process(path: Path, runs: int) -> tuple[float, float]:
    exe = Path(sys.executable).parent / "qtx-report"
    bare_cmd = [sys.executable, "-c", BARE_PROCESS, str(path)]
    ours_cmd = [str(exe), "check", str(path)]
    bare, ours = [], []
    for _ in range(runs):
        bare.append(timed(subprocess.run, bare_cmd))
        ours.append(timed(subprocess.run, ours_cmd, stdout=subprocess.DEVNULL))
    return statistics.median(bare), statistics.median(ours)


def heavy_imports_on_check_path() -> str:
    """A script that runs `check` in process and prints which heavy modules got imported."""
    return ("import sys\nfrom qtx_report.cli.app import main\nsys.argv=['qtx-report','check',sys.argv[1]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "heavy = [m for m in ('openpyxl','docxtpl','docx','matplotlib','rich','jinja2') if m in sys.modules]\n"
             "print('HEAVY:' + (','.join(heavy) or 'none'))")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_workbooks(Path(tmp), args.files)
        bare, ours = in_process(paths, max(3, args.runs // 3))
        print(f"(1) in process, {args.files} workbooks: calamine read {bare * 1000:.1f} ms, "
              f"load+validate {ours * 1000:.1f} ms, ratio {ours / bare:.2f}x (goal <= 1.5x)")
        bare_p, ours_p = whole_process(paths[0], args.runs)
        print(f"(2) whole process, one workbook: bare {bare_p * 1000:.1f} ms, qtx-report check {ours_p * 1000:.1f} ms, "
              f"ratio {ours_p / bare_p:.2f}x (goal <= 1.25x)")
        probe = subprocess.run([sys.executable, "-c", heavy_imports_on_check_path(), str(paths[0])],
                               capture_output=True, text=True)
        heavy = next((line.removeprefix("HEAVY:") for line in probe.stdout.splitlines() if line.startswith("HEAVY:")),
                     "probe failed")
        print(f"heavy modules imported by `check`: {heavy}")


if __name__ == "__main__":
    main()
