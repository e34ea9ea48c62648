"""`qtx-report city`: every agency's report of one year → who is missing, late or wrong, the
city-wide sums, and a draft of the city report.

Flow: the folder's files are checked in worker processes exactly as `check` checks them
(`check.check_file`); each worker sends back a small record (meta, the numbers as one tuple,
the findings). The main process matches the records to the roster, decides each file's state,
sums the counted reports per group and in total, validates the sums, and writes the outputs.
Findings are spooled to a temporary file as they arrive, so 5,000 workbooks stay within a few
hundred MB. Records arrive in file-name order whatever the number of processes, and every
output is written with fixed timestamps: same input, same bytes. The output files are written
by `city_outputs`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO, Any

from qtx_report.api import check_file, expand, parse_deadline
from qtx_report.city.roster import CITY, NAME_HEADER, UNGROUPED, Agency, Roster, agency_key, read_roster
from qtx_report.form.editions import DEFAULT_EDITION, GRID_SECTIONS, Edition, edition
from qtx_report.model.findings import CODES, Finding, InputError
from qtx_report.model.loaded import Loaded
from qtx_report.model.numbers import format_number
from qtx_report.model.report import Number, Report
from qtx_report.ooxml.zips import stable_zip
from qtx_report.read.load import load_report
from qtx_report.rules.core import Options, validate
from qtx_report.write.files import write_bytes_atomic

RENDER_DIR = "各单位报告"
SUM_NAME = "全市汇总"

# A file's state, most serious first: (JSON code, Chinese text).
STATES = {
    "unreadable": "无法读取", "unknown": "名单外", "wrong_year": "年度不符", "duplicate": "重复报送",
    "invalid": "有错误", "valid": "通过", "missing": "未报送",
}
# The states listed as problems (summary, draft text), in the order they are listed.
PROBLEM_STATES = ("missing", "unreadable", "invalid", "duplicate", "wrong_year", "unknown")
DEADLINE_TEXT = {"on_time": "按时", "late": "逾期", "no_date": "成文日期缺失", "bad_date": "成文日期有误", "": ""}
# Rules about a report's own text and date do not apply to the summed tables of a draft.
NOT_FOR_SUMS = {"T501", "T503", "D601", "D602"}


# ================================================================ cells of an edition


@cache
def cells(edition_name: str) -> tuple[tuple[str, str, str], ...]:
    """Every numeric cell (grid, row key, column key) of an edition, in printed order: the order
    of a worker's `values` tuple."""
    return tuple(edition(edition_name).cells)


@cache
def cell_index(edition_name: str) -> dict[tuple[str, str, str], int]:
    return {cell: i for i, cell in enumerate(cells(edition_name))}


@cache
def cell_map(source: str, target: str) -> tuple[tuple[int, int], ...]:
    """(source index, target index) pairs: how a report of edition `source` adds into sums of
    edition `target`. Another edition's section 二 asks different questions, so it is left out;
    its section 三 leaves go where the target edition counts them (form.foreign_leaves)."""
    into = cell_index(target)
    foreign = edition(target).section3_foreign
    pairs = []
    for i, (grid, row, column) in enumerate(cells(source)):
        if source != target and grid == "section2":
            continue
        if source != target and grid == "section3":
            row = row if (grid, row, column) in into else foreign.get(row, row)
        if (grid, row, column) in into:
            pairs.append((i, into[grid, row, column]))
    return tuple(pairs)


def value_of(values: tuple[Number, ...], edition_name: str, grid: str, row: str, column: str) -> Number:
    index = cell_index(edition_name).get((grid, row, column))
    return values[index] if index is not None and index < len(values) else None


# ================================================================ workers


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


class PreviousReports(dict):
    """Last year's reports for `check.check_file`, looked up the way the city matches agencies
    (roster names and aliases, with or without 青铜峡市) instead of by exact name. Values are the
    report JSON, parsed only for the agency asked for."""

    def __init__(self, reports: dict[str, tuple[str, str]], roster: Roster) -> None:
        super().__init__(reports)
        self.roster = roster

    def get(self, name: object, default: Any = None) -> Any:
        entry = super().get(canonical_key(self.roster, name))
        if entry is None:
            return default
        file, data = entry
        return Loaded(file, Report.model_validate_json(data))


@dataclass(frozen=True)
class WorkerSetup:
    options: Options = field(default_factory=Options)
    previous: PreviousReports | None = None
    render_dir: str = ""
    render_names: dict[str, str] = field(default_factory=dict)  # file → .docx name


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
    rendered = _render_one(name, report, findings) if _SETUP.render_dir else ""
    return Examined(name, report.agency, report.year, report.edition, report.report_date, values, findings,
                    rendered)


def _render_one(name: str, report: Report, findings: tuple[Finding, ...]) -> str:
    from qtx_report.write.report import render_docx

    target = Path(_SETUP.render_dir) / _SETUP.render_names[name]
    try:
        draft = any(f.severity == "error" for f in findings)
        when = report.report_date or date(report.year + 1, 1, 1)
        write_bytes_atomic(target, stable_zip(render_docx(report, draft=draft), (when.year, when.month, when.day, 0, 0, 0)))
    except Exception as err:  # a report that cannot be rendered must not stop the compile
        return f"未生成（{type(err).__name__}: {err}）"
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


def run_all(func: Callable[[str], Any], paths: list[str], jobs: int, setup: WorkerSetup) -> Iterator[Any]:
    """`func` over `paths`, results in the order of `paths`; `jobs` > 1 uses worker processes."""
    if jobs <= 1 or len(paths) <= 1:
        _init_worker(setup)
        yield from map(func, paths)
        return
    chunk = max(1, min(64, len(paths) // (jobs * 8)))
    with ProcessPoolExecutor(min(jobs, len(paths)), mp_context=pool_context(), initializer=_init_worker,
                             initargs=(setup,)) as pool:
        yield from pool.map(func, paths, chunksize=chunk)


def pool_context():
    """fork where there is one: workers inherit the imported modules and start in milliseconds.
    Buffered output is flushed first, or each child would write it again when it exits."""
    sys.stdout.flush()
    sys.stderr.flush()
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class Progress:
    """A rich progress bar on a terminal; silent otherwise. No refresh thread: worker processes
    are forked while it is shown, and forking a threaded process risks deadlocks."""

    def __init__(self, label: str, total: int) -> None:
        self.bar = None
        self.last = 0.0
        if sys.stderr.isatty() and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=Console(stderr=True), auto_refresh=False,
                                transient=False)
            self.task = self.bar.add_task(label, total=total)
            self.bar.start()

    def advance(self) -> None:
        if self.bar is None:
            return
        self.bar.advance(self.task)
        now = time.monotonic()
        if now - self.last > 0.1 or self.bar.finished:
            self.bar.refresh()
            self.last = now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.refresh()
            self.bar.stop()


# ================================================================ matching and states


def canonical_key(roster: Roster, name: object) -> str:
    agency = roster.match(name)
    return agency.key if agency else agency_key(name)


@dataclass(frozen=True)
class Submission:
    """One file as the city sees it (its findings went to the spool)."""

    file: str
    name: str  # the agency as the report writes it ("" when unreadable)
    agency: Agency | None  # matched on the roster (guessed from the file name when unreadable)
    year: int | None
    edition: str
    report_date: date | None
    values: tuple[Number, ...]
    errors: int
    warnings: int
    infos: int
    balanced: bool
    rendered: str

    @property
    def readable(self) -> bool:
        return self.year is not None


@dataclass(frozen=True)
class StatusRow:
    agency: str
    group: str
    file: str
    state: str  # a key of STATES
    counted: bool = False
    report_date: date | None = None
    deadline: str = ""  # a key of DEADLINE_TEXT
    days_late: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    balanced: bool | None = None
    new: Number = None
    granted_share: float | None = None
    review: Number = None
    suits: Number = None
    note: str = ""

    @property
    def submitted(self) -> bool:
        return self.state != "missing"

    @property
    def deadline_text(self) -> str:
        text = DEADLINE_TEXT[self.deadline]
        return f"{text}{self.days_late}天" if self.deadline == "late" else text


@dataclass
class Collector:
    """Receives worker records in file order: matches each, spools its findings, keeps the rest."""

    roster: Roster
    spool: IO[str]
    submissions: list[Submission] = field(default_factory=list)
    seen: dict[str, Agency] = field(default_factory=dict)  # without a roster: agencies as met

    def add(self, record: Examined) -> None:
        agency = self.match(record)
        counts = Counter(f.severity for f in record.findings)
        balanced = not any(f.severity == "error" and f.category == "balance" for f in record.findings)
        self.submissions.append(Submission(
            record.file, record.agency, agency, record.year, record.edition, record.report_date, record.values,
            counts["error"], counts["warning"], counts["info"], balanced, record.rendered))
        shown = agency.name if agency else (record.agency or "（无法识别）")
        for f in record.findings:
            self.spool.write(json.dumps(finding_row(shown, f), ensure_ascii=False) + "\n")

    def match(self, record: Examined) -> Agency | None:
        if record.year is None:  # unreadable: the file name may still say whose it is
            return self.roster.guess(Path(record.file).stem)
        if self.roster.source:
            unnamed = any(f.code == "I106" and f.row == NAME_HEADER for f in record.findings)
            # A report without its agency's name is placed by its file name, like an unreadable one.
            return self.roster.guess(Path(record.file).stem) if unnamed else self.roster.match(record.agency)
        key = agency_key(record.agency)
        return self.seen.setdefault(key, Agency(record.agency))


def finding_row(agency: str, f: Finding) -> list[object]:
    return [agency, f.file, f.code, f.severity, CODES[f.code].title, f.message, f.section, f.row, f.column,
            f.sheet, f.cell, f.expected, f.actual]


FINDING_COLUMNS = (("单位名称", 26), ("文件", 22), ("代码", 7), ("严重程度", 9), ("规则", 36), ("说明", 70),
                   ("部分", 20), ("行", 20), ("列", 12), ("工作表", 16), ("单元格", 10), ("应为", 10), ("实际", 10))
FINDING_KEYS = ("agency", "file", "code", "severity", "title", "message", "section", "row", "column", "sheet",
                "cell", "expected", "actual")


def choose_year(submissions: list[Submission], requested: int | None) -> int:
    if requested is not None:
        return requested
    years = Counter(s.year for s in submissions if s.year is not None)
    if not years:
        return date.today().year - 1
    return max(years, key=lambda y: (years[y], y))


def state_of(s: Submission, year: int, duplicated: set[str], has_roster: bool) -> str:
    if not s.readable:
        return "unreadable"
    if s.agency is None and has_roster:
        return "unknown"
    if s.year != year:
        return "wrong_year"
    if s.agency is not None and s.agency.key in duplicated:
        return "duplicate"
    return "invalid" if s.errors else "valid"


def deadline_of(report_date: date | None, year: int, deadline: tuple[int, int]) -> tuple[str, int]:
    if report_date is None:
        return "no_date", 0
    if report_date.year != year + 1:
        return "bad_date", 0
    late = (report_date - date(year + 1, *deadline)).days
    return ("late", late) if late > 0 else ("on_time", 0)


# ================================================================ the compile


@dataclass
class Compiled:
    year: int
    edition: str
    roster: Roster
    options: Options
    include_invalid: bool
    rows: list[StatusRow]
    missing: list[tuple[Agency, str]]  # agency, note
    submissions: list[Submission]
    total: Report
    groups: dict[str, Report]
    sum_findings: list[Finding]
    spool: IO[str]
    notes: list[str]

    @property
    def has_roster(self) -> bool:
        return bool(self.roster.source)

    def count(self, state: str) -> int:
        return sum(r.state == state for r in self.rows)

    @property
    def counted(self) -> list[StatusRow]:
        return [r for r in self.rows if r.counted]

    @property
    def exit_code(self) -> int:
        clean = all(r.state == "valid" for r in self.rows)
        return 0 if clean and not any(f.severity == "error" for f in self.sum_findings) else 1

    def findings(self) -> Iterator[list[object]]:
        """Every finding: the sums' first, then each file's in file order (from the spool)."""
        for f in self.sum_findings:
            yield finding_row(f.file, f)
        self.spool.seek(0)
        for line in self.spool:
            yield json.loads(line)


def compile_city(directory: Path, *, roster: Roster | None = None, previous: Path | None = None,
                 year: int | None = None, jobs: int | None = None, include_invalid: bool = False,
                 options: Options | None = None, render_dir: Path | None = None) -> Compiled:
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(str(directory), "找不到存放各单位报告的文件夹，请检查路径。")
    paths = [str(p) for p in expand([directory])]
    if not paths:
        raise InputError(str(directory), "文件夹中没有报告（.xlsx、.json 或 .docx）。")
    roster = roster or Roster()
    options = options or Options()
    jobs = jobs or default_jobs()
    setup = WorkerSetup(options, load_previous_reports(previous, roster, jobs) if previous else None,
                        str(render_dir or ""), render_names(paths))
    # Closed by city_command once every output is written (it outlives this function).
    spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
    collector = Collector(roster, spool)
    progress = Progress("校验各单位报告", len(paths))
    try:
        for record in run_all(examine, paths, jobs, setup):
            collector.add(record)
            progress.advance()
    finally:
        progress.close()
    spool.flush()  # the output writers may read it from a forked process
    return summarise(collector, year, include_invalid, options)


def load_previous_reports(folder: Path, roster: Roster, jobs: int) -> PreviousReports:
    if not Path(folder).is_dir():
        raise InputError(str(folder), "--previous 应为上年度各单位报告所在的文件夹。")
    found: dict[str, tuple[str, str, int]] = {}
    paths = [str(p) for p in expand([Path(folder)])]
    progress = Progress("读取上年度报告", len(paths))
    try:
        for entry in run_all(read_previous, paths, jobs, WorkerSetup()):
            progress.advance()
            if entry is None:
                continue
            file, agency, year, data = entry
            key = canonical_key(roster, agency)
            if key not in found or year > found[key][2]:  # two files: the later year is last year's
                found[key] = (file, data, year)
    finally:
        progress.close()
    return PreviousReports({key: (file, data) for key, (file, data, _) in found.items()}, roster)


def render_names(paths: list[str]) -> dict[str, str]:
    """file → .docx name for --render-all: the stem, or the whole name where two files share a stem."""
    stems = Counter(Path(p).stem for p in paths)
    return {Path(p).name: (Path(p).stem if stems[Path(p).stem] == 1 else Path(p).name) + ".docx" for p in paths}


def summarise(collector: Collector, requested_year: int | None, include_invalid: bool, options: Options) -> Compiled:
    submissions, roster = collector.submissions, collector.roster
    year = choose_year(submissions, requested_year)
    has_roster = bool(roster.source)
    per_agency = Counter(s.agency.key for s in submissions if s.readable and s.year == year and s.agency)
    duplicated = {key for key, n in per_agency.items() if n > 1}
    states = {s.file: state_of(s, year, duplicated, has_roster) for s in submissions}
    counted = {s.file for s in submissions
               if states[s.file] == "valid" or (include_invalid and states[s.file] == "invalid")}
    agencies = list(roster.agencies) if has_roster else list(collector.seen.values())
    rows, missing = status_rows(agencies, submissions, states, counted, year, options, has_roster)
    included = [s for s in submissions if s.file in counted]
    city_edition = choose_edition(included)
    notes = sum_notes(included, city_edition)
    total, groups = sum_reports(included, year, city_edition, roster.groups if has_roster else [UNGROUPED])
    compiled = Compiled(year, city_edition, roster, options, include_invalid, rows, missing, submissions, total,
                        groups, [], collector.spool, notes)
    compiled.total = total.model_copy(update=draft_texts(compiled))
    compiled.sum_findings = check_sums(compiled)
    return compiled


def status_rows(agencies: list[Agency], submissions: list[Submission], states: dict[str, str], counted: set[str],
                year: int, options: Options, has_roster: bool) -> tuple[list[StatusRow], list[tuple[Agency, str]]]:
    """One row per file, grouped under its agency in roster order; one row per missing roster
    agency (without a roster nobody is missing); files of no known agency last."""
    by_agency: dict[str, list[Submission]] = {}
    for s in submissions:
        if s.agency is not None:
            by_agency.setdefault(s.agency.key, []).append(s)
    rows: list[StatusRow] = []
    missing: list[tuple[Agency, str]] = []
    for agency in agencies:
        files = by_agency.get(agency.key, [])
        for s in files:
            rows.append(file_row(s, agency, states[s.file], s.file in counted, year, options))
        if has_roster and not any(states[s.file] != "wrong_year" for s in files):
            other = "；".join(f"{s.file}（{s.year}年度）" for s in files)
            note = f"只收到其他年度的报告：{other}" if other else ""
            missing.append((agency, note))
            rows.append(StatusRow(agency.name, agency.group, "", "missing", note=note))
    known = {a.key for a in agencies}
    for s in submissions:
        if s.agency is None or s.agency.key not in known:
            rows.append(file_row(s, None, states[s.file], False, year, options))
    return rows, missing


def file_row(s: Submission, agency: Agency | None, state: str, counted: bool, year: int,
             options: Options) -> StatusRow:
    name = agency.name if agency else (s.name or "（无法识别）")
    group = agency.group if agency else ""
    if not s.readable:
        note = f"按文件名判断为“{agency.name}”的报告" if agency else ""
        return StatusRow(name, group, s.file, state, errors=s.errors, note=note)
    deadline, days = deadline_of(s.report_date, year, options.city_deadline) if s.year == year else ("", 0)
    values, ed = s.values, s.edition
    granted = value_of(values, ed, "section3", "granted", "total")
    results = value_of(values, ed, "section3", "results_total", "total")
    suits = [value_of(values, ed, "section4", g, "total") for g in ("direct_suit", "suit_after_review")]
    note = {"wrong_year": f"报告年度为{s.year}年", "unknown": "不在名单中（名称或别名均不符）",
            "duplicate": "同一单位有多个本年度文件，均未计入汇总，请确认保留哪一份"}.get(state, "")
    if s.name and agency and agency_key(s.name) != agency.key:
        note = "；".join(p for p in (note, f"报告中的单位名称为“{s.name}”") if p)
    return StatusRow(
        name, group, s.file, state, counted, s.report_date, deadline, days, s.errors, s.warnings, s.infos,
        s.balanced, value_of(values, ed, "section3", "new", "total"),
        granted / results if isinstance(granted, int | float) and isinstance(results, int | float) and results else None,
        value_of(values, ed, "section4", "review", "total"),
        sum(v for v in suits if v is not None) if any(v is not None for v in suits) else None,
        note)


# ================================================================ sums


def choose_edition(included: list[Submission]) -> str:
    editions = Counter(s.edition for s in included)
    if not editions:
        return DEFAULT_EDITION
    return max(editions, key=lambda e: (editions[e], e == DEFAULT_EDITION))


def sum_notes(included: list[Submission], city_edition: str) -> list[str]:
    notes = []
    other = [s for s in included if s.edition != city_edition]
    if other:
        notes.append(f"{len(other)}份{other[0].edition}版格式的报告只计入第三、四部分（第二部分两版格式的项目不同，未计入）。")
    blanks = sum(v is None for s in included for v in s.values)
    if blanks:
        notes.append(f"计入汇总的报告中有{blanks}个空白单元格，汇总时按0计算。")
    return notes


def sum_reports(included: list[Submission], year: int, city_edition: str,
                groups: list[str]) -> tuple[Report, dict[str, Report]]:
    width = len(cells(city_edition))
    totals = [0] * width
    per_group: dict[str, list[int | float]] = {g: [0] * width for g in groups}
    for s in included:
        target = per_group.setdefault(s.agency.group if s.agency else UNGROUPED, [0] * width)
        for source_index, target_index in cell_map(s.edition, city_edition):
            value = s.values[source_index] or 0
            totals[target_index] += value
            target[target_index] += value
    total = report_from(totals, CITY, year, city_edition)
    return total, {g: report_from(v, f"{CITY}（{g}）", year, city_edition) for g, v in per_group.items()}


def report_from(values: list[int | float], agency: str, year: int, edition_name: str) -> Report:
    grids: dict[str, dict[str, dict[str, Number]]] = {grid: {} for grid in GRID_SECTIONS}
    for (grid, row, column), value in zip(cells(edition_name), values, strict=True):
        grids[grid].setdefault(row, {})[column] = tidy(value)
    return Report(agency=agency, year=year, edition=edition_name, **grids)


def tidy(value: int | float) -> int | float:
    """Float sums of amounts carry binary noise (0.1 + 0.2); whole numbers print without .0."""
    if isinstance(value, float):
        value = round(value, 6)
        return int(value) if value.is_integer() else value
    return value


def check_sums(compiled: Compiled) -> list[Finding]:
    """The sums must pass the same rules as any report (those about numbers and stated figures)."""
    found = []
    scopes = [(SUM_NAME, compiled.total)]
    if len(compiled.groups) > 1:
        scopes += [(f"{SUM_NAME}（{group}）", report) for group, report in compiled.groups.items()]
    for name, report in scopes:
        found += [replace(f, file=name) for f in validate(Loaded(name, report), None, compiled.options)
                  if f.code not in NOT_FOR_SUMS]
    return found


# ================================================================ the draft's text


def outcome_groups(ed: Edition) -> list[tuple[str, list[str]]]:
    """The result categories as the form groups them: 予以公开, 部分公开, 不予公开 (its 8 leaves), …"""
    headers = {h.key: h.label for h in ed.section3.header_rows}
    groups: dict[str, list[str]] = {}
    for leaf in ed.section3.leaves:
        label = headers[leaf.groups[1]] if len(leaf.groups) > 1 else leaf.label.split("（")[0]
        groups.setdefault(label, []).append(leaf.key)
    return list(groups.items())


def outcome_counts(report: Report, ed: Edition) -> list[tuple[str, int | float]]:
    """Each result category of `outcome_groups` with its count in the total column."""
    return [(label, sum(report.value("section3", k, "total") or 0 for k in keys))  # type: ignore[misc]
            for label, keys in outcome_groups(ed)]


def _n(report: Report, grid: str, row: str, column: str = "total") -> str:
    return format_number(report.value(grid, row, column))  # type: ignore[arg-type]


def draft_texts(c: Compiled) -> dict[str, str]:
    """一 and 五 of the draft, from the compile's own figures; a person rewrites them."""
    return {"overview": "\n".join(overview_paragraphs(c)), "problems": problems_paragraph(c)}


def overview_paragraphs(c: Compiled) -> list[str]:
    r, ed = c.total, edition(c.edition)
    s3, s4 = ed.section3, ed.section4
    submitted = sum(row.state not in ("missing", "wrong_year") for row in c.rows)
    who = (f"名单内应报送单位{len(c.roster.agencies)}个，收到本年度报告{submitted}份"
           if c.has_roster else f"收到本年度报告{submitted}份")
    intro = (f"本报告草稿由qtx-report根据全市各单位报送的{c.year}年度政府信息公开工作年度报告汇总生成。{who}，"
             f"其中{len(c.counted)}份计入本汇总；未报送{len(c.missing)}个单位，"
             f"逾期报送{sum(row.deadline == 'late' for row in c.rows)}份。各单位报送情况见附件1，统计图表见附件2。")
    proactive = "主动公开方面，全市" + "；".join(
        f"{row.label}：" + "，".join(f"{col.label}{format_number(r.value('section2', row.key, col.key))}"
                                    for col in table.columns)
        for table in ed.section2 for row in table.rows) + "。"
    new, carried_in = (s3.row(k).label.removeprefix("本年").removesuffix("数量") for k in ("new", "carried_in"))
    results_total = r.value("section3", "results_total", "total") or 0
    outcomes = "，".join(f"{label}{format_number(n)}件" for label, n in outcome_counts(r, ed))
    granted = r.value("section3", "granted", "total") or 0
    share = f"（{s3.row('granted').label}占{granted / results_total:.1%}）" if results_total else ""
    requests = (f"依申请公开方面，全市本年{new}{_n(r, 'section3', 'new')}件，{carried_in}{_n(r, 'section3', 'carried_in')}件；"
                f"{s3.header_rows[0].label}{format_number(results_total)}件，其中{outcomes}{share}；"
                f"{s3.row('carried_out').label}{_n(r, 'section3', 'carried_out')}件。")
    review, direct, after = s4.groups
    appeals = (f"{review.label}{_n(r, 'section4', review.key)}件（{s4.columns[1].label}"
               f"{_n(r, 'section4', review.key, s4.columns[1].key)}件），{direct.parent}"
               f"{format_number((r.value('section4', direct.key, 'total') or 0) + (r.value('section4', after.key, 'total') or 0))}件"
               f"（{direct.label}{_n(r, 'section4', direct.key)}件，{after.label}{_n(r, 'section4', after.key)}件）。")
    return [intro, proactive, requests, "政府信息公开行政复议、行政诉讼方面，全市" + appeals, *c.notes]


def problems_paragraph(c: Compiled) -> str:
    groups = [(STATES[state], {row.agency for row in c.rows if row.state == state}) for state in PROBLEM_STATES]
    groups.append(("逾期报送", {row.agency for row in c.rows if row.deadline == "late"}))
    parts = [f"{what}{len(names)}个单位（{'、'.join(sorted(names)[:10])}{'等' if len(names) > 10 else ''}）"
             for what, names in groups if names]
    found = "；".join(parts) if parts else "各单位均按时报送，数据均通过校验"
    return (f"汇总中发现：{found}。（以上由汇总程序根据报送情况生成，存在的主要问题及改进情况请市政务公开办"
            "结合各单位报告归纳补充。）")



# ================================================================ the command


def city_command(directory: Path, *, roster: Path | None = None, previous: Path | None = None,
                 year: int | None = None, output: Path | None = None, jobs: int | None = None,
                 include_invalid: bool = False, render_all: bool = False, city_deadline: str = "01-15") -> int:
    """Compile, write the outputs, print a summary. 0: every roster agency sent one valid report;
    1: something is missing, invalid, duplicated, unknown or of another year; 2: unusable input."""
    directory = Path(directory)
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", "并行进程数应为 1 或更大的整数。")
    options = Options(city_deadline=parse_deadline(city_deadline, "--city-deadline"))
    the_roster = read_roster(roster) if roster else None
    out = Path(output) if output else directory.resolve().parent / f"{directory.resolve().name}_全市汇总"
    if directory.exists() and out.resolve() == directory.resolve():
        raise InputError(str(out), "输出文件夹不能是存放各单位报告的文件夹（汇总表会被当作报告读入）。请用 -o 指定另一个文件夹。")
    compiled = compile_city(directory, roster=the_roster, previous=previous, year=year, jobs=jobs,
                            include_invalid=include_invalid, options=options,
                            render_dir=out / RENDER_DIR if render_all else None)
    if sys.stderr.isatty():
        sys.stderr.write("正在写出汇总表、汇总报告和图表……\n")
    from qtx_report.city.outputs import write_outputs  # it imports this module

    try:
        written = write_outputs(out, compiled, jobs or default_jobs())
        print_summary(compiled, written, sys.stdout)
    finally:
        compiled.spool.close()
    return compiled.exit_code



def print_summary(c: Compiled, written: list[Path], stream: IO[str]) -> None:
    who = f"名单 {len(c.roster.agencies)} 个单位，" if c.has_roster else "未提供名单，"
    stream.write(f"全市汇总 {c.year}年度：{who}收到 {len(c.submissions)} 个文件，"
                 f"{len(c.counted)} 份计入汇总（{c.edition}版格式）。\n")
    for state in PROBLEM_STATES:
        rows = [r for r in c.rows if r.state == state]
        if rows:
            listed = "、".join(f"{r.agency}" + (f"（{r.file}）" if r.file else "") for r in rows[:20])
            stream.write(f"  {STATES[state]} {len(rows)}：{listed}{' 等' if len(rows) > 20 else ''}\n")
    late = [r for r in c.rows if r.deadline == "late"]
    if late:
        stream.write(f"  逾期 {len(late)}：" + "、".join(f"{r.agency}（{r.deadline_text}）" for r in late[:20])
                     + (" 等\n" if len(late) > 20 else "\n"))
    for note in c.notes:
        stream.write(f"  注：{note}\n")
    errors = [f for f in c.sum_findings if f.severity == "error"]
    stream.write("汇总表校验：" + ("通过。\n" if not errors else f"有 {len(errors)} 处错误，见“问题清单”。\n"))
    not_rendered = [s for s in c.submissions if s.rendered.startswith("未生成")]
    for s in not_rendered:
        stream.write(f"  {s.file}：Word 报告{s.rendered}\n")
    stream.write("已生成：" + "、".join(str(p) for p in written) + "\n")

