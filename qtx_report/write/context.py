"""The official tables as grids of cells with spans, and the render context built from a report.

One description of each table's merged-cell layout drives three things: the Word template
(`scripts/make_docx_template.py` writes one placeholder per cell), the HTML page (rowspan/colspan),
and the tests that open the rendered .docx. A cell names what it shows by a *reference* into the
render context ("l3.new" is the label of row `new`, "v3.new.natural" its number), so the .docx
placeholder is `{{ l3.new }}` and the HTML looks the same path up. Labels come from `form.py` only.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from qtx_report.form.editions import REPORT_TITLE, TEXT_SECTIONS, Column, Edition, edition
from qtx_report.model.report import Report, format_number

# header: centred label; label: left-aligned row label; caption: a table caption row; value: a number
Role = Literal["header", "label", "caption", "value"]

TEXT_WIDTH_MM = 156.0  # A4 210 mm less GB/T 9704 margins 28 + 26 mm
DRAFT_MARK = "草稿（数据未通过校验）"
NOTHING = "无"  # printed under an empty text section (so it also reads back as 无)


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


# ---------------------------------------------------------------- values and text


# Characters XML 1.0 cannot hold (and lone surrogates, which cannot be encoded at all).
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def paragraphs(text: str) -> list[str]:
    """Text as printed paragraphs: one per line, blank lines and edge spaces dropped (the
    paragraph style indents the first line, so typed leading spaces would indent twice)."""
    lines = unicodedata.normalize("NFC", text or "").splitlines()  # \r\n \v \f \u2028 … all break
    cleaned = (_NOT_XML.sub("", line).strip() for line in lines)
    return [line for line in cleaned if line]


def canonical_text(text: str) -> str:
    """A text section as paragraphs joined by line breaks (blank lines and edge spaces dropped)."""
    return "\n".join(paragraphs(text))


def printed_text(text: str) -> str:
    """What a text section reads back as after a round trip through the printed report."""
    return canonical_text(text) or NOTHING


def date_text(report: Report) -> str:
    d = report.report_date
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


# ---------------------------------------------------------------- context


def _labels(ed: Edition) -> dict[str, Any]:
    s3, s4 = ed.section3, ed.section4
    l2: dict[str, str] = {}
    c2: dict[str, dict[str, str]] = {}
    for table in ed.section2:
        l2[table.key] = table.caption
        l2[f"{table.key}_row_header"] = table.row_header
        l2.update({row.key: row.label for row in table.rows})
        c2[table.key] = {c.key: c.label for c in table.columns}
    groups3 = list(dict.fromkeys(c.group for c in s3.columns if c.group))
    l4 = {g.key: g.label for g in s4.groups}
    l4.update({f"{g.key}_parent": g.parent for g in s4.groups if g.parent})
    return {
        "l2": l2, "c2": c2,
        "l3": {"note": s3.note, "applicant_header": s3.applicant_header, **{r.key: r.title for r in s3.rows}},
        "g3": {h.key: h.title for h in s3.header_rows},
        "c3": {**{c.key: c.label for c in s3.columns}, **{f"group{i}": g for i, g in enumerate(groups3)}},
        "l4": l4,
        "c4": {c.key: c.label for c in s4.columns},
    }


def _values(report: Report, ed: Edition) -> dict[str, dict[str, dict[str, str]]]:
    def grid(section: str, rows: list[str], columns: dict[str, list[str]]) -> dict[str, dict[str, str]]:
        return {r: {c: format_number(report.value(section, r, c)) for c in columns[r]} for r in rows}  # type: ignore[arg-type]

    s2_cols = {r.key: [c.key for c in t.columns] for t in ed.section2 for r in t.rows}
    s3_cols = [c.key for c in ed.section3.columns]
    s4_cols = [c.key for c in ed.section4.columns]
    return {
        "v2": grid("section2", list(s2_cols), s2_cols),
        "v3": grid("section3", [r.key for r in ed.section3.rows], {r.key: s3_cols for r in ed.section3.rows}),
        "v4": grid("section4", [g.key for g in ed.section4.groups], {g.key: s4_cols for g in ed.section4.groups}),
    }


def context(report: Report, draft: bool = False) -> dict[str, Any]:
    """Everything the .docx and HTML templates print, as plain strings and lists."""
    ed = edition(report.edition)
    ctx: dict[str, Any] = {
        "title": REPORT_TITLE.format(agency=report.agency, year=report.year),
        "agency": report.agency,
        "year": report.year,
        "edition": ed.name,
        "basis": ed.basis,
        "contact_person": report.contact_person,
        "contact_phone": report.contact_phone,
        "date_text": date_text(report),
        "draft": draft,
        "draft_mark": DRAFT_MARK if draft else "",
        "h": {s.key: s.heading for s in ed.sections},
        "text": {s.key: paragraphs(getattr(report, s.key)) or [NOTHING] for s in TEXT_SECTIONS},
        **_labels(ed),
        **_values(report, ed),
    }
    return ctx


def resolve(ctx: dict[str, Any], ref: str) -> str:
    value: Any = ctx
    for part in ref.split("."):
        value = value[part]
    return str(value)


def html_tables(ctx: dict[str, Any], ed: Edition) -> dict[str, dict[str, Any]]:
    """Per table: column widths (%), header rows and body rows of cells (text, spans, role)."""
    tables = {}
    for key, layout in layouts(ed).items():
        rows = [[{"text": resolve(ctx, c.ref), "rowspan": c.rowspan, "colspan": c.colspan, "role": c.role}
                 for c in row] for row in layout.rows()]
        total = sum(layout.widths_mm)
        tables[key] = {"widths": [round(100 * w / total, 2) for w in layout.widths_mm],
                       "head": rows[:layout.header_rows], "body": rows[layout.header_rows:]}
    return tables
