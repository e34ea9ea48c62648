"""The city compile: every agency's report of one year → who is missing, late or wrong, the
city-wide sums, and the draft text of the city report.

Flow: the folder's files are checked in worker processes exactly as `check` checks them
(`city.examine`); the records are matched to the roster as they arrive (`city.status`), then
the counted reports are summed per group and in total and the sums validated (`city.sums`), and
the draft text is written from the figures (`city.draft`). Findings are spooled to a temporary
file as they arrive, so 5,000 workbooks stay within a few hundred MB. Records arrive in file-name
order whatever the number of processes: same input, same compile. The output files are written by
`city.outputs`. Nothing here prints: the caller passes what shows progress.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from qtx_report.api import expand
from qtx_report.city.draft import draft_texts
from qtx_report.city.examine import (
    PreviousReports,
    WorkerSetup,
    crashed_examination,
    default_jobs,
    examine,
    read_previous,
    run_all,
)
from qtx_report.city.roster import UNGROUPED, Roster
from qtx_report.city.status import Collector, Compiled, choose_year, state_of, status_rows
from qtx_report.city.sums import check_sums, choose_edition, sum_notes, sum_reports
from qtx_report.model.findings import InputError
from qtx_report.rules.base import Options


class Progress(Protocol):
    """Advanced once per file of a pass, closed when the pass ends (also when it fails)."""

    def advance(self) -> None: ...

    def close(self) -> None: ...


# Made once per pass over a folder: (what is being done, how many files).
ProgressFactory = Callable[[str, int], Progress]


@dataclass(frozen=True)
class Silent:
    """Progress that shows nothing: for callers without a terminal to draw on."""

    label: str
    total: int

    def advance(self) -> None:
        pass

    def close(self) -> None:
        pass


def compile_city(directory: Path, *, roster: Roster | None = None, previous: Path | None = None,
                 year: int | None = None, jobs: int | None = None, include_invalid: bool = False,
                 options: Options | None = None, render_dir: Path | None = None,
                 progress: ProgressFactory = Silent) -> Compiled:
    """Check every report in `directory` and compile them; the caller closes `Compiled.spool`
    once the outputs are written."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(str(directory), "找不到存放各单位报告的文件夹，请检查路径。")
    paths = [str(p) for p in expand([directory])]
    if not paths:
        raise InputError(str(directory), "文件夹中没有报告（.xlsx、.json 或 .docx）。")
    roster = roster or Roster()
    options = options or Options()
    jobs = jobs or default_jobs()
    last_year = load_previous_reports(previous, roster, jobs, progress) if previous else None
    setup = WorkerSetup(options, last_year, str(render_dir or ""), render_names(paths))
    # No `with`: the spool outlives this function, until the outputs are written.
    spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
    collector = Collector(roster, spool)
    shown = progress("校验各单位报告", len(paths))
    try:
        for record in run_all(examine, paths, jobs, setup, crashed_examination):
            collector.add(record)
            shown.advance()
    finally:
        shown.close()
    spool.flush()  # the output writers may read it from a forked process
    return summarise(collector, year, include_invalid, options)


def load_previous_reports(folder: Path, roster: Roster, jobs: int, progress: ProgressFactory) -> PreviousReports:
    if not Path(folder).is_dir():
        raise InputError(str(folder), "--previous 应为上年度各单位报告所在的文件夹。")
    found: dict[str, tuple[str, str, int]] = {}
    paths = [str(p) for p in expand([Path(folder)])]
    shown = progress("读取上年度报告", len(paths))
    try:
        for entry in run_all(read_previous, paths, jobs, WorkerSetup(), lambda _path: None):
            shown.advance()
            if entry is None:
                continue
            file, agency, year, data = entry
            key = roster.canonical_key(agency)
            if key not in found or year > found[key][2]:  # two files: the later year is last year's
                found[key] = (file, data, year)
    finally:
        shown.close()
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
    compiled = Compiled(year, city_edition, roster, rows, missing, submissions, total, groups, [], collector.spool,
                        notes)
    # The draft text describes the figures; the sums are then checked with it, as a report would be.
    compiled = replace(compiled, total=total.model_copy(update=draft_texts(compiled)))
    return replace(compiled, sum_findings=check_sums(compiled.total, groups, options))
