"""Benchmark: the whole `build` of one report, side by side with the bare docxtpl render.

    .venv/bin/python bench/bench_build.py [--repeat 20]

Rows:
- bare docxtpl render: DocxTemplate(template).render(context) and save to memory — the floor any
  docxtpl-based build pays;
- build_command (in process): load the report file, validate, render, write the .docx atomically;
- qtx-report build (new process): the command as the clerk runs it, interpreter start included.
Goals (bench/README.md): build ≤ 0.5 s per report, and in-process build ≤ 1.5 × the bare render.
The input is a balanced synthetic report as .xlsx when the workbook writer is importable, else JSON.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qtx_report import synth  # noqa: E402
from qtx_report.layout import context  # noqa: E402
from qtx_report.model import Report  # noqa: E402
from qtx_report.render import DOCX_TEMPLATE, build_command, template_dir  # noqa: E402


def sample_report() -> Report:
    report = synth.report("青铜峡市自然资源局", 2025, "2021", seed=1, size=3)
    text = "本局坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。" * 12
    return report.model_copy(update={"overview": text, "problems": text[:200], "other": "无"})


def write_input(work: Path, report: Report) -> Path:
    """The clerk's workbook if we can fill one, else the report JSON (both are build inputs)."""
    try:
        sys.path.insert(0, str(ROOT / "tests"))
        from fill import fill_workbook  # type: ignore[import-not-found]

        from qtx_report.workbook import write_template

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    report = sample_report()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = write_input(work, report)
        out = work / "out.docx"
        bare = timed(lambda: bare_render(report), args.repeat)
        whole = timed(lambda: build_command(source, output=out, overwrite=True), args.repeat)
        cli = [ROOT / ".venv" / "bin" / "qtx-report", "build", source, "-o", out, "--overwrite"]
        process = timed(lambda: subprocess.run(cli, check=True, capture_output=True), max(3, args.repeat // 4))
    rows = [("bare docxtpl render", bare), (f"build_command ({source.suffix})", whole),
            (f"qtx-report build {source.suffix} (new process)", process)]
    print(f"{'what':<40} {'median s':>9} {'min s':>7}")
    for name, times in rows:
        print(f"{name:<40} {statistics.median(times):9.3f} {min(times):7.3f}")
    ratio = statistics.median(whole) / statistics.median(bare)
    print(f"build / bare render: {ratio:.2f}x (goal <= 1.5x); "
          f"build per report: {statistics.median(whole):.3f} s (goal <= 0.5 s)")


if __name__ == "__main__":
    main()
