"""Test helper: fill a blank agency workbook the way a person would.

Meta fields and texts are found by their labels, as a clerk finds them. Number cells are found
through the one description of the tables, `form.grids`, as the workbook drew them
(`write.workbook.grid_layouts`), not by arithmetic of their own; the loader, which finds the same
cells by label, then reads them back, so a round trip checks the layout against the loader.

    from .fill import fill_workbook, locate_cells
    write_template(path, edition="2021")
    fill_workbook(path, report)                    # meta, texts and every number of `report`
    fill_workbook(path, report, type_totals=True)  # also type the report's totals over the formulas

`locate_cells(wb, edition)` maps (section, row_key, column_key) → the openpyxl cell, for tests that
want to look at or change single cells (e.g. make one blank, type "十二" into another).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from qtx_report.form import editions as form
from qtx_report.form.grids import CellKey
from qtx_report.model.report import Report
from qtx_report.write.workbook import grid_address, grid_layouts


def fill_workbook(path: Path, report: Report, *, type_totals: bool = False) -> None:
    """Write the meta fields, texts and numbers of `report` into the blank template at `path`.

    Totals are left as the template's formulas (a person does not type them), unless `type_totals`:
    then every non-blank total of the report is typed over its formula, like a workbook whose totals
    were pasted from a Word report (use it to make a deliberately wrong total)."""
    wb = load_workbook(path)
    ed = form.edition(report.edition)
    for field, cell in locate_meta(wb).items():
        value = getattr(report, field)
        cell.value = None if value == "" else value
    for field, cell in locate_texts(wb).items():
        cell.value = getattr(report, field) or None
    totals = total_keys(ed)
    for key, cell in locate_cells(wb, ed.name).items():
        value = report.value(*key)  # type: ignore[arg-type]
        typed_total = type_totals and value is not None
        if key not in totals or typed_total:  # a formula is only replaced when asked to
            cell.value = value
    wb.save(path)


def total_keys(ed: form.Edition) -> set[CellKey]:
    """The cells that hold formulas in the template: every total of the form."""
    return {total.cell for total in ed.totals}


# ---------------------------------------------------------------- finding cells


def locate_meta(wb: Workbook) -> dict[str, Cell]:
    """Model field → the value cell right of its label in the 基本信息 sheet."""
    ws = wb[form.META_SHEET]
    return {field: _right_of(ws, _find(ws, label, columns=(1, 1))) for field, label in form.META_FIELDS}


def locate_texts(wb: Workbook) -> dict[str, Cell]:
    """Text section key (overview, problems, other) → the cell right of its heading in 文字部分."""
    ws = wb[form.TEXT_SHEET]
    return {s.key: _right_of(ws, _find(ws, s.heading, columns=(1, 1))) for s in form.TEXT_SECTIONS}


def locate_cells(wb: Workbook, edition: str) -> dict[CellKey, Cell]:
    """Every number cell of the form, where the workbook's layout puts it."""
    ed = form.edition(edition)
    cells: dict[CellKey, Cell] = {}
    for grid, layout in grid_layouts(ed).items():
        ws = section_sheet(wb, ed, form.GRID_SECTIONS[grid])
        cells |= {key: ws.cell(*grid_address(cell)) for key, cell in layout.value_cells.items()}
    return cells


def section_sheet(wb: Workbook, ed: form.Edition, section_key: str) -> Worksheet:
    """The tab a person would pick: the one named after the section's number (二、…)."""
    prefix = ed.section(section_key).number + "、"
    matches = [ws for ws in wb.worksheets if ws.title.startswith(prefix)]
    assert len(matches) == 1, f"expected one sheet named {prefix}…, found {[ws.title for ws in wb.worksheets]}"
    return matches[0]


# ---------------------------------------------------------------- label search


def _find(ws: Worksheet, text: str, *, rows: tuple[int, int] | None = None,
          columns: tuple[int, int] | None = None) -> Cell:
    """The first cell (row by row) whose text is exactly `text`, within the given bounds."""
    for cell in _cells(ws, rows, columns):
        if isinstance(cell.value, str) and cell.value.strip() == text:
            return cell
    raise AssertionError(f"label {text!r} not found in sheet {ws.title!r} (rows {rows}, columns {columns})")


def _cells(ws: Worksheet, rows: tuple[int, int] | None, columns: tuple[int, int] | None) -> Iterator[Cell]:
    first_row, last_row = rows or (1, ws.max_row)
    first_col, last_col = columns or (1, ws.max_column)
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col):
        yield from row


def _extent(ws: Worksheet, cell: Cell) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of the merged range anchored at `cell`, or of the cell itself."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row == cell.row and merged.min_col == cell.column:
            return merged.min_row, merged.min_col, merged.max_row, merged.max_col
    return cell.row, cell.column, cell.row, cell.column


def _right_of(ws: Worksheet, cell: Cell) -> Cell:
    return ws.cell(cell.row, _extent(ws, cell)[3] + 1)
