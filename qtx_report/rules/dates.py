"""Rules on the 成文日期: late for a deadline (D601), or missing / not in the year after (D602)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from qtx_report.model.findings import Finding
from qtx_report.rules.base import Context, Options, rule


def city_deadline_missed(f: Finding, year: int, options: Options) -> bool:
    """Whether `f` is D601 for the city's deadline (not the law's) of a report of `year`: what a
    receipt time decides instead, where there is one."""
    return f.code == "D601" and f.expected == _by(date(year + 1, *options.city_deadline))


def _by(deadline: date) -> str:
    return f"<={deadline.isoformat()}"


# One check decides both codes: a date outside the following year has no deadline to be late for.
@rule("D601", also=("D602",))
def report_date(ctx: Context) -> Iterator[Finding]:
    report = ctx.report
    when = report.report_date
    if when is None or when.year != report.year + 1:
        shown = when.isoformat() if when else "未填写"
        yield ctx.at("D602", f"成文日期{shown}，应为{report.year + 1}年的日期（报告{report.year}年度的工作）。",
                     section="基本信息", row="成文日期", actual=shown)
        return
    for (month, day), what in ((ctx.options.city_deadline, "青铜峡市规定的报送期限"),
                               (ctx.options.law_deadline, "条例规定的公布期限")):
        deadline = date(report.year + 1, month, day)
        if when > deadline:
            yield ctx.at("D601", f"成文日期{when.isoformat()}晚于{what}{deadline.month}月{deadline.day}日。请按期报送、公布。",
                         section="基本信息", row="成文日期", expected=_by(deadline), actual=when.isoformat())
            return
