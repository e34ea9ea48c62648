"""The outputs of the city compile: 全市汇总.xlsx, 全市汇总报告.docx, 全市汇总.json and the chart
PNGs (each written by its `outputs_*` module). Every file carries the compile's fixed time stamp:
same compile, same bytes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qtx_report.city.draft import Office
from qtx_report.city.examine import become_worker, pool_context
from qtx_report.city.outputs_charts import chart_images, chart_notes
from qtx_report.city.outputs_docx import write_docx
from qtx_report.city.outputs_json import write_json
from qtx_report.city.outputs_xlsx import write_xlsx
from qtx_report.city.reviews import REVIEWS_FILE, write_kept
from qtx_report.city.scoring import Score
from qtx_report.city.status import Compiled
from qtx_report.model.findings import InputError
from qtx_report.write.files import write_bytes_atomic

OUT_XLSX = "全市汇总.xlsx"
OUT_DOCX = "全市汇总报告.docx"
OUT_JSON = "全市汇总.json"
OUT_REVIEWS = REVIEWS_FILE  # every decision of the office, read back by the next run (city.reviews)
CHART_DIR = "图表"
RENDER_DIR = "各单位报告"  # --render-all: each agency's Word report
COMPARE_DIR = "对比"  # --compare: each agency's year-over-year page


def write_outputs(out: Path, c: Compiled, exit_code: int, jobs: int = 1, office: Office | None = None,
                  scores: list[Score] | None = None) -> list[Path]:
    """Every output into folder `out`; `exit_code` is recorded in the JSON as the command returns it.
    The tables (xlsx, JSON) and the report (charts, docx) are independent: with `jobs` > 1 the
    tables are written by a second process meanwhile (each half takes one to two seconds, mostly
    importing openpyxl or matplotlib)."""
    out.mkdir(parents=True, exist_ok=True)
    # Before anything is written (the JSON keeps the notes) and before the fork: the summary
    # tells the user what the charts lack, once, among the compile's notes.
    c.notes.extend(chart_notes())
    with side_task(write_tables, out, c, exit_code, scores, parallel=jobs > 1):
        charts = chart_images(c)
        for name, png in charts:
            write_bytes_atomic(out / CHART_DIR / name, png)
        write_docx(out / OUT_DOCX, c, charts, office, scores)
    written = [out / OUT_XLSX, out / OUT_DOCX, out / OUT_JSON, out / OUT_REVIEWS, out / CHART_DIR]
    if any(s.rendered for s in c.submissions):
        written.append(out / RENDER_DIR)
    return written


def write_tables(out: Path, c: Compiled, exit_code: int, scores: list[Score] | None = None) -> None:
    write_xlsx(out / OUT_XLSX, c, scores)
    write_json(out / OUT_JSON, c, exit_code, scores)
    write_kept(out / OUT_REVIEWS, c.reviews, c.year)


_SIDE: tuple[Callable[..., None], tuple[Any, ...]] | None = None


def _run_side() -> tuple[str, str]:
    """In the side process: run the task; an error comes back as text (InputError does not pickle)."""
    assert _SIDE is not None
    func, args = _SIDE
    try:
        func(*args)
    except InputError as err:
        return "input", err.describe()
    except Exception as err:  # an internal error: re-raised in the main process
        return "internal", f"{type(err).__name__}: {err}"
    return "", ""


@contextmanager
def side_task(func: Callable[..., None], *args: Any, parallel: bool) -> Iterator[None]:
    """Run `func(*args)` beside the block (a forked process) or after it (no fork, or not parallel)."""
    global _SIDE
    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        yield
        func(*args)
        return
    _SIDE = (func, args)  # inherited by the forked child, never pickled
    with ProcessPoolExecutor(1, mp_context=pool_context(), initializer=become_worker) as pool:
        future = pool.submit(_run_side)
        yield
        kind, problem = future.result()
    _SIDE = None
    if kind == "input":
        raise InputError(str(args[0]), problem)
    if kind:
        raise RuntimeError(problem)
