"""Reading a report as plain text: copied from a web page, or extracted from a PDF.

Each line is a paragraph, or a row of a table when its cells are separated by tabs or by runs of
two or more spaces (a label, then numbers); consecutive such lines are one table. A copied page
loses its merged cells, so a table whose rows differ in length is put back on a grid: labels on
the left, numbers right-aligned under the column headers, and stacked headers (申请人情况 over
法人或其他组织 over 商业企业 …) flattened into one row of the form's column labels. Every place is a
line of the file (第N行), for paragraphs and table cells alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qtx_report.form.editions import EDITIONS, edition
from qtx_report.model import labels
from qtx_report.model.loaded import Loaded
from qtx_report.model.numbers import parse_number
from qtx_report.model.places import TextLine
from qtx_report.read.document import Body, Paragraph, read_document
from qtx_report.read.html import decode, read_limited, require_report_tables

_SPACED = re.compile(r"[ \u00a0\u3000]{2,}")
_NUMBERS = re.compile(r"^[+-]?\d+(?:\.\d+)?(?: [+-]?\d+(?:\.\d+)?)+$")  # 0 0 1: numbers a PDF set one space apart
MAX_CELL = 80  # the longest official label is under 50 characters; longer cells are prose


@dataclass(frozen=True)
class Line:
    number: int
    cells: list[str]


def read_text(path: Path | str) -> Loaded:
    path = Path(path)
    body = text_body(decode(read_limited(path, "文本")))
    require_report_tables(path, body, "文本")
    return read_document(path, body)


def text_body(text: str) -> Body:
    body = Body()
    block: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        cells = table_cells(raw)
        if cells is not None:
            block.append(Line(number, cells))
        elif raw.strip():
            _add_block(body, block)
            block = []
            body.paragraphs.append(Paragraph(raw.strip(), place=TextLine(number)))
    _add_block(body, block)
    return body


def table_cells(line: str) -> list[str] | None:
    """The cells of a table row, or None for a line of prose (one cell, or a cell too long for a label)."""
    parts = line.rstrip("\r\n").split("\t") if "\t" in line else _SPACED.split(line.strip())
    cells = [c for part in parts for c in (part.split(" ") if _NUMBERS.match(part.strip()) else [part.strip()])]
    filled = [c for c in cells if c]
    if len(cells) < 2 or not filled or any(len(c) > MAX_CELL for c in cells):
        return None
    return cells if len(filled) >= 2 or cells[0] else None


def _add_block(body: Body, block: list[Line]) -> None:
    """Consecutive table lines: a table when some row holds a number, else lines of prose."""
    if not block:
        return
    if not any(_is_number(c) for line in block for c in line.cells if c):
        for line in block:
            body.paragraphs.append(Paragraph("  ".join(c for c in line.cells if c), place=TextLine(line.number)))
        return
    lines = block if len({len(line.cells) for line in block}) == 1 else _aligned(block)
    body.add_table([line.cells for line in lines], row_places=tuple(TextLine(line.number) for line in lines))


def _is_number(cell: str) -> bool:
    return parse_number(cell)[0] is not None


def _is_value(cell: str) -> bool:
    return not cell or _is_number(cell)


# ---------------------------------------------------------------- putting a copied table on a grid


def _aligned(block: list[Line]) -> list[Line]:
    """Rows of unequal length on one grid: labels in the first columns, values right-aligned in
    the columns after them, each run of header rows flattened above the values it heads."""
    data = [line for line in block if not _is_header(line)]
    width = max((len(_split(line.cells)[0]) for line in data), default=0)
    out: list[Line] = []
    headers: list[Line] = []
    values = max((len(_split(line.cells)[1]) for line in data), default=0)
    for line in block:
        if _is_header(line):
            headers.append(line)
            continue
        if headers:
            rows, leaves = _flattened(headers, width)
            out += rows
            values = leaves or values
            headers = []
        out.append(_data_row(line, width, values))
    if headers:
        out += _flattened(headers, width)[0]
    return out


def _is_header(line: Line) -> bool:
    keys = {labels.key(c) for c in line.cells if c}
    return not any(_is_number(c) for c in line.cells if c) and bool(keys & (_leaves() | _groups() | _stubs()))


def _split(cells: list[str]) -> tuple[list[str], list[str]]:
    """(labels, values): the values are the longest run of number or blank cells at the end."""
    start = len(cells)
    while start > 0 and _is_value(cells[start - 1]):
        start -= 1
    return cells[:start], cells[start:]


def _data_row(line: Line, width: int, columns: int) -> Line:
    names, values = _split(line.cells)
    surplus = len(values) - columns
    if surplus > 0 and not any(values[:surplus]):  # blanks between the label and the values (merged cells)
        values = values[surplus:]
    values = [""] * max(0, columns - len(values)) + values
    return Line(line.number, names + [""] * (width - len(names)) + values)


def _flattened(headers: list[Line], width: int) -> tuple[list[Line], int]:
    """Header rows as the label finder reads them: each row's group headers (行政诉讼, 法人或其他
    组织) on a row of their own, then one row of the leaf column labels over the value columns."""
    current = [c for c in headers[0].cells if c]
    rows = []
    for line in headers:
        groups = [c for c in line.cells if c and labels.key(c) in _groups()]
        if groups:
            rows.append(Line(line.number, groups))
    for line in headers[1:]:
        current = _expand(current, [c for c in line.cells if c])
    leaves = [c for c in current if labels.key(c) in _leaves()]
    stubs = [c for c in current if labels.key(c) not in _leaves() | _groups()][:width]
    rows.append(Line(headers[-1].number, stubs + [""] * (width - len(stubs)) + leaves))
    return rows, len(leaves)


def _expand(current: list[str], below: list[str]) -> list[str]:
    """The first run of group headers replaced by the row below them (their sub-columns)."""
    at = next((i for i, c in enumerate(current) if labels.key(c) in _groups()), None)
    if at is None:
        return current + below
    end = at
    while end < len(current) and labels.key(current[end]) in _groups():
        end += 1
    return current[:at] + below + current[end:]


@lru_cache(maxsize=1)
def _leaves() -> frozenset[str]:
    """Column labels of both editions over a column of values."""
    texts: set[str] = set()
    for name in EDITIONS:
        ed = edition(name)
        columns = [*(c for t in ed.section2 for c in t.columns), *ed.section3.columns, *ed.section4.columns]
        texts |= {t for c in columns for t in (c.label, *c.aliases)}
    return frozenset(labels.key(t) for t in texts)


@lru_cache(maxsize=1)
def _groups() -> frozenset[str]:
    """Headers spanning several columns."""
    texts: set[str] = set()
    for name in EDITIONS:
        ed = edition(name)
        texts |= {ed.section3.applicant_header} | {c.group for c in ed.section3.columns if c.group}
        texts |= {t for g in ed.section4.groups for t in (g.label, *g.aliases, g.parent) if t}
    return frozenset(labels.key(t) for t in texts)


@lru_cache(maxsize=1)
def _stubs() -> frozenset[str]:
    """Headers over the label column (信息内容, the note of section 三)."""
    texts = {t for name in EDITIONS for t in (edition(name).section2[0].row_header, edition(name).section3.note)}
    return frozenset(labels.key(t) for t in texts)
