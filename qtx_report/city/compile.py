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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path
from typing import Protocol

from qtx_report.api import expand
from qtx_report.city.copying import COPY_SHEET, SECTIONS, Copied, Entry, copy_findings, copying
from qtx_report.city.draft import draft_texts
from qtx_report.city.examine import (
    Examined,
    PreviousReports,
    WorkerSetup,
    crashed_examination,
    default_jobs,
    examine,
    read_previous,
    run_all,
)
from qtx_report.city.hierarchy import COMPARED_NOTE, Hierarchy, Tree, added, hierarchy_notes, tree_of
from qtx_report.city.receipts import NO_RECORD, IntakeFolder, intake_folder
from qtx_report.city.reviews import Review, Reviewed, applied_to, finding_fingerprints, settle, tally
from qtx_report.city.roster import UNGROUPED, Roster, agency_key
from qtx_report.city.status import (
    STATES,
    Collector,
    Compiled,
    StatusRow,
    Submission,
    choose_year,
    state_of,
    status_rows,
)
from qtx_report.city.sums import SUM_NAME, check_sums, choose_edition, hierarchy_sums, sum_notes, sum_reports
from qtx_report.form.editions import edition
from qtx_report.model.findings import Finding, InputError
from qtx_report.rules.base import Options
from qtx_report.rules.dates import city_deadline_missed


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
                 options: Options | None = None, render_dir: Path | None = None, compare_dir: Path | None = None,
                 progress: ProgressFactory = Silent, reviews: Mapping[str, Review] | None = None) -> Compiled:
    """Check every report in `directory` and compile them; the caller closes `Compiled.spool`
    once the outputs are written. `reviews`: the office's decisions so far (`city.reviews`), by
    fingerprint, applied to the findings they meet."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(str(directory), "找不到存放各单位报告的文件夹，请检查路径。")
    # An intake folder (`qtx-report intake`): each agency's latest version, by its receipt log.
    received = intake_folder(directory, roster)
    paths = received.paths if received else [str(p) for p in expand([directory])]
    if not paths:
        raise InputError(str(directory), "文件夹中没有报告（.xlsx、.json 或 .docx）。")
    roster = roster or Roster()
    options = options or Options()
    jobs = jobs or default_jobs()
    last_year = load_previous_reports(previous, roster, jobs, progress) if previous else None
    setup = WorkerSetup(options, last_year, str(render_dir or ""), render_names(paths), str(compare_dir or ""))
    # No `with`: the spool outlives this function, until the outputs are written.
    spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
    collector = Collector(roster, spool, decisions=reviews or {})
    shown = progress("校验各单位报告", len(paths))
    try:
        for path, record in zip(paths, run_all(examine, paths, jobs, setup, crashed_examination), strict=True):
            collector.add(in_folder(record, received.names[path], received, options) if received else record)
            shown.advance()
    finally:
        shown.close()
    spool.flush()  # the output writers may read it from a forked process
    if received:
        collector.submissions[:] = [with_receipt(s, received) for s in collector.submissions]
    return summarise(collector, year, include_invalid, options, intake=received is not None)


def in_folder(record: Examined, name: str, received: IntakeFolder, options: Options) -> Examined:
    """A record named by its place in an intake folder (自然资源局/v2_报告.xlsx): versions of
    different agencies may share a file name. A file with a receipt is late or not by when it came
    (`status.deadline_of`), so the 成文日期's lateness for the city deadline is not a finding of its own."""
    findings = tuple(replace(f, file=name) for f in record.findings)
    if name in received.receipts and record.year is not None:
        findings = tuple(f for f in findings if not city_deadline_missed(f, record.year, options))
    return replace(record, file=name, findings=findings)


def with_receipt(s: Submission, received: IntakeFolder) -> Submission:
    receipt = received.receipts.get(s.file)
    if receipt is None:
        return s
    return replace(s, received=receipt.received, version=receipt.version, first_received=received.first[s.file])


def load_previous_reports(folder: Path, roster: Roster, jobs: int, progress: ProgressFactory) -> PreviousReports:
    if not Path(folder).is_dir():
        raise InputError(str(folder), "--previous 应为上年度各单位报告所在的文件夹。")
    found: dict[str, tuple[str, str, int]] = {}
    last_intake = intake_folder(Path(folder), roster)
    paths = last_intake.paths if last_intake else [str(p) for p in expand([Path(folder)])]
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
    """path → .docx name for --render-all: the stem; the whole name where two files share a stem;
    with its folder where two share a name (the versions of an intake folder: 自然资源局/v1_报告.xlsx)."""
    stems = Counter(Path(p).stem for p in paths)
    names = Counter(Path(p).name for p in paths)

    def name(path: Path) -> str:
        if stems[path.stem] == 1:
            return path.stem
        return path.name if names[path.name] == 1 else f"{path.parent.name}_{path.name}"

    return {p: name(Path(p)) + ".docx" for p in paths}


def summarise(collector: Collector, requested_year: int | None, include_invalid: bool, options: Options,
              intake: bool = False) -> Compiled:
    submissions, roster = collector.submissions, collector.roster
    year = choose_year(submissions, requested_year)
    has_roster = bool(roster.source)
    per_agency = Counter(s.agency.key for s in submissions if s.readable and s.year == year and s.agency)
    duplicated = {key for key, n in per_agency.items() if n > 1}
    states = {s.file: state_of(s, year, duplicated, has_roster) for s in submissions}
    counted = {s.file for s in submissions
               if states[s.file] == "valid" or (include_invalid and states[s.file] == "invalid")}
    tree = tree_of(roster)
    compared = compared_files(tree, submissions, counted)
    counted -= compared  # so the city total counts each unit once (city.hierarchy)
    agencies = list(roster.agencies) if has_roster else list(collector.seen.values())
    rows, missing = status_rows(agencies, submissions, states, counted, year, options, has_roster)
    rows = [noted(r, COMPARED_NOTE) if r.file in compared else r for r in rows]
    if intake:  # a file put in an intake folder by hand: its lateness by the 成文日期
        rows = [noted(r, NO_RECORD) if r.file and r.received is None else r for r in rows]
    included = [s for s in submissions if s.file in counted]
    city_edition = choose_edition(included)
    notes = sum_notes(included, city_edition)
    total, groups = sum_reports(included, year, city_edition, roster.groups if has_roster else [UNGROUPED])
    hierarchy = hierarchy_of(tree, submissions, states, included, year, city_edition) if tree.children else None
    notes += hierarchy_notes(hierarchy, len(compared))
    copied = copying(copy_entries(submissions, year), options.similarity_threshold)
    rows, copy_rows = with_copying(rows, copied, city_edition, options, collector.decisions)
    compiled = Compiled(year, city_edition, roster, rows, missing, submissions, total, groups, [], collector.spool,
                        notes, hierarchy=hierarchy, copied=copied, copy_findings=copy_rows)
    # The draft text describes the figures; the sums are then checked with it, as a report would be.
    compiled = replace(compiled, total=total.model_copy(update=draft_texts(compiled)))
    compiled = replace(compiled, sum_findings=check_sums(compiled.total, groups, options))
    return replace(compiled, reviews=settle_reviews(collector, compiled))


def settle_reviews(collector: Collector, c: Compiled) -> Reviewed:
    """The decisions after the compile: those on the sums' findings too (the city and each group
    are agencies of their own, always present); a decision that met nothing is resolved when its
    agency sent a readable report, else left unmatched."""
    applied = dict(collector.applied)
    for agency, f, fp in c.copy_findings:
        applied.update(applied_to(collector.decisions, agency, [f], [fp]))
    prints = c.sum_prints()
    for scope, found in groupby(zip(c.sum_findings, prints, strict=True), key=lambda pair: pair[0].file):
        pairs = list(found)
        applied.update(applied_to(collector.decisions, scope, [f for f, _ in pairs], [fp for _, fp in pairs]))
    present = {agency_key(s.agency.name if s.agency else s.name) for s in c.submissions if s.readable}
    present |= {agency_key(SUM_NAME), *(agency_key(f"{SUM_NAME}（{g}）") for g in c.groups)}
    return settle(collector.decisions, applied, present)


def copy_entries(submissions: list[Submission], year: int) -> list[Entry]:
    """The reports of the year compared with each other: every readable one (with errors, duplicated
    or off the roster too: copying is copying)."""
    return [Entry(s.agency.name if s.agency else s.name, s.file, s.agency.key if s.agency else agency_key(s.name),
                  s.texts) for s in submissions
            if s.year == year and len(s.texts) == len(SECTIONS)]


def with_copying(rows: list[StatusRow], copied: list[Copied], city_edition: str, options: Options,
                 decisions: Mapping[str, Review]) -> tuple[list[StatusRow], list[tuple[str, Finding, str]]]:
    """The status rows with each file's T508 findings counted and noted, and those findings with
    their agency and fingerprint, in the order of the rows."""
    ed = edition(city_edition)
    found = copy_findings(copied, {key: ed.section(key).heading for key in SECTIONS}, options.similarity_threshold)
    if not found:
        return rows, []
    listed: list[tuple[str, Finding, str]] = []
    updated = []
    for row in rows:
        mine = found.get(row.file, []) if row.file else []
        if not mine:
            updated.append(row)
            continue
        prints = finding_fingerprints(row.agency, mine)
        counts = tally(mine, prints, decisions)
        listed += [(row.agency, f, fp) for f, fp in zip(mine, prints, strict=True)]
        others = "、".join(dict.fromkeys(f"{f.row}（第{f.section.split('、')[0]}部分{f.actual}）" for f in mine))
        row = replace(row, warnings=row.warnings + counts.warnings, dismissed=row.dismissed + counts.dismissed)
        updated.append(noted(row, f"与{others}的报告雷同，见“{COPY_SHEET}”表"))
    return updated, listed


def compared_files(tree: Tree, submissions: list[Submission], counted: set[str]) -> set[str]:
    """The counted reports of parents with a counted report below them: compared with their
    children's sum, not added to it."""
    files = {s.agency.key: s.file for s in submissions if s.file in counted and s.agency is not None}
    once = added(tree, files)
    return {file for key, file in files.items() if key not in once}


def noted(row: StatusRow, note: str) -> StatusRow:
    return replace(row, note="；".join(p for p in (row.note, note) if p))


def hierarchy_of(tree: Tree, submissions: list[Submission], states: dict[str, str], included: list[Submission],
                 year: int, city_edition: str) -> Hierarchy:
    """The parents' sums and checks. A parent's own report is compared when it could be read as a
    report of this year on the roster, whether it passed or not (its errors are listed anyway)."""
    own = [s for s in submissions if s.agency is not None and s.agency.key in tree.children
           and states[s.file] in {"valid", "invalid"}]
    why: dict[str, dict[str, None]] = {}
    for s in submissions:
        if s.agency is not None:
            why.setdefault(s.agency.key, {})[STATES[states[s.file]]] = None
    reasons = {key: "、".join(texts) for key, texts in why.items()}
    return hierarchy_sums(tree, included, own, reasons, year, city_edition)
