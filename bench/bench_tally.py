"""Benchmark: `qtx-report tally` on a 100,000-row ledger, beside the bare calamine read of the same file.

Goal: tally ≤ 2 s, and ≤ 1.5 × the bare read.

    .venv/bin/python bench/bench_tally.py            # 100,000 rows, best of 3
    .venv/bin/python bench/bench_tally.py --rows 20000 --repeat 5

The generated ledger is cached in the system temp folder (qtx-bench/), since writing it with
openpyxl takes far longer than reading it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from python_calamine import CalamineWorkbook

from qtx_report.cli.ledger import tally_command
from qtx_report.ledger.columns import REQUEST_COLUMNS, REQUEST_SHEET, YES, applicant_choices, result_choices
from qtx_report.ledger.workdays import add_workdays

YEAR = 2024


def make_row(i: int, rng: random.Random, applicants: list[str], results: list[str]) -> dict[str, object]:
    """One plausible request: most answered in 5–25 working days, some 补正, 征求意见, 延期, a few open."""
    received = date(YEAR - 1, 7, 1) + timedelta(days=rng.randrange(540))
    row: dict[str, object] = {
        "number": f"{received.year}-{i:06d}", "received": received, "name": f"申请人{i}",
        "contact": f"1390000{i % 10000:04d}", "applicant": rng.choice(applicants), "method": "网络",
        "content": "申请公开某项目的审批文件", "delivery": "电子邮件",
    }
    start = received
    if rng.random() < 0.1:
        row |= {"correction": YES, "correction_notice": add_workdays(received, rng.randint(1, 8)),
                "correction_done": add_workdays(received, rng.randint(9, 20))}
        start = row["correction_done"]  # type: ignore[assignment]
    if rng.random() < 0.05:
        row |= {"consulted": YES, "consult_from": add_workdays(start, 3), "consult_to": add_workdays(start, 13)}
    if rng.random() < 0.08:
        row["extended"] = YES
    if rng.random() < 0.97:
        limit = 40 if row.get("extended") else 20
        answered = add_workdays(start, rng.randint(0, limit + 1))  # about one in twenty is late
        if answered <= date(YEAR + 1, 1, 20):
            row |= {"answered": answered, "result": rng.choice(results)}
    return row


def build_ledger(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(REQUEST_SHEET)
    ws.append([c.label for c in REQUEST_COLUMNS])
    rng = random.Random(20240101)
    applicants = [t for t, _ in applicant_choices("2021")]
    results = [t for t, _ in result_choices("2021")]
    keys = [c.key for c in REQUEST_COLUMNS]
    for i in range(1, rows + 1):
        row = make_row(i, rng, applicants, results)
        ws.append([row.get(k) for k in keys])
    wb.save(path)


def timed(func) -> tuple[float, float]:
    """(wall, CPU) seconds. CPU time is reported too because the machines this runs on are shared:
    when other jobs compete for the two cores, wall time grows and CPU time does not."""
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def interleaved(repeat: int, *funcs) -> list[list[tuple[float, float]]]:
    """(wall, CPU) of every run of each function; runs interleaved so all see the same machine load."""
    runs: list[list[tuple[float, float]]] = [[] for _ in funcs]
    for _ in range(repeat):
        for i, func in enumerate(funcs):
            runs[i].append(timed(func))
    return runs


def bare_read(path: Path) -> None:
    CalamineWorkbook.from_path(str(path)).get_sheet_by_name(REQUEST_SHEET).to_python(skip_empty_area=False)


def bare_read_no_gc(path: Path) -> None:
    """The same read with the garbage collector paused, as `tally` runs: the fair baseline."""
    gc.disable()
    try:
        bare_read(path)
    finally:
        gc.enable()


def run_tally(path: Path, out: Path) -> None:
    out.unlink(missing_ok=True)
    with contextlib.redirect_stdout(io.StringIO()):
        code = tally_command(path, year=YEAR, output=out, agency="基准测试单位", today=date(YEAR + 1, 1, 10))
    assert code == 0, f"tally exited {code}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / "qtx-bench"
    cache.mkdir(exist_ok=True)
    ledger = cache / f"ledger-{args.rows}.xlsx"
    if not ledger.exists():
        started = time.perf_counter()
        build_ledger(ledger, args.rows)
        print(f"generated {ledger} in {time.perf_counter() - started:.1f} s")
    out = cache / f"report-{args.rows}.json"
    names = ("bare calamine read", "bare read, GC paused", "qtx-report tally")
    runs = interleaved(args.repeat, lambda: bare_read(ledger), lambda: bare_read_no_gc(ledger),
                       lambda: run_tally(ledger, out))
    print(f"{args.rows:,} rows, {args.repeat} interleaved runs   wall median    wall min     CPU min")
    for name, times in zip(names, runs, strict=True):
        walls, cpus = [w for w, _ in times], [c for _, c in times]
        print(f"{name:<34}{statistics.median(walls):9.3f} s {min(walls):9.3f} s {min(cpus):9.3f} s")
    (bare, nogc, tally) = ([statistics.median(w for w, _ in t), min(c for _, c in t)] for t in runs)
    print(f"{'tally / bare read':<34}{tally[0] / bare[0]:9.2f} ×             {tally[1] / bare[1]:9.2f} ×"
          "   goal ≤ 1.5 ×")
    print(f"{'tally / bare read, GC paused':<34}{tally[0] / nogc[0]:9.2f} ×             {tally[1] / nogc[1]:9.2f} ×")
    print(f"goal ≤ 2 s for the tally: {'met' if statistics.median(w for w, _ in runs[2]) <= 2 else 'not met'}"
          " (median wall)")

if __name__ == "__main__":
    main()
