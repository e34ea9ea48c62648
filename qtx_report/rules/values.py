"""Rules on a single number: blank (I101), a fraction where a count belongs (V301), negative (V302)."""

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
