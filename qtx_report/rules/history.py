"""Year-over-year rules, run only with last year's report: 结转 (H701), 现行有效 (H702), 项目数量 (H703),
tables copied from last year (H704); and two prompts, figures that jumped (H705) or fell to zero (H706)."""

from __future__ import annotations

from collections.abc import Iterator

from qtx_report.form.editions import Cell
from qtx_report.model.findings import Finding
from qtx_report.model.report import Number
from qtx_report.rules.base import Context, differs, rule, shown, sum_or_none


@rule("H701")
def carried_over(ctx: Context) -> Iterator[Finding]:
    if ctx.previous is None:
        return
    s3 = ctx.ed.section3
    for column in s3.columns:
        last = ctx.previous.report.section3.get("carried_out", {}).get(column.key)
        now = ctx.report.section3["carried_in"][column.key]
        if differs(last, now):
            yield ctx.at("H701", f"“{column.label}”列：本年“{s3.row('carried_in').title}”为{shown(now)}，但上年度报告"
                         f"“{s3.row('carried_out').title}”为{shown(last)}。请核对。",
                         ("section3", "carried_in", column.key), expected=last, actual=now)


@rule("H702")
def in_force_continuity(ctx: Context) -> Iterator[Finding]:
    if ctx.previous is None or ctx.report.edition != "2021" or ctx.previous.report.edition != "2021":
        return
    now, last = ctx.report.section2, ctx.previous.report.section2
    for row in ("regulations", "normative_docs"):
        expected = sum_or_none([last[row]["in_force"], now[row]["issued"]])
        expected = None if expected is None or now[row]["repealed"] is None else expected - now[row]["repealed"]
        if differs(expected, now[row]["in_force"]):
            label = ctx.ed.cell_labels("section2", row, "in_force")[0]
            yield ctx.at("H702", f"“{label}”：上年现行有效{shown(last[row]['in_force'])}+本年制发{shown(now[row]['issued'])}"
                         f"−本年废止{shown(now[row]['repealed'])}={shown(expected)}，但本年现行有效件数为{shown(now[row]['in_force'])}。"
                         "请核对（如有清理、修改应在正文说明）。", ("section2", row, "in_force"),
                         expected=expected, actual=now[row]["in_force"])


@rule("H703")
def item_continuity(ctx: Context) -> Iterator[Finding]:
    if ctx.previous is None or ctx.report.edition != "2019" or ctx.previous.report.edition != "2019":
        return
    now, last = ctx.report.section2, ctx.previous.report.section2
    for row, cells in now.items():
        if "prev_items" not in cells:
            continue
        expected = sum_or_none([last[row]["prev_items"], last[row]["delta"]])
        if differs(expected, cells["prev_items"]):
            label = ctx.ed.cell_labels("section2", row, "prev_items")[0]
            yield ctx.at("H703", f"“{label}”：上年度上一年项目数量{shown(last[row]['prev_items'])}+本年增/减{shown(last[row]['delta'])}"
                         f"={shown(expected)}，但本年填写{shown(cells['prev_items'])}。请核对。", ("section2", row, "prev_items"),
                         expected=expected, actual=cells["prev_items"])


@rule("H704")
def tables_renewed(ctx: Context) -> Iterator[Finding]:
    """Every number of sections 二, 三 and 四 as last year's: the tables were copied, not filled in.
    A report with nothing but zeros and blanks is left alone (nothing happened, both years)."""
    if ctx.previous is None or ctx.report.edition != ctx.previous.report.edition:
        return
    last = ctx.previous.report
    now = [(cell, value) for cell, value in ctx.values()]
    if not any(value for _, value in now):
        return
    if all(last.value(*cell.key) == value for cell, value in now):  # type: ignore[arg-type]
        yield ctx.at("H704", f"第二、三、四部分的{len(now)}个数字与上年度报告完全相同。"
                     "请核对是否照抄了上年度的表格，按本年度的实际情况填写。", expected="与上年度不同", actual="全部相同")


JUMP = 5  # × 5 or ÷ 5 against last year is a jump worth a second look
NOTABLE = 10  # below this on both sides a jump is noise (1 → 5); a zero after this many is a prompt


def watched(ctx: Context) -> Iterator[tuple[Cell, Number, Number]]:
    """The figures whose year-over-year change is prompted: 新收 (总计) and every number of section 二
    but its deltas, with last year's value, both present."""
    if ctx.previous is None or ctx.report.edition != ctx.previous.report.edition:
        return
    last = ctx.previous.report
    for cell, value in ctx.values():
        wanted = (cell.grid == "section2" and not cell.kind.negative) or \
            cell.key == ("section3", "new", "total")
        before = last.value(*cell.key)  # type: ignore[arg-type]
        if wanted and value is not None and before is not None:
            yield cell, value, before


@rule("H705")
def figure_jumped(ctx: Context) -> Iterator[Finding]:
    for cell, now, last in watched(ctx):
        if max(now, last) < NOTABLE or now == 0 or last == 0:
            continue
        if now >= JUMP * last or last >= JUMP * now:
            change = f"是上年的{now / last:.1f}倍" if now > last else f"不到上年的五分之一（{now / last:.0%}）"
            yield ctx.at("H705", f"“{cell.row_label}”行“{cell.column_label}”列：本年{shown(now)}，上年{shown(last)}，"
                         f"{change}。请核对是否填错；确属实际变化的，宜在正文说明原因。", cell.key,
                         expected=last, actual=now)


@rule("H706")
def figure_vanished(ctx: Context) -> Iterator[Finding]:
    for cell, now, last in watched(ctx):
        if now == 0 and last >= NOTABLE:
            yield ctx.at("H706", f"“{cell.row_label}”行“{cell.column_label}”列：上年{shown(last)}，本年为0。"
                         "请核对是否漏填；确实没有发生的，宜在正文说明。", cell.key, expected=last, actual=now)
