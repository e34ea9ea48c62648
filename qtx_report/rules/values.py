"""Rules on a single number: blank (I101), a fraction where a count belongs (V301), negative (V302), many
documents in force and none repealed (V303, a prompt)."""

from __future__ import annotations

from collections.abc import Iterator

from qtx_report.form.editions import Cell
from qtx_report.model.findings import Finding
from qtx_report.model.numbers import format_number
from qtx_report.model.report import Number
from qtx_report.rules.base import Context, rule, shown


@rule("I101")
def blank_cells(ctx: Context) -> Iterator[Finding]:
    # A blank total is computed by the loader when its parts are there; otherwise the blank
    # parts are what the clerk must fill, so only they are reported.
    for cell, value in ctx.values():
        if value is None and not cell.is_total and not _unreadable(ctx, cell):
            yield ctx.at("I101", f"“{cell.row_label}”行“{cell.column_label}”列为空。没有发生请填写0，空白不会按0计算。",
                         cell.key)


def _unreadable(ctx: Context, cell: Cell) -> bool:
    """A cell the loader already reported as unreadable (I102) is not reported again as blank."""
    return any(f.code == "I102" and f.key == cell.key for f in ctx.loaded.findings)


# The two value checks below each ask one question of the cell's kind, so that when the form's
# value kind carries its own constraint they switch to asking the kind, one line each.


def fraction_not_allowed(cell: Cell, value: Number) -> bool:
    """A decimal where the kind wants a whole number: only amounts (万元) may have decimals."""
    return value.__class__ is float and not cell.kind.fraction and not value.is_integer()  # type: ignore[union-attr]


def negative_not_allowed(cell: Cell, value: Number) -> bool:
    """Below zero where the kind cannot be: only 本年增/减 (a delta) may go down."""
    return value is not None and value < 0 and not cell.kind.negative


@rule("V301")
def whole_counts(ctx: Context) -> Iterator[Finding]:
    for cell, value in ctx.values():
        if fraction_not_allowed(cell, value):
            yield ctx.at("V301", f"“{cell.row_label}”行“{cell.column_label}”列是件数，不能是小数 {format_number(value)}。请改为整数。",
                         cell.key, actual=value)


@rule("V302")
def non_negative(ctx: Context) -> Iterator[Finding]:
    for cell, value in ctx.values():
        if negative_not_allowed(cell, value):
            yield ctx.at("V302", f"“{cell.row_label}”行“{cell.column_label}”列为负数 {shown(value)}，应为0或正数。请核对。",
                         cell.key, actual=value)


IN_FORCE_REVIEW = 100  # 现行有效 above this with nothing 废止 suggests the documents were never cleaned up


@rule("V303")
def in_force_unreviewed(ctx: Context) -> Iterator[Finding]:
    if ctx.report.edition != "2021":  # the 2019 form counts 对外公开总数量, not 现行有效件数
        return
    for row, cells in ctx.report.section2.items():
        in_force, repealed = cells.get("in_force"), cells.get("repealed")
        if in_force is not None and in_force > IN_FORCE_REVIEW and repealed == 0:
            label = ctx.ed.cell_labels("section2", row, "in_force")[0]
            yield ctx.at("V303", f"“{label}”现行有效{shown(in_force)}件，本年废止0件。请核对是否开展了文件清理；"
                         "清理后确无需废止的，宜在正文说明。", ("section2", row, "in_force"),
                         actual=in_force)
