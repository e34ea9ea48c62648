"""Benchmark: the whole `build` of one report, side by side with the bare docxtpl render.

    .venv/bin/python bench/bench_build.py [--repeat 20]

Rows:
- bare docxtpl render: DocxTemplate(template).render(context) and save to memory — the floor any
  docxtpl-based build pays;
- build (in process): load the report file, validate, render, write the .docx atomically — with no
  template cache (a first run), with the compiled template read from the disk cache (every later run),
  and with it in memory (a batch of reports in one process, as `city --render-all`);
- qtx-report --help / build (new process): the command as the clerk runs it, interpreter start and
  imports included (--help is the floor: starting Python and importing the CLI).
Goals (bench/README.md): build ≤ 0.5 s per report, and the uncached build ≤ 1.5 × the bare render.
The input is a balanced synthetic report as .xlsx when the workbook writer is importable, else JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qtx_report import synth  # noqa: E402
from qtx_report.cli.build import build_command  # noqa: E402
from qtx_report.model.report import Report  # noqa: E402
from qtx_report.write import report as render  # noqa: E402
from qtx_report.write.context import context  # noqa: E402
from qtx_report.write.report import DOCX_TEMPLATE, template_dir  # noqa: E402


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
    args = parser.parse_args()
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
        exe = str(ROOT / ".venv" / "bin" / "qtx-report")
        few = max(3, args.repeat // 4)
        env = {**os.environ}
        rows.append(("qtx-report --help (new process)",
                     timed(lambda: subprocess.run([exe, "--help"], check=True, capture_output=True, env=env), few)))
        cli = [exe, "build", str(source), "-o", str(out), "--overwrite"]
        rows.append((f"qtx-report build {kind} (new process)",
                     timed(lambda: subprocess.run(cli, check=True, capture_output=True, env=env), few)))
    print(f"{'what':<42} {'median s':>9} {'min s':>7}")
    for name, times in rows:
        print(f"{name:<42} {statistics.median(times):9.3f} {min(times):7.3f}")
    bare, cold = statistics.median(rows[0][1]), statistics.median(rows[1][1])
    print(f"uncached build / bare render: {cold / bare:.2f}x (goal <= 1.5x); "
          f"build per report: {cold:.3f} s uncached, {statistics.median(rows[2][1]):.3f} s cached (goal <= 0.5 s)")


if __name__ == "__main__":
    main()
