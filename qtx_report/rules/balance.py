"""The arithmetic the form itself prints: 一+二 = （七）+四 (B401) and every 总计 (B402–B404)."""

from __future__ import annotations

from collections.abc import Iterator

from qtx_report.form.editions import Total
from qtx_report.model.findings import Finding
from qtx_report.model.report import Number
from qtx_report.rules.base import Context, differs, rule, shown, sum_or_none


@rule("B401")
def request_balance(ctx: Context) -> Iterator[Finding]:
    s3, grid = ctx.ed.section3, ctx.report.section3
    new, carried_in, total, carried_out = (s3.row(k) for k in ("new", "carried_in", "results_total", "carried_out"))
    one, two, four = (r.number.rstrip("、") for r in (new, carried_in, carried_out))
    for column in s3.columns:
        a, b, c, d = (grid[r.key][column.key] for r in (new, carried_in, total, carried_out))
        left, right = sum_or_none([a, b]), sum_or_none([c, d])
        if differs(left, right):
            yield ctx.at("B401", (
                f"第三部分“{column.label}”列：{one}({shown(a)})+{two}({shown(b)})={shown(left)}，"
                f"但{total.title}({shown(c)})+{four}({shown(d)})={shown(right)}，相差{shown(abs(left - right))}。"  # type: ignore[operator]
                "请核对本列各项。"), ("section3", total.key, column.key), expected=left, actual=right)


def _total_mismatches(ctx: Context, kind: str) -> Iterator[tuple[Total, Number, Number]]:
    """(total, sum of its parts, value written) for each total cell of `kind` that disagrees."""
    grids = {"section3": ctx.report.section3, "section4": ctx.report.section4}
    for total in ctx.ed.totals:
        if total.kind != kind:
            continue
        expected = sum_or_none([grids[g][r][c] for g, r, c in total.parts])
        grid, row, column = total.cell
        actual = grids[grid][row][column]
        if differs(expected, actual):
            yield total, expected, actual


@rule("B402")
def results_total(ctx: Context) -> Iterator[Finding]:
    title = ctx.ed.section3.row("results_total").title
    for total, expected, actual in _total_mismatches(ctx, "results"):
        column = ctx.ed.cell_labels(*total.cell)[1]
        yield ctx.at("B402", (
            f"第三部分“{column}”列：{title}填的是{shown(actual)}，但各项办理结果相加为{shown(expected)}，"
            f"相差{shown(abs(expected - actual))}。请改为{shown(expected)}或核对各项结果。"),  # type: ignore[operator]
            total.cell, expected=expected, actual=actual)


@rule("B403")
def applicant_total(ctx: Context) -> Iterator[Finding]:
    for total, expected, actual in _total_mismatches(ctx, "row"):
        row = ctx.ed.cell_labels(*total.cell)[0]
        yield ctx.at("B403", (
            f"第三部分“{row}”行：总计填的是{shown(actual)}，但自然人与各类法人或其他组织相加为{shown(expected)}，"
            f"相差{shown(abs(expected - actual))}。请改为{shown(expected)}或核对各列。"),  # type: ignore[operator]
            total.cell, expected=expected, actual=actual)


@rule("B404")
def case_totals(ctx: Context) -> Iterator[Finding]:
    for total, expected, actual in _total_mismatches(ctx, "cases"):
        group = ctx.ed.cell_labels(*total.cell)[0]
        yield ctx.at("B404", (
            f"第四部分“{group}”：总计填的是{shown(actual)}，但维持、纠正、其他、尚未审结相加为{shown(expected)}。"
            f"请改为{shown(expected)}或核对各项。"), total.cell, expected=expected, actual=actual)
