"""The official tables as grids of merged cells: one description of each table's layout.

It drives the agency workbook (`write.workbook` draws every label, merge and number cell from it),
the Word template (`scripts/make_docx_template.py` writes one placeholder per cell), the HTML page
(rowspan/colspan) and the tests that fill or read the outputs back.
A cell names what it shows by a *reference* ("l3.new" is the label of row `new`, "v3.new.natural"
its number) that the render context resolves against the report; a label cell also carries its
text and a value cell its (grid, row key, column key), for writers that need no context. Every
label comes from `editions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from qtx_report.form.editions import EDITIONS, Column, Edition, edition

# header: centred label; label: left-aligned row label; caption: a table caption row; value: a number
Role = Literal["header", "label", "caption", "value"]
# What a cell is in the form, for a writer that dresses the parts apart (the workbook). caption:
# a section 二 table's caption bar; corner: the header of the label column; note: section 三's
# arithmetic note in that corner; column_group: a label over several columns; column: one column's
# label; row_group: a label beside several rows; row: one row's label; total_row: the label of a
# row of sums; value: a number.
Part = Literal["caption", "corner", "note", "column_group", "column", "row_group", "row", "total_row", "value"]
CellKey = tuple[str, str, str]  # (grid, row key, column key), as Edition.cells and Report.value name them

TEXT_WIDTH_MM = 156.0  # A4 210 mm less GB/T 9704 margins 28 + 26 mm


@dataclass(frozen=True)
class Cell:
    ref: str  # path into the render context
    row: int  # grid position of the top-left corner, 0-based
    col: int
    rowspan: int = 1
    colspan: int = 1
    role: Role = "value"
    part: Part = "value"
    text: str = ""  # a label's official text (what `ref` resolves to); "" for a value
    key: CellKey | None = None  # a value's cell of the form
    column: Column | None = None  # a value's column: its kind and unit say what may be typed


@dataclass(frozen=True)
class TableLayout:
    key: str  # section2 / section3 / section4 (the Report field the values come from)
    widths_mm: tuple[float, ...]
    header_rows: int
    cells: tuple[Cell, ...]

    @property
    def n_rows(self) -> int:
        return max(c.row + c.rowspan for c in self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.widths_mm)

    @property
    def value_cells(self) -> dict[CellKey, Cell]:
        """The value cells by the form cell they hold, in layout order."""
        return {c.key: c for c in self.cells if c.key is not None}

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, left to right (HTML order)."""
        grouped: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            grouped[cell.row].append(cell)
        return grouped

    def covering(self, row: int, col: int) -> Cell | None:
        """The cell whose span covers a grid position."""
        return next((c for c in self.cells
                     if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan), None)


def _value(grid: str, row_key: str, column: Column, row: int, col: int, colspan: int = 1) -> Cell:
    ref = f"v{grid[-1]}.{row_key}.{column.key}"  # v2/v3/v4: the section's number
    return Cell(ref, row, col, colspan=colspan, key=(grid, row_key, column.key), column=column)


# ---------------------------------------------------------------- section 二


def section2_subcolumns(*names: str) -> int:
    """Value columns share one grid across the named editions (default all): the least common
    multiple of their column counts, so 1, 2 or 3 columns each span a whole number of grid columns."""
    counts = {len(t.columns) for name in names or EDITIONS for t in edition(name).section2}
    return math.lcm(*counts)


def section2_layout(ed: Edition, *, common_grid: bool = True) -> TableLayout:
    sub = section2_subcolumns() if common_grid else section2_subcolumns(ed.name)
    cells: list[Cell] = []
    r = 0
    for table in ed.section2:
        span = sub // len(table.columns)
        cells.append(Cell(f"l2.{table.key}", r, 0, colspan=sub + 1, role="caption", part="caption",
                          text=table.caption))
        cells.append(Cell(f"l2.{table.key}_row_header", r + 1, 0, role="header", part="corner",
                          text=table.row_header))
        cells += [Cell(f"c2.{table.key}.{c.key}", r + 1, 1 + i * span, colspan=span, role="header", part="column",
                       text=c.label) for i, c in enumerate(table.columns)]
        r += 2
        for row in table.rows:
            cells.append(Cell(f"l2.{row.key}", r, 0, role="header", part="row", text=row.label))
            cells += [_value("section2", row.key, c, r, 1 + i * span, span) for i, c in enumerate(table.columns)]
            r += 1
    label_mm = 40.0
    widths = (label_mm, *([(TEXT_WIDTH_MM - label_mm) / sub] * sub))
    return TableLayout("section2", widths, 0, tuple(cells))


# ---------------------------------------------------------------- section 三


def _column_headers(columns: tuple[Column, ...], prefix: str, first_col: int, top: int) -> list[Cell]:
    """Two header rows: a grouped column sits under its group label, an ungrouped one spans both."""
    cells: list[Cell] = []
    groups = list(dict.fromkeys(c.group for c in columns if c.group))
    for i, column in enumerate(columns):
        col = first_col + i
        if not column.group:
            cells.append(Cell(f"{prefix}.{column.key}", top, col, rowspan=2, role="header", part="column",
                              text=column.label))
            continue
        members = [j for j, c in enumerate(columns) if c.group == column.group]
        if i == members[0]:
            cells.append(Cell(f"{prefix}.group{groups.index(column.group)}", top, col, colspan=len(members),
                              role="header", part="column_group", text=column.group))
        cells.append(Cell(f"{prefix}.{column.key}", top + 1, col, role="header", part="column", text=column.label))
    return cells


def section3_layout(ed: Edition) -> TableLayout:
    s3 = ed.section3
    width = len(s3.columns)
    headers = {h.key: h for h in s3.header_rows}
    cells = [Cell("l3.note", 0, 0, rowspan=3, colspan=3, role="label", part="note", text=s3.note),
             Cell("l3.applicant_header", 0, 3, colspan=width, role="header", part="column_group",
                  text=s3.applicant_header)]
    cells += _column_headers(s3.columns, "c3", 3, 1)
    top = 3
    for i, row in enumerate(s3.rows):
        r = top + i
        depth = len(row.groups)
        for level, group in enumerate(row.groups):
            members = [j for j, other in enumerate(s3.rows) if len(other.groups) > level
                       and other.groups[level] == group]
            if i == members[0]:
                cells.append(Cell(f"g3.{group}", r, level, rowspan=len(members), role="label", part="row_group",
                                  text=headers[group].title))
        cells.append(Cell(f"l3.{row.key}", r, depth, colspan=3 - depth, role="label",
                          part="total_row" if row.is_total else "row", text=row.title))
        cells += [_value("section3", row.key, c, r, 3 + j) for j, c in enumerate(s3.columns)]
    value_mm = 11.4
    label_mm = (15.0, 17.0, TEXT_WIDTH_MM - 32.0 - value_mm * width)
    return TableLayout("section3", (*label_mm, *([value_mm] * width)), 3, tuple(cells))


# ---------------------------------------------------------------- section 四


def section4_layout(ed: Edition) -> TableLayout:
    s4 = ed.section4
    per = len(s4.columns)
    cells: list[Cell] = []
    for g, group in enumerate(s4.groups):
        col = g * per
        if not group.parent:
            cells.append(Cell(f"l4.{group.key}", 0, col, colspan=per, role="header", part="column_group",
                              text=group.label))
            cells += [Cell(f"c4.{c.key}", 1, col + j, rowspan=2, role="header", part="column", text=c.label)
                      for j, c in enumerate(s4.columns)]
            continue
        siblings = [k for k, other in enumerate(s4.groups) if other.parent == group.parent]
        if g == siblings[0]:
            cells.append(Cell(f"l4.{group.key}_parent", 0, col, colspan=per * len(siblings), role="header",
                              part="column_group", text=group.parent))
        cells.append(Cell(f"l4.{group.key}", 1, col, colspan=per, role="header", part="column_group",
                          text=group.label))
        cells += [Cell(f"c4.{c.key}", 2, col + j, role="header", part="column", text=c.label)
                  for j, c in enumerate(s4.columns)]
    cells += [_value("section4", group.key, c, 3, g * per + j)
              for g, group in enumerate(s4.groups) for j, c in enumerate(s4.columns)]
    n = per * len(s4.groups)
    return TableLayout("section4", tuple([TEXT_WIDTH_MM / n] * n), 3, tuple(cells))


def layouts(ed: Edition, *, common_grid: bool = True) -> dict[str, TableLayout]:
    """The three tables. `common_grid` puts section 二 on the column grid both editions share, as one
    Word template serves both; without it the edition's own, fewer columns (a workbook is of one edition)."""
    return {"section2": section2_layout(ed, common_grid=common_grid), "section3": section3_layout(ed),
            "section4": section4_layout(ed)}
