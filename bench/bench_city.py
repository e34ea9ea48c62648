"""Benchmark of `qtx-report city` against the bare python-calamine read of the same files.

Run:  python bench/bench_city.py [--sizes 36 500 5000] [--repeat 3] [--jobs N] [--work DIR] [--quick]
(with the python of the environment to measure: a wheel installed into a fresh venv is what users get)

For each N, bench/make_workbooks.py writes N agency workbooks and a roster (kept in --work and
reused by later runs). Then, interleaved so machine noise hits both sides alike:
- bare read: a fresh Python process that reads every sheet of every workbook with python-calamine
  (`to_python`), nothing else — the floor of any tool that reads these files;
- city: a fresh process running `qtx-report city DIR --roster 名单.xlsx -o OUT [--jobs N]`, the whole
  command as the office runs it: interpreter start, imports, worker processes, every check,
  the sums, 全市汇总.xlsx, the report draft with its charts, the JSON;
- floor with outputs (at the smallest N): a fresh process that imports the output libraries city
  uses (matplotlib's Figure and Agg canvas, openpyxl, python-docx, docxtpl, jinja2, numpy) and
  reads the same files as the bare read — the fixed cost any tool writing these outputs pays.
Both are timed by the wall clock around the process, and by the CPU time (user + system) of the
process and its workers: on a shared machine the wall clock of the parallel side suffers most
from other load, the CPU time hardly. Memory: the peak of the summed PSS of the
process and all its worker processes (sampled from /proc every 50 ms; PSS counts pages shared
between the forked workers once), and ru_maxrss of the main process and of the largest worker.
Goals (bench/README.md): the slope between the two largest N ≤ 1.5 × the bare read's; at the
smallest N (36, a real city) ≤ 1.5 × the floor with outputs; peak memory ≤ 300 MB at 5,000.
`--quick` runs each side once at N = 5 (the CI's run, so the bench cannot rot; its times mean nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BARE = """
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
"""

FLOOR = """
import docx, docxtpl, jinja2, numpy, openpyxl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
""" + BARE

CITY = """
import json, resource, sys
from qtx_report.cli.app import main
report, sys.argv = sys.argv[1], ["qtx-report", "city", *sys.argv[2:]]
try:
    main()
except SystemExit as done:
    code = done.code
usage = lambda who: resource.getrusage(who).ru_maxrss
with open(report, "w") as out:
    json.dump({"exit": code, "rss_main_kb": usage(resource.RUSAGE_SELF),
               "rss_worker_kb": usage(resource.RUSAGE_CHILDREN)}, out)
"""


@dataclass
class Run:
    seconds: float
    cpu_seconds: float  # user + system of the process and every worker it waited for
    peak_pss_mb: float


def tree_pss_kb(pid: int) -> int:
    """Summed PSS of a process and its descendants (0 for those that are gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def measured(command: list[str]) -> Run:
    """Run `command` to the end; wall time and the peak PSS of its process tree."""
    peak = [0]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_pss_kb(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)  # its rusage includes the workers it joined
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    return Run(seconds, usage.ru_utime + usage.ru_stime, peak[0] / 1024)


def workbooks(work: Path, count: int) -> tuple[Path, Path]:
    """The folder of `count` workbooks and its roster, generated once and reused."""
    from make_workbooks import generate

    folder = work / f"n{count}"
    reports = folder / "reports"
    marker = folder / "complete"
    if not marker.exists():
        started = time.perf_counter()
        generate(folder, count)
        marker.write_text(str(count))
        print(f"  generated {count} workbooks in {time.perf_counter() - started:.1f} s", flush=True)
    return reports, folder / "名单.xlsx"


def bench_size(work: Path, count: int, repeat: int, jobs: int | None, floor: bool) -> dict[str, object]:
    reports, roster = workbooks(work, count)
    bare_runs, city_runs, floor_runs, usage = [], [], [], {}
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        for attempt in range(repeat):
            bare_runs.append(measured([sys.executable, "-c", BARE, str(reports)]))
            if floor:
                floor_runs.append(measured([sys.executable, "-c", FLOOR, str(reports)]))
            out, usage_file = Path(tmp) / f"out{attempt}", Path(tmp) / f"usage{attempt}.json"
            command = [sys.executable, "-c", CITY, str(usage_file), str(reports), "--roster", str(roster),
                       "-o", str(out)] + (["--jobs", str(jobs)] if jobs else [])
            city_runs.append(measured(command))
            usage = json.loads(usage_file.read_text())
    bare = statistics.median(r.seconds for r in bare_runs)
    city = statistics.median(r.seconds for r in city_runs)
    bare_cpu = statistics.median(r.cpu_seconds for r in bare_runs)
    city_cpu = statistics.median(r.cpu_seconds for r in city_runs)
    return {
        "n": count, "bare_s": bare, "city_s": city, "ratio": city / bare,
        "bare_cpu_s": bare_cpu, "city_cpu_s": city_cpu, "cpu_ratio": city_cpu / bare_cpu,
        "bare_ms_per_file": 1000 * bare / count, "city_ms_per_file": 1000 * city / count,
        "bare_peak_mb": max(r.peak_pss_mb for r in bare_runs), "city_peak_mb": max(r.peak_pss_mb for r in city_runs),
        "rss_main_mb": usage["rss_main_kb"] / 1024, "rss_worker_mb": usage["rss_worker_kb"] / 1024,
        "exit": usage["exit"],
        "floor_s": statistics.median(r.seconds for r in floor_runs) if floor_runs else None,
    }


def print_table(rows: list[dict[str, object]], jobs: int) -> None:
    print(f"\ncity compile vs bare python-calamine read (jobs={jobs}, {os.cpu_count()} CPUs, median of runs)")
    print("| N | bare read s | city s | ratio | bare ms/file | city ms/file | bare CPU s | city CPU s | CPU ratio | "
          "city peak PSS MB | main RSS MB | worker RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['n']} | {r['bare_s']:.2f} | {r['city_s']:.2f} | {r['ratio']:.2f}× | {r['bare_ms_per_file']:.2f} | "
              f"{r['city_ms_per_file']:.2f} | {r['bare_cpu_s']:.2f} | {r['city_cpu_s']:.2f} | {r['cpu_ratio']:.2f}× | "
              f"{r['city_peak_mb']:.0f} | {r['rss_main_mb']:.0f} | {r['rss_worker_mb']:.0f} |")
    if len(rows) > 1:
        a, b = rows[-2], rows[-1]  # the slope between the two largest N
        city, bare, city_cpu, bare_cpu = (1000 * (float(b[k]) - float(a[k])) / (int(b["n"]) - int(a["n"]))
                                          for k in ("city_s", "bare_s", "city_cpu_s", "bare_cpu_s"))
        print(f"slope per file (N={a['n']}→{b['n']}): city {city:.2f} ms, bare {bare:.2f} ms, "
              f"{city / bare:.2f}× (goal ≤ 1.5×); in CPU time city {city_cpu:.2f} ms, bare {bare_cpu:.2f} ms")
    small = rows[0]
    if small["floor_s"]:
        print(f"fixed cost at N={small['n']}: city {small['city_s']:.2f} s, floor with the output libraries "
              f"{small['floor_s']:.2f} s, {float(small['city_s']) / float(small['floor_s']):.2f}× (goal ≤ 1.5×)")
    print(f"load average {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[36, 500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="passed to city --jobs (default: its own, CPU count)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "qtx-bench-city")
    parser.add_argument("--quick", action="store_true", help="each side once at N = 5: that the bench runs, not its times")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat = [5], 1
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f}, python at {sys.prefix}")
    rows = []
    for count in args.sizes:
        print(f"N = {count}", flush=True)
        repeat = args.repeat if count < 5000 else max(1, args.repeat - 2)
        rows.append(bench_size(args.work, count, repeat, args.jobs, floor=count == min(args.sizes)))
        r = rows[-1]
        print(f"  bare {r['bare_s']:.2f} s, city {r['city_s']:.2f} s ({r['ratio']:.2f}×), "
              f"city peak {r['city_peak_mb']:.0f} MB, exit {r['exit']}", flush=True)
        if r["exit"] not in (0, 1):  # 0 or 1 is a compile that ran (the files carry findings)
            sys.exit(f"city exited {r['exit']}")
    print_table(rows, args.jobs or len(os.sched_getaffinity(0)))


if __name__ == "__main__":
    main()
