"""Benchmark: `qtx-report tally` on a 100,000-row ledger, beside the bare calamine read of the same file.

Goal: tally ≤ 2 s, and ≤ 1.5 × the bare read, for the ledger as our template writer (openpyxl)
saves it (text as inline strings) and as Excel and WPS save it (text in the shared-string table).

    python bench/bench_tally.py            # 100,000 rows, 3 interleaved runs
    python bench/bench_tally.py --rows 20000 --repeat 5
    python bench/bench_tally.py --quick    # 200 rows, once: that the bench runs, not its times
    python bench/bench_tally.py --stages   # also the CPU time of each step of the sheet's pre-scan

The generated ledgers are cached in the system temp folder (qtx-bench/), since writing one with
openpyxl takes far longer than reading it; the shared-string copy is made from it (same cells).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import random
import re
import statistics
import sys
import tempfile
import time
import zipfile
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


_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?) t="inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>')
_SHARED_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SHARED_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def shared_strings_copy(source: Path, path: Path) -> None:
    """The ledger with every text cell moved into a shared-string table, as Excel and WPS save text:
    the same cells, so both ledgers tally alike."""
    table: dict[bytes, int] = {}

    def shared(found: re.Match[bytes]) -> bytes:
        index = table.setdefault(found.group(3), len(table))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (found.group(1), found.group(2), index)

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        parts = {name: src.read(name) for name in src.namelist()}
        for name in [n for n in parts if n.startswith("xl/worksheets/")]:
            parts[name] = _INLINE.sub(shared, parts[name])
        items = b"".join(b"<si><t%s>%s</t></si>" % (b' xml:space="preserve"' if text != text.strip() else b"", text)
                         for text in table)
        parts["xl/sharedStrings.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                                         b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="%d">'
                                         % len(table) + items + b"</sst>")
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>' % _SHARED_TYPE)
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdBenchShared" Type="%s" Target="sharedStrings.xml"/>'
            b"</Relationships>" % _SHARED_REL)
        for name, data in parts.items():
            out.writestr(name, data)


def ledgers(rows: int) -> dict[str, Path]:
    """The two ledgers of `rows` requests, generated once into the temp folder."""
    cache = Path(tempfile.gettempdir()) / "qtx-bench"
    cache.mkdir(exist_ok=True)
    inline, shared = cache / f"ledger-{rows}.xlsx", cache / f"ledger-{rows}-shared.xlsx"
    if not inline.exists():
        started = time.perf_counter()
        build_ledger(inline, rows)
        print(f"generated {inline} in {time.perf_counter() - started:.1f} s")
    if not shared.exists():
        shared_strings_copy(inline, shared)
    return {"inline strings (our writer, openpyxl)": inline, "shared strings (Excel, WPS)": shared}


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


def stages(path: Path) -> dict[str, float]:
    """CPU seconds of each step the reader takes before calamine builds the sheet (read/sheets.py), and
    of calamine's read, on one ledger."""
    from qtx_report.ooxml import sheetml
    from qtx_report.read.sheets import MAX_CELLS

    spent: dict[str, float] = {}
    with zipfile.ZipFile(path) as archive:
        def step(name: str, func):  # type: ignore[no-untyped-def]
            started = time.process_time()
            result = func()
            spent[name] = time.process_time() - started
            return result

        members = step("pre-scan: the workbook's sheets (sheet_parts)", lambda: sheetml.sheet_parts(archive))[REQUEST_SHEET]
        step("pre-scan: the cells' reach (reach)", lambda: sheetml.reach(archive, members, MAX_CELLS))
        lengths = step("pre-scan: shared strings' lengths", lambda: sheetml.shared_lengths(archive))
        if lengths:  # as the reader: no table, no text to count
            step("pre-scan: the text the cells take (shared_text)", lambda: sheetml.shared_text(archive, members, lengths))
    step("calamine read", lambda: bare_read(path))
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="200 rows, once: that the bench runs, not its times")
    parser.add_argument("--stages", action="store_true", help="also the CPU time of the pre-scan's steps")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeat, args.stages = 200, 1, True
    print(f"load average {os.getloadavg()[0]:.2f}, python at {sys.prefix}")
    found = ledgers(args.rows)
    same = {name: CalamineWorkbook.from_path(str(path)).get_sheet_by_name(REQUEST_SHEET).to_python() for name, path in
            found.items()}
    assert len({repr(rows) for rows in same.values()}) == 1, "the two ledgers must hold the same cells"
    out = Path(tempfile.gettempdir()) / "qtx-bench" / f"report-{args.rows}.json"
    names = [f"{what}, {name}" for name in found for what in ("bare calamine read", "bare read, GC paused", "tally")]
    runs = interleaved(args.repeat, *(func for path in found.values() for func in
                                      (lambda p=path: bare_read(p), lambda p=path: bare_read_no_gc(p),
                                       lambda p=path: run_tally(p, out))))
    print(f"{args.rows:,} rows, {args.repeat} interleaved runs{'':26}wall median    wall min     CPU min")
    for name, times in zip(names, runs, strict=True):
        walls, cpus = [w for w, _ in times], [c for _, c in times]
        print(f"{name:<60}{statistics.median(walls):9.3f} s {min(walls):9.3f} s {min(cpus):9.3f} s")
    for i, name in enumerate(found):
        bare, nogc, tally = ([statistics.median(w for w, _ in t), min(c for _, c in t)] for t in runs[3 * i:3 * i + 3])
        print(f"{name}: tally / bare read {tally[0] / bare[0]:.2f} × wall, {tally[1] / bare[1]:.2f} × CPU "
              f"(goal ≤ 1.5 ×); with the GC paused {tally[0] / nogc[0]:.2f} × wall, {tally[1] / nogc[1]:.2f} × CPU; "
              f"tally {tally[0]:.2f} s (goal ≤ 2 s)")
    for name, path in found.items() if args.stages else ():
        print(f"{name}, CPU median of {args.repeat}:")
        runs_of = [stages(path) for _ in range(args.repeat)]
        for step in runs_of[0]:
            print(f"  {step:50} {statistics.median(r[step] for r in runs_of):7.3f} s")
    print(f"load average {os.getloadavg()[0]:.2f}")

if __name__ == "__main__":
    main()
