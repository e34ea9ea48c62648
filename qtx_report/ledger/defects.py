"""A ledger row's defects as findings, and which of them stop a year's tally."""

from __future__ import annotations

from datetime import date

from qtx_report.ledger.read import Case, Defect, Request
from qtx_report.model.findings import CODES, Finding
from qtx_report.model.places import Place, SheetCell


def row_finding(code: str, message: str, q: Request | Case, place: Place | None = None) -> Finding:
    number = f"（编号 {q.number}）" if isinstance(q, Request) and q.number else (
        f"（案号 {q.number}）" if isinstance(q, Case) and q.number else "")
    return Finding(code, f"第{q.row}行{number}：{message}", file=q.file, place=place or SheetCell(q.sheet, q.row - 1, 0))


def _counted_in(received: date | None, answered: date | None, year: int) -> bool:
    """Counted in the year's section 三: received by 31 December and not answered before 1 January."""
    return received is not None and received.year <= year and (answered is None or answered.year >= year)


def _blocks(q: Request, d: Defect, year: int) -> bool:
    if d.scope == "always" or q.received is None:
        return True
    if d.scope == "answered":
        return (q.answered.year == year) if q.answered else _counted_in(q.received, None, year)
    return _counted_in(q.received, q.answered, year)


def defect_findings(q: Request, year: int | None) -> tuple[list[Finding], bool]:
    """Findings for a row's defects and whether the row cannot be counted in `year` (None: any year)."""
    findings, uncountable = [], False
    for d in q.defects:
        severity = CODES[d.code].severity
        if severity != "error":
            if year is None or _counted_in(q.received, q.answered, year):
                findings.append(row_finding(d.code, d.message, q, d.place))
        elif year is None or _blocks(q, d, year):
            findings.append(row_finding(d.code, d.message, q, d.place))
            uncountable = True
        else:
            findings.append(not_this_year(d, q, year))
    return findings, uncountable


def not_this_year(d: Defect, q: Request | Case, year: int) -> Finding:
    """An error in a row that the year's tally does not count: reported, but only as a warning."""
    return row_finding("L809", f"{d.message}（{CODES[d.code].title}；不涉及{year}年统计）", q, d.place)


def has_error(q: Request) -> bool:
    return any(CODES[d.code].severity == "error" for d in q.defects)
