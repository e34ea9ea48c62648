"""Benchmark: the whole `build` of one report, side by side with the bare docxtpl render.

    python bench/bench_build.py [--repeat 20] [--quick]
(with the python of the environment to measure: a wheel installed into a fresh venv is what users get)

Rows:
- bare docxtpl render: DocxTemplate(template).render(context) and save to memory — the floor any
  docxtpl-based build pays;
- build (in process): load the report file, validate, render, write the .docx atomically — with no
  template cache (a first run), with the compiled template read from the disk cache (every later run),
  and with it in memory (a batch of reports in one process, as `city --render-all`);
- new processes, interleaved: the floor (a process that imports docxtpl and renders the same
  template with the same context into a file), `qtx-report build` with the compiled template in the
  disk cache (every run after the first), `qtx-report build` without it (the first run), and
  `qtx-report --help` (starting Python and importing the CLI).
Goals (bench/README.md): the new-process build with the cache ≤ 1.25 × the floor, without ≤ 1.5 ×.
`--quick` runs every row once (the CI's run, so the bench cannot rot; its times mean nothing).
The input is a balanced synthetic report as .xlsx when the workbook writer is importable, else JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qtx_report import synth
from qtx_report.cli.build import build_command
from qtx_report.model.report import Report
from qtx_report.write import report as render
from qtx_report.write.context import context
from qtx_report.write.report import DOCX_TEMPLATE, template_dir

ROOT = Path(__file__).resolve().parent.parent  # tests/fill.py fills the workbook

FLOOR = """
import json, sys
from docxtpl import DocxTemplate
doc = DocxTemplate(sys.argv[1])
doc.render(json.loads(open(sys.argv[2], encoding="utf-8").read()), autoescape=True)
doc.save(sys.argv[3])
"""


def sample_report() -> Report:
    report = synth.report("青铜峡市自然资源局", 2025, "2021", seed=1, size=3)
    text = "本局坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。" * 12
    return report.model_copy(update={"overview": text, "problems": text[:200], "other": "无"})


def write_input(work: Path, report: Report) -> Path:
    """The clerk's workbook if we can fill one, else the report JSON (both are build inputs)."""
    try:
        sys.path.insert(0, str(ROOT / "tests"))
        from fill import fill_workbook  # type: ignore[import-not-found]

        from qtx_report.write.workbook import write_template

        path = work / "自然资源局.xlsx"
        write_template(path, edition=report.edition, agency=report.agency, year=report.year)
        fill_workbook(path, report)
        return path
    except Exception:  # the benchmark still runs on JSON
        path = work / "自然资源局.json"
        path.write_text(report.model_dump_json(), encoding="utf-8")
        return path


def timed(func, repeat: int) -> list[float]:
    func()  # warm: imports, template file in the page cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def interleaved(rows: dict[str, tuple[list[str], dict[str, str]]], repeat: int) -> list[tuple[str, list[float]]]:
    """Seconds of each new-process row (command, environment), the rows run in turn in every round."""
    times: dict[str, list[float]] = {name: [] for name in rows}
    for command, env in rows.values():  # warm: the page cache, the disk cache's entries
        subprocess.run(command, check=True, capture_output=True, env=env)
    for _ in range(repeat):
        for name, (command, env) in rows.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            times[name].append(time.perf_counter() - start)
    return list(times.items())


def bare_render(report: Report) -> None:
    from docxtpl import DocxTemplate

    doc = DocxTemplate(template_dir() / DOCX_TEMPLATE)
    doc.render(context(report), autoescape=True)
    doc.save(io.BytesIO())


def build_once(source: Path, out: Path, *, keep_memory: bool) -> None:
    if not keep_memory:
        render._MEMORY.clear()  # as in a new process: only the disk cache (if on) survives
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        build_command(source, output=out, overwrite=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="every row once: that the bench runs, not its times")
    args = parser.parse_args()
    if args.quick:
        args.repeat = 1
    print(f"load average {os.getloadavg()[0]:.2f}, python at {sys.prefix}")
    report = sample_report()
    rows: list[tuple[str, list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = write_input(work, report)
        out = work / "out.docx"
        kind = source.suffix
        rows.append(("bare docxtpl render", timed(lambda: bare_render(report), args.repeat)))
        os.environ["QTX_REPORT_CACHE"] = "off"
        rows.append((f"build {kind}, no template cache", timed(lambda: build_once(source, out, keep_memory=False),
                                                             args.repeat)))
        os.environ["QTX_REPORT_CACHE"] = str(work / "cache")
        rows.append((f"build {kind}, disk cache (2nd run on)", timed(lambda: build_once(source, out, keep_memory=False),
                                                                   args.repeat)))
        rows.append((f"build {kind}, in memory (city batch)", timed(lambda: build_once(source, out, keep_memory=True),
                                                                  args.repeat)))
        exe = str(Path(sys.executable).parent / "qtx-report")
        floor = work / "floor.py"
        floor.write_text(FLOOR, encoding="utf-8")
        ctx = work / "context.json"
        ctx.write_text(json.dumps(context(report), ensure_ascii=False), encoding="utf-8")
        cached, uncached = {**os.environ, "QTX_REPORT_CACHE": str(work / "cli-cache")}, {**os.environ, "QTX_REPORT_CACHE": "off"}
        build = [exe, "build", str(source), "-o", str(out), "--overwrite"]
        processes = interleaved({
            "floor: docxtpl render (new process)": ([sys.executable, str(floor), str(template_dir() / DOCX_TEMPLATE),
                                                     str(ctx), str(work / "floor.docx")], uncached),
            f"qtx-report build {kind}, disk cache (new process)": (build, cached),
            f"qtx-report build {kind}, no cache (new process)": (build, uncached),
            "qtx-report --help (new process)": ([exe, "--help"], uncached),
        }, args.repeat)
    print(f"{'what':<48} {'median s':>9} {'min s':>7}")
    for name, times in rows + processes:
        print(f"{name:<48} {statistics.median(times):9.3f} {min(times):7.3f}")
    floor_s, warm, cold = (statistics.median(times) for _, times in processes[:3])
    print(f"new process: build with the cache / floor {warm / floor_s:.2f}x (goal <= 1.25x); "
          f"first build, no cache / floor {cold / floor_s:.2f}x (goal <= 1.5x)")
    bare, first = statistics.median(rows[0][1]), statistics.median(rows[1][1])
    print(f"in process: uncached build / bare render {first / bare:.2f}x; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
