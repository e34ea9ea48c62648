"""The tally of sections 三 and 四 from the ledger: one row per request, registered on receipt
(gazette 附件3 五). From the dates and the result of each row, section 三 is counted, never typed:
  一 new          received in the year
  二 carried_in   received before the year, not answered before 1 January
  三 results      answered in the year, by result (each request in exactly one leaf row)
  四 carried_out  received by 31 December, not answered by 31 December
so 一 + 二 = （七）总计 + 四 holds by construction, column by column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from qtx_report.form.editions import DEFAULT_EDITION, Edition, edition
from qtx_report.ledger.bulk import bulk
from qtx_report.ledger.deadlines import deadline_findings
from qtx_report.ledger.defects import defect_findings, not_this_year, row_finding
from qtx_report.ledger.read import Case, Ledger, Request
from qtx_report.model.findings import Finding
from qtx_report.model.report import Grid, fill_totals, zero_grids


@dataclass(frozen=True)
class Tally:
    year: int
    edition: str
    section3: Grid
    section4: Grid | None  # None: no 复议诉讼 sheet in the ledger
    findings: tuple[Finding, ...]
    counted: int  # rows counted in the year
    uncountable: int  # rows concerning the year that could not be counted

    @property
    def complete(self) -> bool:
        return self.uncountable == 0 and not any(f.code in ("L800", "L808") for f in self.findings)


def merge_ledgers(current: Ledger, previous: Ledger | None) -> tuple[list[Request], list[Case] | None]:
    """The current ledger plus the previous year's; a previous row with the same 编号 and 收到日期 as a
    current row is the same request copied across, and is read once (from the current ledger)."""
    requests = list(current.requests)
    cases = list(current.cases) if current.cases is not None else None
    if previous is None:
        return requests, cases
    seen = {(q.number, q.received) for q in current.requests if q.number}
    requests += [q for q in previous.requests if not q.number or (q.number, q.received) not in seen]
    if previous.cases is not None:
        have = {c.number for c in cases or () if c.number}
        cases = (cases or []) + [c for c in previous.cases if not c.number or c.number not in have]
    return requests, cases


@bulk
def tally_requests(requests: Sequence[Request], year: int, edition_name: str = DEFAULT_EDITION,
                   cases: Sequence[Case] | None = None, today: date | None = None) -> Tally:
    """Count sections 三 and 四 for `year`; rows with a defect that touches the year are not counted
    and are reported (error), so a tally with `complete == False` must not be written."""
    ed = edition(edition_name)
    grid = zero_grids(ed.name)["section3"]
    new, carried_in, carried_out = grid["new"], grid["carried_in"], grid["carried_out"]
    first_day = date(year, 1, 1)
    findings: list[Finding] = []
    counted = uncountable = 0
    for q in requests:
        if q.defects:
            row_findings, blocked = defect_findings(q, year)
            findings += row_findings
            if blocked:
                uncountable += 1
                continue
        received, answered = q.received, q.answered
        if received is None or received.year > year or (answered is not None and answered < first_day):
            continue
        counted += 1
        column = q.applicant
        (new if received >= first_day else carried_in)[column] += 1  # type: ignore[index]
        if answered is not None and answered.year == year:
            grid[q.result][column] += 1  # type: ignore[index]
        else:
            carried_out[column] += 1  # type: ignore[index]
    findings += _year_warnings(requests, year)
    findings += deadline_findings(requests, today or date.today(), year)
    section4, case_findings = tally_cases(cases, year, ed) if cases is not None else (None, [])
    findings += case_findings
    return Tally(year, ed.name, fill_totals(ed.name, {"section3": grid})["section3"], section4, tuple(findings), counted, uncountable)


def _year_warnings(requests: Sequence[Request], year: int) -> list[Finding]:
    received = [q.received for q in requests if q.received]
    if received and min(received).year >= year:
        return [Finding("L810", f"台账中没有{year}年以前收到的申请，“二、上年结转”按0统计。"
                                f"如{year - 1}年有跨年未办结的申请，请用 --previous-ledger 提供上年台账。",
                        file=requests[0].file)]
    return []


def tally_cases(cases: Sequence[Case], year: int, ed: Edition) -> tuple[Grid, list[Finding]]:
    """Section 四: cases received in the year, by their result as of 31 December."""
    s4 = ed.section4
    grid = zero_grids(ed.name)["section4"]
    pending = s4.part_columns[-1].key  # 尚未审结
    findings: list[Finding] = []
    for case in cases:
        concerns = case.received is None or case.received.year == year
        for d in case.defects:
            findings.append(row_finding(d.code, d.message, case, d.place) if concerns else not_this_year(d, case, year))
        if not concerns or case.defects:
            continue
        decided = case.concluded is None or case.concluded.year <= year
        grid[case.group][case.result if decided else pending] += 1  # type: ignore[index]
    return fill_totals(ed.name, {"section4": grid})["section4"], findings
