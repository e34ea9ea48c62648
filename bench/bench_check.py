"""Benchmark of `check`, side by side with python-calamine merely reading the same files.

Run: python bench/bench_check.py [--files 50] [--runs 15] [--stages] [--quick]
(with the python of the environment to measure: a wheel installed into a fresh venv is what users get)

(1) in process: load + validate N agency workbooks vs reading every sheet of them with calamine,
    with the reader's steps on the same files (the sheets pre-scanned and read, the tables found);
(2) whole process: `qtx-report check one.xlsx` vs the floor of the chosen libraries, a process that
    runs a typer command with the same signature as `check` (a group, as ours), imports pydantic
    and reads the same file with calamine.
`--stages` adds (1)'s pre-scan in its steps: the sheets' parts found, their cells' reach.
Runs are interleaved so machine noise hits both sides. `--quick` runs everything once on 2 files
(the CI's run, so the bench cannot rot; its times mean nothing).
"""

from __future__ import annotations

import argparse
import inspect
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from python_calamine import CalamineWorkbook

from qtx_report import synth
from qtx_report.read.load import load_report
from qtx_report.read.sheets import read_sheets
from qtx_report.read.xlsx import read_workbook
from qtx_report.rules.registry import validate
from qtx_report.write.workbook import write_template

FLOOR = '''
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pydantic  # noqa: F401
import typer
from python_calamine import CalamineWorkbook

app = typer.Typer(add_completion=False)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def checked(value):
    return value


@app.callback()
def main() -> None:
    pass


@app.command()
def check(
    files: Annotated[list[str], typer.Argument()],
    previous: Annotated[str | None, typer.Option()] = None,
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.text,
    strict: Annotated[bool, typer.Option()] = False,
    city_deadline: Annotated[str, typer.Option(callback=checked)] = "01-15",
    law_deadline: Annotated[str, typer.Option(callback=checked)] = "01-31",
    archive: Annotated[Path | None, typer.Option()] = None,
) -> None:
    for path in files:
        book = CalamineWorkbook.from_path(path)
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)


if __name__ == "__main__":
    app()
'''


def same_signature() -> None:
    """The floor's command must take what `check` takes, or the comparison is not the one stated."""
    from qtx_report.cli.app import check

    scope: dict[str, object] = {}
    exec(compile(FLOOR, "floor", "exec"), scope)
    ours, floor = inspect.signature(check), inspect.signature(scope["check"])  # type: ignore[arg-type]
    shape = [[(p.name, str(p.default)) for p in sig.parameters.values()] for sig in (ours, floor)]
    if shape[0] != shape[1]:
        raise SystemExit(f"the floor's command differs from check's: {ours} vs {floor}")


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


def cpu_seconds() -> float:
    """CPU time of this process and of the processes it waited for: on a shared machine the wall
    clock grows with others' load, CPU time hardly."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def interleaved(rows: dict[str, Callable[[], object]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each row, the rows run in turn in every round."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in rows}
    for run in rows.values():
        run()  # warm: imports, caches, the files in the page cache
    for _ in range(runs):
        for name, run in rows.items():
            started, cpu = time.perf_counter(), cpu_seconds()
            run()
            times[name].append((time.perf_counter() - started, cpu_seconds() - cpu))
    return {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for name, t in times.items()}


def pre_scan(paths: list[Path], reach: bool) -> None:
    """The reader's pre-scan alone (read.sheets): each workbook's sheet parts, and their cells' reach."""
    from qtx_report.ooxml import sheetml
    from qtx_report.read.sheets import MAX_CELLS

    for path in paths:
        with zipfile.ZipFile(path) as archive:
            parts = sheetml.sheet_parts(archive)
            for members in parts.values() if reach else ():
                sheetml.reach(archive, members, MAX_CELLS)


def in_process(paths: list[Path], runs: int, stages: bool) -> dict[str, tuple[float, float]]:
    steps = {"pre-scan: the sheets' parts": lambda: pre_scan(paths, reach=False),
             "pre-scan: parts + the cells' reach": lambda: pre_scan(paths, reach=True)} if stages else {}
    return interleaved({
        "calamine read (the floor)": lambda: bare_read(paths),
        **steps,
        "our sheets: pre-scan + calamine": lambda: [read_sheets(p) for p in paths],
        "load (sheets + tables + text)": lambda: [read_workbook(p) for p in paths],
        "load + validate (ours)": lambda: [validate(load_report(p)) for p in paths],
    }, runs)


def whole_process(path: Path, runs: int, work: Path) -> dict[str, float]:
    floor = work / "floor.py"
    floor.write_text(FLOOR, encoding="utf-8")
    exe = str(Path(sys.executable).parent / "qtx-report")
    quiet = {"stdout": subprocess.DEVNULL}
    return interleaved({
        "floor: typer command, pydantic, calamine": lambda: subprocess.run([sys.executable, str(floor), "check", str(path)],
                                                                            check=True, **quiet),
        "qtx-report check one.xlsx": lambda: subprocess.run([exe, "check", str(path)], **quiet),
    }, runs)


def heavy_imports_on_check_path() -> str:
    """A script that runs `check` in process and prints which heavy modules got imported."""
    return ("import sys\nfrom qtx_report.cli.app import main\nsys.argv=['qtx-report','check',sys.argv[1]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('openpyxl','docxtpl','docx','matplotlib','rich','jinja2','httpx','lxml','sqlalchemy','fastapi','uvicorn') "
            "if m in sys.modules]\nprint('HEAVY:' + (','.join(heavy) or 'none'))")


def print_rows(title: str, medians: dict[str, tuple[float, float]], per: int = 1) -> None:
    floor, floor_cpu = next(iter(medians.values()))
    print(f"{title}\n  {'':44} {'wall':>11} {'':7} {'CPU':>11}")
    for name, (wall, cpu) in medians.items():
        print(f"  {name:44} {wall * 1000 / per:8.2f} ms  {wall / floor:5.2f} ×  {cpu * 1000 / per:8.2f} ms  "
              f"{cpu / floor_cpu:5.2f} ×")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--stages", action="store_true", help="also the pre-scan's steps")
    parser.add_argument("--quick", action="store_true", help="once on 2 files: that the bench runs, not its times")
    args = parser.parse_args()
    files, runs = (2, 1) if args.quick else (args.files, args.runs)
    stages = args.stages or args.quick
    same_signature()
    print(f"load average {os.getloadavg()[0]:.2f}, python {sys.version.split()[0]} at {sys.prefix}")
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_workbooks(Path(tmp), files)
        print_rows(f"(1) in process, {files} workbooks, per workbook (goal: load + validate <= 1.5 x):",
                   in_process(paths, max(1, runs // 3) if args.quick else max(3, runs // 3), stages), per=files)
        print_rows("(2) whole process, one workbook (goal <= 1.25 x):", whole_process(paths[0], runs, Path(tmp)))
        probe = subprocess.run([sys.executable, "-c", heavy_imports_on_check_path(), str(paths[0])],
                               capture_output=True, text=True)
        heavy = next((line.removeprefix("HEAVY:") for line in probe.stdout.splitlines() if line.startswith("HEAVY:")),
                     "probe failed")
        print(f"heavy modules imported by `check`: {heavy}")
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
