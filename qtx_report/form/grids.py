"""The official tables as grids of merged cells: one description of each table's layout.

It drives the agency workbook, the Word template (`scripts/make_docx_template.py` writes one
placeholder per cell), the HTML page (rowspan/colspan) and the tests that read the outputs back.
A cell names what it shows by a *reference* ("l3.new" is the label of row `new`, "v3.new.natural"
its number) that the writers resolve against the report; labels come from `editions` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from qtx_report.form.editions import Column, Edition, edition

# header: centred label; label: left-aligned row label; caption: a table caption row; value: a number
Role = Literal["header", "label", "caption", "value"]

TEXT_WIDTH_MM = 156.0  # A4 210 mm less GB/T 9704 margins 28 + 26 mm


@dataclass(frozen=True)
class Cell:
    ref: str  # path into the render context
    row: int  # grid position of the top-left corner, 0-based
    col: int
    rowspan: int = 1
    colspan: int = 1
    role: Role = "value"


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


# ---------------------------------------------------------------- section 二


def section2_subcolumns() -> int:
    """Value columns share one grid in both editions: the least common multiple of the
    column counts, so 1, 2 or 3 columns each span a whole number of grid columns."""
    counts = {len(t.columns) for name in ("2021", "2019") for t in edition(name).section2}
    return math.lcm(*counts)


def section2_layout(ed: Edition) -> TableLayout:
    sub = section2_subcolumns()
    cells: list[Cell] = []
    r = 0
    for table in ed.section2:
        span = sub // len(table.columns)
        cells.append(Cell(f"l2.{table.key}", r, 0, colspan=sub + 1, role="caption"))
        cells.append(Cell(f"l2.{table.key}_row_header", r + 1, 0, role="header"))
        cells += [Cell(f"c2.{table.key}.{c.key}", r + 1, 1 + i * span, colspan=span, role="header")
                  for i, c in enumerate(table.columns)]
        r += 2
        for row in table.rows:
            cells.append(Cell(f"l2.{row.key}", r, 0, role="header"))
            cells += [Cell(f"v2.{row.key}.{c.key}", r, 1 + i * span, colspan=span)
                      for i, c in enumerate(table.columns)]
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
            cells.append(Cell(f"{prefix}.{column.key}", top, col, rowspan=2, role="header"))
            continue
        members = [j for j, c in enumerate(columns) if c.group == column.group]
        if i == members[0]:
            cells.append(Cell(f"{prefix}.group{groups.index(column.group)}", top, col,
                              colspan=len(members), role="header"))
        cells.append(Cell(f"{prefix}.{column.key}", top + 1, col, role="header"))
    return cells


def section3_layout(ed: Edition) -> TableLayout:
    s3 = ed.section3
    width = len(s3.columns)
    cells = [Cell("l3.note", 0, 0, rowspan=3, colspan=3, role="label"),
             Cell("l3.applicant_header", 0, 3, colspan=width, role="header")]
    cells += _column_headers(s3.columns, "c3", 3, 1)
    top = 3
    for i, row in enumerate(s3.rows):
        r = top + i
        depth = len(row.groups)
        for level, group in enumerate(row.groups):
            members = [j for j, other in enumerate(s3.rows) if len(other.groups) > level
                       and other.groups[level] == group]
            if i == members[0]:
                cells.append(Cell(f"g3.{group}", r, level, rowspan=len(members), role="label"))
        cells.append(Cell(f"l3.{row.key}", r, depth, colspan=3 - depth, role="label"))
        cells += [Cell(f"v3.{row.key}.{c.key}", r, 3 + j) for j, c in enumerate(s3.columns)]
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
            cells.append(Cell(f"l4.{group.key}", 0, col, colspan=per, role="header"))
            cells += [Cell(f"c4.{c.key}", 1, col + j, rowspan=2, role="header") for j, c in enumerate(s4.columns)]
            continue
        siblings = [k for k, other in enumerate(s4.groups) if other.parent == group.parent]
        if g == siblings[0]:
            cells.append(Cell(f"l4.{group.key}_parent", 0, col, colspan=per * len(siblings), role="header"))
        cells.append(Cell(f"l4.{group.key}", 1, col, colspan=per, role="header"))
        cells += [Cell(f"c4.{c.key}", 2, col + j, role="header") for j, c in enumerate(s4.columns)]
    cells += [Cell(f"v4.{group.key}.{c.key}", 3, g * per + j)
              for g, group in enumerate(s4.groups) for j, c in enumerate(s4.columns)]
    n = per * len(s4.groups)
    return TableLayout("section4", tuple([TEXT_WIDTH_MM / n] * n), 3, tuple(cells))


def layouts(ed: Edition) -> dict[str, TableLayout]:
    return {"section2": section2_layout(ed), "section3": section3_layout(ed), "section4": section4_layout(ed)}
