"""Test helper: fill a blank agency workbook the way a person would.

A clerk does not know cell addresses: they find the row label and the column header and type into
the cell where the two meet. These helpers do the same with openpyxl, reading every label from
`qtx_report.form`, so they work on any workbook that follows the layout contract of
`qtx_report.workbook` (and fail loudly, naming the label, when a label is missing).

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
from qtx_report.model.report import Report

CellKey = tuple[str, str, str]  # (section2|section3|section4, row key, column key)


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
    """The cells that hold formulas in the template: section 三's 总计 column and （七）总计 row,
    section 四's 总计 of each group."""
    s3, s4 = ed.section3, ed.section4
    keys = {("section3", r.key, s3.total_column.key) for r in s3.rows}
    keys |= {("section3", r.key, c.key) for r in s3.rows if r.is_total for c in s3.columns}
    keys |= {("section4", g.key, s4.total_column.key) for g in s4.groups}
    return keys


# ---------------------------------------------------------------- finding cells by label


def locate_meta(wb: Workbook) -> dict[str, Cell]:
    """Model field → the value cell right of its label in the 基本信息 sheet."""
    ws = wb[form.META_SHEET]
    return {field: _right_of(ws, _find(ws, label, columns=(1, 1))) for field, label in form.META_FIELDS}


def locate_texts(wb: Workbook) -> dict[str, Cell]:
    """Text section key (overview, problems, other) → the cell right of its heading in 文字部分."""
    ws = wb[form.TEXT_SHEET]
    return {s.key: _right_of(ws, _find(ws, s.heading, columns=(1, 1))) for s in form.TEXT_SECTIONS}


def locate_cells(wb: Workbook, edition: str) -> dict[CellKey, Cell]:
    """Every number cell of the form, found by its row label and column header."""
    ed = form.edition(edition)
    cells = _section2_cells(section_sheet(wb, ed, "proactive"), ed)
    cells |= _section3_cells(section_sheet(wb, ed, "requests"), ed.section3)
    cells |= _section4_cells(section_sheet(wb, ed, "appeals"), ed.section4)
    return cells


def section_sheet(wb: Workbook, ed: form.Edition, section_key: str) -> Worksheet:
    """The tab a person would pick: the one named after the section's number (二、…)."""
    prefix = ed.section(section_key).number + "、"
    matches = [ws for ws in wb.worksheets if ws.title.startswith(prefix)]
    assert len(matches) == 1, f"expected one sheet named {prefix}…, found {[ws.title for ws in wb.worksheets]}"
    return matches[0]


def _section2_cells(ws: Worksheet, ed: form.Edition) -> dict[CellKey, Cell]:
    cells: dict[CellKey, Cell] = {}
    for table in ed.section2:
        caption = _find(ws, table.caption, columns=(1, 1))
        header_row = caption.row + 1
        assert ws.cell(header_row, 1).value == table.row_header, f"{table.caption}: no {table.row_header} row"
        column_of = {c.key: _find(ws, c.label, rows=(header_row, header_row)).column for c in table.columns}
        for row in table.rows:
            label = _find(ws, row.label, rows=(header_row + 1, header_row + len(table.rows)), columns=(1, 1))
            for column in table.columns:
                cells["section2", row.key, column.key] = ws.cell(label.row, column_of[column.key])
    return cells


def _section3_cells(ws: Worksheet, s3: form.Section3) -> dict[CellKey, Cell]:
    # Row labels are searched in order, each below the previous, in the columns left of the numbers;
    # column headers only above the first row label (总计 and 其他 are also row labels).
    first_label = _find(ws, s3.rows[0].title)
    column_of = {c.key: _find(ws, c.label, rows=(1, first_label.row - 1)).column for c in s3.columns}
    label_columns = (1, min(column_of.values()) - 1)
    cells: dict[CellKey, Cell] = {}
    start = first_label.row
    for row in s3.rows:
        label = _find(ws, row.title, rows=(start, ws.max_row), columns=label_columns)
        start = label.row + 1
        for column in s3.columns:
            cells["section3", row.key, column.key] = ws.cell(label.row, column_of[column.key])
    return cells


def _section4_cells(ws: Worksheet, s4: form.Section4) -> dict[CellKey, Cell]:
    # Each group's columns lie under its (merged) group label; the numbers sit in the first row
    # below the whole header.
    found: dict[tuple[str, str], Cell] = {}
    for group in s4.groups:
        label = _find(ws, group.label)
        _top, left, bottom, right = _extent(ws, label)
        for column in s4.columns:
            found[group.key, column.key] = _find(ws, column.label, rows=(bottom + 1, ws.max_row),
                                                 columns=(left, right))
    data_row = max(_extent(ws, cell)[2] for cell in found.values()) + 1
    return {("section4", g, c): ws.cell(data_row, cell.column) for (g, c), cell in found.items()}


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
