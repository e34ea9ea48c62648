"""The city's worker processes: each checks one file exactly as `check` does and sends back a
small record (meta, the numbers as one tuple, the findings); results come back in file order
whatever the number of processes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from qtx_report.api import check_file
from qtx_report.city.copying import SECTIONS
from qtx_report.city.roster import Roster
from qtx_report.form.editions import edition
from qtx_report.model.findings import Finding
from qtx_report.model.loaded import Loaded
from qtx_report.model.report import Number, Report
from qtx_report.ooxml.zips import stable_zip
from qtx_report.read.load import load_report
from qtx_report.rules.base import Options
from qtx_report.write.files import write_bytes_atomic

T = TypeVar("T")


@cache
def cells(edition_name: str) -> tuple[tuple[str, str, str], ...]:
    """Every numeric cell (grid, row key, column key) of an edition, in printed order: the order
    of a worker's `values` tuple."""
    return tuple(edition(edition_name).cells)


@cache
def cell_index(edition_name: str) -> dict[tuple[str, str, str], int]:
    return {cell: i for i, cell in enumerate(cells(edition_name))}


def value_of(values: tuple[Number, ...], edition_name: str, grid: str, row: str, column: str) -> Number:
    index = cell_index(edition_name).get((grid, row, column))
    return values[index] if index is not None and index < len(values) else None


@dataclass(frozen=True)
class Examined:
    """What a worker sends back for one file: small and picklable."""

    file: str  # the name inside the folder
    agency: str = ""
    year: int | None = None
    edition: str = ""
    report_date: date | None = None
    values: tuple[Number, ...] = ()  # in `cells(edition)` order
    findings: tuple[Finding, ...] = ()
    rendered: str = ""  # --render-all: the .docx written, or why not
    texts: tuple[str, ...] = ()  # sections 一 and 五 (`city.copying.SECTIONS`), compared across agencies
    compared: str = ""  # --compare: the year-over-year page written, "" when last year's report is not there


class PreviousReports(dict):
    """Last year's reports for `check.check_file`, looked up the way the city matches agencies
    (roster names and aliases, with or without 青铜峡市) instead of by exact name. Values are the
    report JSON, parsed only for the agency asked for."""

    def __init__(self, reports: dict[str, tuple[str, str]], roster: Roster) -> None:
        super().__init__(reports)
        self.roster = roster

    def get(self, name: object, default: Any = None) -> Any:
        entry = super().get(self.roster.canonical_key(name))
        if entry is None:
            return default
        file, data = entry
        return Loaded(file, Report.model_validate_json(data))


@dataclass(frozen=True)
class WorkerSetup:
    options: Options = field(default_factory=Options)
    previous: PreviousReports | None = None
    render_dir: str = ""
    render_names: dict[str, str] = field(default_factory=dict)  # path → .docx name
    compare_dir: str = ""  # --compare: each agency's year-over-year page, named as its .docx


_SETUP = WorkerSetup()


def _init_worker(setup: WorkerSetup) -> None:
    global _SETUP
    _SETUP = setup


def examine(path: str) -> Examined:
    """Check one file as `check` does; never raises, so one bad file cannot stop the compile."""
    name = Path(path).name
    try:
        result = check_file(Path(path), _SETUP.previous, _SETUP.options)
    except Exception as err:  # a loader bug on a strange file: report it, go on with the rest
        message = f"处理该文件时出现内部错误（{type(err).__name__}: {err}），已跳过。请将此文件反馈给维护人员。"
        return Examined(name, findings=(Finding("I100", message, file=name),))
    findings = tuple(replace(f, file=name) for f in result.findings)
    if result.loaded is None:
        return Examined(name, findings=findings)
    report = result.loaded.report
    values = tuple(report.value(*cell) for cell in cells(report.edition))  # type: ignore[arg-type]
    rendered = _render_one(path, report, findings) if _SETUP.render_dir else ""
    texts = tuple(getattr(report, key) for key in SECTIONS)
    compared = _compare_one(path, result.loaded) if _SETUP.compare_dir and _SETUP.previous is not None else ""
    return Examined(name, report.agency, report.year, report.edition, report.report_date, values, findings,
                    rendered, texts, compared)


def _render_one(path: str, report: Report, findings: tuple[Finding, ...]) -> str:
    from qtx_report.write.report import render_docx

    target = Path(_SETUP.render_dir) / _SETUP.render_names[path]
    try:
        draft = any(f.severity == "error" for f in findings)
        when = report.report_date or date(report.year + 1, 1, 1)
        write_bytes_atomic(target, stable_zip(render_docx(report, draft=draft), (when.year, when.month, when.day, 0, 0, 0)))
    except Exception as err:  # a report that cannot be rendered must not stop the compile
        return f"未生成（{type(err).__name__}: {err}）"
    return target.name


def _compare_one(path: str, loaded: Loaded) -> str:
    """This year's report beside last year's (`compare`), when last year's is there."""
    from qtx_report.write.compare import render_compare

    last = _SETUP.previous.get(loaded.report.agency) if _SETUP.previous is not None else None
    if last is None:
        return ""
    target = Path(_SETUP.compare_dir) / Path(_SETUP.render_names[path]).with_suffix(".html")
    write_bytes_atomic(target, render_compare(loaded, last, _SETUP.options).encode("utf-8"))
    return target.name


def read_previous(path: str) -> tuple[str, str, int, str] | None:
    """(file, agency, year, report JSON) of last year's report, or None when unreadable."""
    try:
        report = load_report(Path(path)).report
    except Exception:  # an unreadable old report only means no year-over-year check for that agency
        return None
    return Path(path).name, report.agency, report.year, report.model_dump_json()


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_all(func: Callable[[str], T], paths: list[str], jobs: int, setup: WorkerSetup,
            crashed: Callable[[str], T]) -> Iterator[T]:
    """`func` over `paths`, results in the order of `paths`; `jobs` > 1 uses worker processes. A
    worker that dies (a library aborting on a hostile file) costs only its own file: the files not
    yet done are retried one process each, and the one that kills its process gets `crashed(path)`."""
    if jobs <= 1 or len(paths) <= 1:
        _init_worker(setup)
        yield from map(func, paths)
        return
    chunk = max(1, min(64, len(paths) // (jobs * 8)))
    done = 0
    pool = ProcessPoolExecutor(min(jobs, len(paths)), mp_context=pool_context(), initializer=_start_worker,
                               initargs=(setup,))
    try:
        for result in pool.map(func, paths, chunksize=chunk):
            yield result
            done += 1
    except BrokenProcessPool:
        stop(pool)
        yield from (_alone(func, path, setup, crashed) for path in paths[done:])
    except BaseException:  # Ctrl-C, or the caller stopped early: no worker may outlive the command
        stop(pool)
        raise
    else:
        pool.shutdown()


def _alone(func: Callable[[str], T], path: str, setup: WorkerSetup, crashed: Callable[[str], T]) -> T:
    with ProcessPoolExecutor(1, mp_context=pool_context(), initializer=_start_worker, initargs=(setup,)) as pool:
        try:
            return pool.submit(func, path).result()
        except BrokenProcessPool:
            return crashed(path)


def stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: queued work dropped, running workers ended (the executor has no public way
    to end a worker that is busy, so its process table is used)."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def become_worker() -> None:
    """In a worker process: Ctrl-C is the parent's to handle (a worker printing its own traceback
    helps nobody), and a worker whose parent was killed ends instead of waiting forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_follow_parent, args=(parent,), daemon=True, name="qtx-parent-watch").start()


def _follow_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)  # reparented: the command that started this worker is gone


def _start_worker(setup: WorkerSetup) -> None:
    become_worker()
    _init_worker(setup)


def crashed_examination(path: str) -> Examined:
    name = Path(path).name
    message = "读取该文件时程序异常终止（文件可能过大或已损坏），已跳过。请用 Excel/WPS 打开检查、删除多余内容后重新保存。"
    return Examined(name, findings=(Finding("I100", message, file=name),))


def pool_context():
    """fork where there is one: workers inherit the imported modules and start in milliseconds.
    Output the caller has buffered is the caller's to flush before the fork (the command line
    does it at every fork), or each child would write it again when it exits."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)
