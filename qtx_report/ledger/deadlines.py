"""Answer deadlines (条例第三十条、第三十三条; 附件3 五、八、十), computed by `clock()`: late answers and
补正 notices, and the watch list of open requests that `ledger-status` shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from qtx_report.ledger.defects import defect_findings, has_error, row_finding
from qtx_report.ledger.read import Case, Request
from qtx_report.ledger.workdays import add_workdays, is_covered, workdays_between
from qtx_report.model.findings import Finding

ANSWER_DAYS = 20  # 条例第三十三条: 20 working days
EXTENSION_DAYS = 20  # extendable once, by at most 20 working days
CORRECTION_NOTICE_DAYS = 7  # 附件3 八（二）: 补正 notice within 7 working days of receipt
DUE_SOON_DAYS = 5  # "due within 5 working days" in the watch list
_PERIOD = (ANSWER_DAYS, ANSWER_DAYS + EXTENSION_DAYS)  # indexed by Request.extended (False 0, True 1)


class Clock(NamedTuple):
    """The deadlines of one request; None where the clock is stopped or cannot be computed.
    (A NamedTuple for the same reason as Request: one per row.)"""

    notice_due: date | None  # 补正告知 due date, when 补正 was asked
    answer_due: date | None
    waiting: str = ""  # why answer_due is None: 等待补正 / 征求意见中 / 缺少日期


_plain_due = lru_cache(maxsize=1 << 16)(add_workdays)  # a few hundred receipt dates for 100,000 rows


def clock(q: Request) -> Clock:
    """条例第三十条、第三十三条; 附件3 五、八、十. Every period counts from the day after its start."""
    if q.received is None:
        return Clock(None, None, "缺少收到日期")
    if not (q.correction or q.correction_notice or q.correction_done or q.consulted or q.consult_from):
        return Clock(None, _plain_due(q.received, _PERIOD[q.extended]))  # most rows
    asked_correction = q.correction or q.correction_notice is not None or q.correction_done is not None
    notice_due = add_workdays(q.received, CORRECTION_NOTICE_DAYS) if asked_correction else None
    if asked_correction and q.correction_done is None:
        return Clock(notice_due, None, "等待补正")
    start = q.correction_done if asked_correction else q.received
    assert start is not None
    pauses: tuple[tuple[date, date], ...] = ()
    if q.consulted or q.consult_from:
        if q.consult_from is None:
            return Clock(notice_due, None, "缺少征求意见开始日期")
        if q.consult_to is None:
            return Clock(notice_due, None, "征求意见中")
        pauses = ((q.consult_from, q.consult_to),)
    return Clock(notice_due, add_workdays(start, _PERIOD[q.extended], pauses))


def _years_walked(q: Request, c: Clock) -> tuple[int, ...]:
    """The years a deadline computation walked through (a deadline is weeks away, so usually one)."""
    ends = [d.year for d in (c.notice_due, c.answer_due) if d]
    if q.received is None or not ends:
        return ()
    last = max(ends)
    return (q.received.year,) if last == q.received.year else tuple(range(q.received.year, last + 1))


# ---------------------------------------------------------------- watch list: late, overdue, due soon


@dataclass(frozen=True)
class OpenItem:
    """An unanswered request in the watch list of `ledger-status`."""

    request: Request
    task: str  # 答复 or 补正告知
    due: date | None
    state: str  # 已逾期 / 即将到期 / 未到期 / 等待补正 / 征求意见中 …
    workdays_left: int | None  # negative: working days overdue


def open_items(requests: Iterable[Request], today: date) -> list[OpenItem]:
    """Requests received by `today` and not answered, with their next deadline."""
    soon = add_workdays(today, DUE_SOON_DAYS)
    items = []
    for q in requests:
        if q.answered is not None or q.received is None or q.received > today:
            continue
        c = clock(q)
        notice_pending = c.notice_due is not None and q.correction_notice is None
        task, due = ("补正告知", c.notice_due) if notice_pending else ("答复", c.answer_due)
        if due is None:
            items.append(OpenItem(q, task, None, c.waiting, None))
            continue
        left = workdays_between(today, due) if due >= today else -workdays_between(due, today)
        state = "已逾期" if due < today else "即将到期" if due <= soon else "未到期"
        items.append(OpenItem(q, task, due, state, left))
    items.sort(key=lambda i: (i.due is None, i.due or date.max, i.request.row))
    return items


def deadline_findings(requests: Iterable[Request], today: date, year: int | None = None) -> list[Finding]:
    """Late answers and 补正 notices (in `year`, or ever), overdue and due-soon open requests,
    and one warning per year whose holidays chinese-calendar does not know."""
    findings: list[Finding] = []
    years: set[int] = set()
    # `q.defects and` spares 100,000 plain rows a call
    requests = [q for q in requests if q.received is not None and not (q.defects and has_error(q))]
    open_requests: list[Request] = []
    for q in requests:
        received, answered = q.received, q.answered
        if year is not None and (received.year > year or (answered and answered.year < year)):  # type: ignore[union-attr]
            continue  # not counted in the year (see defects._counted_in)
        if answered is None:
            open_requests.append(q)  # judged by open_items() below
            if q.correction_notice is None:
                continue
        if not (q.correction or q.correction_notice or q.correction_done or q.consulted or q.consult_from):
            # the plain case, inlined (most of 100,000 rows): 20 or 40 working days from receipt
            due = _plain_due(received, _PERIOD[q.extended])
            years.update((received.year, due.year))  # type: ignore[union-attr]
            if answered > due:  # type: ignore[operator]
                findings += _late_findings(q, Clock(None, due), year)
            continue
        c = clock(q)
        years.update(_years_walked(q, c))
        findings += _late_findings(q, c, year)
    for item in open_items(open_requests, today):
        if item.due:
            years.update(range(item.request.received.year, item.due.year + 1))  # type: ignore[union-attr]
        findings += _open_findings(item)
    unknown_years = {y for y in years if not is_covered(y)}
    findings += [Finding("L815", f"chinese-calendar 没有{y}年的节假日安排，{y}年的工作日按周一至周五计算，"
                                 "法定节假日和调休未计入，期限可能不准。")
                 for y in sorted(unknown_years)]
    return findings


def _late_findings(q: Request, c: Clock, year: int | None) -> list[Finding]:
    out = []
    notice = q.correction_notice
    if c.notice_due and notice and notice > c.notice_due and (year is None or notice.year == year):
        late = workdays_between(c.notice_due, notice)
        out.append(row_finding("L812", f"补正告知日期 {notice} 晚于期限 {c.notice_due}（逾期{late}个工作日）", q))
    if c.answer_due and q.answered and q.answered > c.answer_due and (year is None or q.answered.year == year):
        late = workdays_between(c.answer_due, q.answered)
        out.append(row_finding("L811", f"答复日期 {q.answered} 晚于答复期限 {c.answer_due}（逾期{late}个工作日）", q))
    return out


_TASK_TEXT = {"答复": "答复", "补正告知": "发出补正告知"}


def _open_findings(item: OpenItem) -> list[Finding]:
    q = item.request
    if item.state == "已逾期":
        code = "L812" if item.task == "补正告知" else "L813"
        return [row_finding(code, f"尚未{_TASK_TEXT[item.task]}，期限 {item.due} 已过（逾期{-(item.workdays_left or 0)}个工作日）",
                         q)]
    if item.state == "即将到期":
        return [row_finding("L814", f"尚未{_TASK_TEXT[item.task]}，期限 {item.due}（还剩{item.workdays_left}个工作日）", q)]
    return []


def ledger_findings(requests: Iterable[Request], cases: Iterable[Case] | None, today: date) -> list[Finding]:
    """Everything `ledger-status` reports: row defects of any year; late answers and notices of the
    current year (earlier years' are history, reported by their tally); open requests of any year."""
    requests = list(requests)
    findings = [f for q in requests if q.defects for f in defect_findings(q, None)[0]]
    findings += [row_finding(d.code, d.message, c, d.place) for c in cases or () for d in c.defects]
    return findings + deadline_findings(requests, today, today.year)
