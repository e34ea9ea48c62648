"""Where each file of the city compile stands: matched to the roster, its state, whether it came
in time; and `Compiled`, everything the compile found, which the sums, the draft and the outputs
read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import IO

from qtx_report.city.copying import Copied
from qtx_report.city.examine import Examined, value_of
from qtx_report.city.hierarchy import Hierarchy
from qtx_report.city.reviews import Review, Reviewed, applied_to, finding_fingerprints, tally
from qtx_report.city.roster import NAME_HEADER, Agency, Roster, agency_key
from qtx_report.form.editions import edition
from qtx_report.model.findings import CODES, Finding
from qtx_report.model.report import Number, Report
from qtx_report.rules.base import Options
from qtx_report.rules.indicators import Indicators, indicators

# A file's state, most serious first: (JSON code, Chinese text).
STATES = {
    "unreadable": "无法读取", "unknown": "名单外", "wrong_year": "年度不符", "duplicate": "重复报送",
    "invalid": "有错误", "valid": "通过", "missing": "未报送",
}
# The states listed as problems (summary, draft text), in the order they are listed.
PROBLEM_STATES = ("missing", "unreadable", "invalid", "duplicate", "wrong_year", "unknown")
# The prompts an assessor reads beside the indicators (infos, listed in the status sheet too).
PROMPT_CODES = ("V303", "H705", "H706")
DEADLINE_TEXT = {"on_time": "按时", "late": "逾期", "no_date": "成文日期缺失", "bad_date": "成文日期有误", "": ""}


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
    # From the receipt log of an intake folder (`city.receipts`); None for a file without a record.
    received: datetime | None = None
    version: int | None = None
    first_received: datetime | None = None  # the agency's first version: lateness is judged by it
    # Findings the office's decisions took out of the counts above (`city.reviews`): errors it
    # accepted an explanation for (已说明), warnings and notes it dismissed (已不予采纳).
    explained: int = 0
    dismissed: int = 0
    texts: tuple[str, ...] = ()  # sections 一 and 五, for the comparison across agencies (`city.copying`)
    prompts: tuple[str, ...] = ()  # the titles of its anomaly prompts (PROMPT_CODES), once each
    compared: str = ""  # --compare: its year-over-year page

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
    indicators: Indicators = field(default_factory=Indicators)
    review: Number = None
    suits: Number = None
    note: str = ""
    explained: int = 0  # errors 已说明 (not in `errors`)
    dismissed: int = 0  # warnings and notes 已不予采纳 (not in `warnings`, `infos`)
    received: datetime | None = None  # from the receipt log; lateness is judged by it when present
    version: int | None = None
    prompts: tuple[str, ...] = ()

    @property
    def submitted(self) -> bool:
        return self.state != "missing"

    @property
    def deadline_text(self) -> str:
        text = DEADLINE_TEXT[self.deadline]
        return f"{text}{self.days_late}天" if self.deadline == "late" else text


# ================================================================ matching


@dataclass
class Collector:
    """Receives worker records in file order: matches each, spools its findings, keeps the rest."""

    roster: Roster
    spool: IO[str]
    submissions: list[Submission] = field(default_factory=list)
    seen: dict[str, Agency] = field(default_factory=dict)  # without a roster: agencies as met
    decisions: Mapping[str, Review] = field(default_factory=dict)  # the office's, by fingerprint
    applied: dict[str, Review] = field(default_factory=dict)  # those met, refreshed with their finding

    def add(self, record: Examined) -> None:
        agency = self.match(record)
        shown = agency.name if agency else (record.agency or "（无法识别）")
        prints = finding_fingerprints(shown, record.findings)
        # Decisions apply as the records come in, before any state is computed from the counts.
        counts = tally(record.findings, prints, self.decisions)
        self.applied.update(applied_to(self.decisions, shown, record.findings, prints))
        balanced = not any(f.severity == "error" and f.category == "balance" for f in record.findings)
        self.submissions.append(Submission(
            record.file, record.agency, agency, record.year, record.edition, record.report_date, record.values,
            counts.errors, counts.warnings, counts.infos, balanced, record.rendered,
            explained=counts.explained, dismissed=counts.dismissed, texts=record.texts,
            prompts=self.prompts(record.findings, prints), compared=record.compared))
        for f, fp in zip(record.findings, prints, strict=True):
            self.spool.write(json.dumps(finding_row(shown, f, fp), ensure_ascii=False) + "\n")

    def prompts(self, findings: tuple[Finding, ...], prints: list[str]) -> tuple[str, ...]:
        """The titles of the anomaly prompts the office has not dismissed, once each."""
        kept = (f for f, fp in zip(findings, prints, strict=True)
                if f.code in PROMPT_CODES and (fp not in self.decisions or self.decisions[fp].counts))
        return tuple(dict.fromkeys(CODES[f.code].title for f in kept))

    def match(self, record: Examined) -> Agency | None:
        if record.year is None or self.roster.source:
            return roster_match(self.roster, record)
        key = agency_key(record.agency)
        return self.seen.setdefault(key, Agency(record.agency))


def roster_match(roster: Roster, record: Examined) -> Agency | None:
    """The roster agency of a checked file (`intake` files by it too): the report's name or alias;
    the file name for a file that cannot be read or names no agency."""
    if record.year is None:  # unreadable: the file name may still say whose it is
        return roster.guess(Path(record.file).stem)
    unnamed = any(f.code == "I106" and f.row == NAME_HEADER for f in record.findings)
    # A report without its agency's name is placed by its file name, like an unreadable one.
    return roster.guess(Path(record.file).stem) if unnamed else roster.match(record.agency)


# The names of `finding_row`'s items, in its order (the JSON's keys).
FINDING_KEYS = ("agency", "file", "code", "severity", "title", "message", "section", "row", "column", "sheet",
                "cell", "expected", "actual", "fingerprint")


def finding_row(agency: str, f: Finding, fp: str) -> list[object]:
    """A finding as the outputs list it: the agency first, its fingerprint last (the order of their
    columns and keys)."""
    return [agency, f.file, f.code, f.severity, CODES[f.code].title, f.message, f.section, f.row, f.column,
            f.sheet, f.cell, f.expected, f.actual, fp]


# ================================================================ states and deadlines


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


def received_deadline(received: datetime, year: int, deadline: tuple[int, int]) -> tuple[str, int]:
    """Lateness by the receipt: a file received on the deadline day is on time, as by the 成文日期."""
    late = (received.date() - date(year + 1, *deadline)).days
    return ("late", late) if late > 0 else ("on_time", 0)


def judged_deadline(s: Submission, year: int, deadline: tuple[int, int]) -> tuple[str, int]:
    """By when the agency's first version came when the file has a receipt (an intake folder), else
    by its 成文日期."""
    if s.received is not None:
        return received_deadline(s.first_received or s.received, year, deadline)
    return deadline_of(s.report_date, year, deadline)


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
        return StatusRow(name, group, s.file, state, errors=s.errors, note=review_note(note, s),
                         explained=s.explained, dismissed=s.dismissed, received=s.received, version=s.version)
    deadline, days = judged_deadline(s, year, options.city_deadline) if s.year == year else ("", 0)
    values, ed = s.values, s.edition
    suits = [value_of(values, ed, "section4", g, "total") for g in ("direct_suit", "suit_after_review")]
    note = {"wrong_year": f"报告年度为{s.year}年", "unknown": "不在名单中（名称或别名均不符）",
            "duplicate": "同一单位有多个本年度文件，均未计入汇总，请确认保留哪一份"}.get(state, "")
    if s.name and agency and agency_key(s.name) != agency.key:
        note = "；".join(p for p in (note, f"报告中的单位名称为“{s.name}”") if p)
    return StatusRow(
        name, group, s.file, state, counted, s.report_date, deadline, days, s.errors, s.warnings, s.infos,
        s.balanced, value_of(values, ed, "section3", "new", "total"),
        indicators(lambda *cell: value_of(values, ed, *cell), edition(ed)),
        value_of(values, ed, "section4", "review", "total"),
        sum(v for v in suits if v is not None) if any(v is not None for v in suits) else None,
        review_note(first_receipt_note(note, s), s), s.explained, s.dismissed, s.received, s.version, s.prompts)


def first_receipt_note(note: str, s: Submission) -> str:
    if s.first_received is None or s.first_received == s.received:
        return note
    first = f"首次报送于 {s.first_received:%Y-%m-%d %H:%M}，按此判断是否逾期"
    return "；".join(p for p in (note, first) if p)


def review_note(note: str, s: Submission) -> str:
    """The note with what the office's decisions took out of the counts. An error it accepted an
    explanation for no longer makes the report 有错误 (so it may be counted), but stays listed."""
    parts = [note, f"{s.explained} 处错误已说明" if s.explained else "",
             f"{s.dismissed} 处警告或提示已不予采纳" if s.dismissed else ""]
    return "；".join(p for p in parts if p)


# ================================================================ the whole compile


@dataclass(frozen=True)
class Compiled:
    """What the compile found, for the outputs and the summary."""

    year: int
    edition: str
    roster: Roster
    rows: list[StatusRow]
    missing: list[tuple[Agency, str]]  # agency, note
    submissions: list[Submission]
    total: Report
    groups: dict[str, Report]
    sum_findings: list[Finding]
    spool: IO[str]  # each file's findings as `finding_row` lists, one JSON line each
    notes: list[str]
    hierarchy: Hierarchy | None = None  # with 上级单位 on the roster: each parent's sum and check
    reviews: Reviewed = field(default_factory=Reviewed)  # the office's decisions on the findings
    copied: list[Copied] = field(default_factory=list)  # sections copied across agencies (`city.copying`)
    # Their T508 findings: (the agency as the outputs name it, the finding, its fingerprint).
    copy_findings: list[tuple[str, Finding, str]] = field(default_factory=list)

    @property
    def has_roster(self) -> bool:
        return bool(self.roster.source)

    def count(self, state: str) -> int:
        return sum(r.state == state for r in self.rows)

    @property
    def counted(self) -> list[StatusRow]:
        return [r for r in self.rows if r.counted]

    @property
    def clean(self) -> bool:
        """Every file valid, nobody on the roster missing, the sums pass (lateness aside) and every
        parent's own report agrees with its children's sum."""
        return (all(r.state == "valid" for r in self.rows) and not self.sum_errors
                and not (self.hierarchy and self.hierarchy.differences))

    @property
    def exit_code(self) -> int:
        """0: every roster agency sent one valid report and the sums pass; 1: something is missing,
        invalid, duplicated, unknown or of another year (lateness does not count). 2 (unusable input)
        comes from the InputError the command line turns into a message."""
        return 0 if self.clean else 1

    @property
    def sum_errors(self) -> list[Finding]:
        """The sums' errors but those the office accepted an explanation for."""
        prints = self.sum_prints()
        explained = self.reviews.explained(prints)
        return [f for f, fp in zip(self.sum_findings, prints, strict=True) if f.severity == "error" and fp not in explained]

    def sum_prints(self) -> list[str]:
        """The fingerprints of the sums' findings: the city and each group are an agency of their own."""
        prints: list[str] = []
        for scope, found in groupby(self.sum_findings, key=lambda f: f.file):
            prints += finding_fingerprints(scope, list(found))
        return prints

    @property
    def stamp(self) -> tuple[int, ...]:
        """The fixed time stamped into every output file (zip entries, document properties)."""
        return (self.year + 1, 1, 1, 0, 0, 0) if self.year else (1980, 1, 1, 0, 0, 0)

    def findings(self) -> Iterator[list[object]]:
        """Every finding: the sums' first, the copying across agencies, then each file's in file order
        (from the spool)."""
        for f, fp in zip(self.sum_findings, self.sum_prints(), strict=True):
            yield finding_row(f.file, f, fp)
        for agency, f, fp in self.copy_findings:
            yield finding_row(agency, f, fp)
        self.spool.seek(0)
        for line in self.spool:
            yield json.loads(line)

    def counting_findings(self) -> Iterator[dict[str, object]]:
        """Every finding (keyed by FINDING_KEYS) that still counts: not one the office dismissed or
        accepted an explanation for (`city.reviews`). What the notices list and the scores deduct for."""
        for row in self.findings():
            f = dict(zip(FINDING_KEYS, row, strict=True))
            review = self.reviews.get(str(f["fingerprint"]))
            if review is None or review.counts:
                yield f
