"""Finding sections 二, 三 and 四 by their official labels in any set of sheets.

A workbook of ours, a workbook pasted from last year's Word report, and the tables of a Word
document all arrive here as sheets; wherever the labels stand, the numbers beside them are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from qtx_report.form.editions import EDITIONS, Column, Edition, edition
from qtx_report.model import labels
from qtx_report.model.findings import Finding
from qtx_report.model.loaded import CellKey
from qtx_report.model.numbers import format_number, parse_number, whole
from qtx_report.model.places import Place
from qtx_report.model.report import Grid, empty_grids
from qtx_report.read.sheets import Sheet

MAX_LABEL = 120  # the longest official label is under 50 characters


@dataclass
class LabelIndex:
    """Every text cell of a workbook, indexed by its label key."""

    sheets: list[Sheet]
    by_key: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for s, sheet in enumerate(self.sheets):
            for r, row in enumerate(sheet.rows):
                for c, value in enumerate(row):
                    # Labels are short; long cells are prose (instructions, report text).
                    if value.__class__ is str and 0 < len(value) <= MAX_LABEL and not value.isspace():
                        self.by_key.setdefault(labels.key(value), []).append((s, r, c))

    def find(self, *texts: str) -> list[tuple[int, int, int]]:
        hits = [hit for text in texts for hit in self.by_key.get(labels.key(text), [])]
        return sorted(hits)


@dataclass
class _Reader:
    path: Path
    cells: LabelIndex
    ed: Edition
    grids: dict[str, Grid] = field(default_factory=dict)
    locations: dict[CellKey, Place] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    blanks: set[CellKey] = field(default_factory=set)

    def note(self, code: str, message: str, hit: tuple[int, int, int] | None = None, *,
             key: CellKey | None = None, **where: str) -> None:
        place = None if hit is None else self.cells.sheets[hit[0]].place(hit[1], hit[2])
        self.findings.append(Finding(code, message, file=str(self.path), place=place, key=key, **where))

    def take(self, section: str, row_key: str, row_label: str, column: Column, hit: tuple[int, int, int],
             add: bool = False) -> None:
        """Read one number cell into the grid, noting how it was read; `add` sums several cells
        into one (rows of the other edition that this edition counts in a single row). A cell holding
        an Excel error value (#N/A) is read as that text: calamine gives it as blank."""
        s, r, c = hit
        sheet = self.cells.sheets[s]
        raw = sheet.errors.get((r, c)) or (sheet.rows[r][c] if r < len(sheet.rows) and c < len(sheet.rows[r]) else "")
        key = (section, row_key, column.key)
        self.locations[key] = sheet.place(r, c)
        value, problem = parse_number(raw)
        if value is None and problem is None:
            self.blanks.add(key)
        elif problem:
            where = dict(section=self.ed.heading_of(section), row=row_label, column=column.label, actual=str(raw))
            if value is None:
                self.note("I102", f"“{row_label}”行“{column.label}”列的内容“{raw}”无法读作数字{problem}。", hit,
                          key=key, **where)
            else:
                self.note("I103", f"“{row_label}”行“{column.label}”列的内容“{raw}”已按 {format_number(value)} 读取{problem}。",
                          hit, key=key, expected=format_number(value), **where)
        previous = self.grids[section][row_key][column.key]
        if add and previous is not None and value is not None:
            value = whole(previous + value)
        self.grids[section][row_key][column.key] = value


@dataclass(frozen=True)
class Tables:
    """Sections 二, 三 and 四 as found by label in a set of sheets (a workbook, or a Word
    document's tables), with where each number came from."""

    edition: str
    grids: dict[str, Grid]
    locations: dict[CellKey, Place]
    findings: tuple[Finding, ...]
    computed: frozenset[CellKey]


def read_tables(path: Path, sheets: list[Sheet], edition_name: str | None = None, *,
                cells: LabelIndex | None = None) -> Tables:
    """Find the tables by label; the edition comes from the caller or from the labels."""
    cells = cells or LabelIndex(sheets)
    ed = edition(edition_name or detect_edition(cells))
    reader = _Reader(path, cells, ed, grids=empty_grids(ed.name))
    _read_section2(reader)
    _read_section3(reader)
    _read_section4(reader)
    computed = _fill_totals(reader)
    _report_computed(reader, computed)
    return Tables(ed.name, reader.grids, reader.locations, tuple(reader.findings), frozenset(computed))


def detect_edition(cells: LabelIndex) -> str:
    """The edition whose own labels (those the other edition lacks) appear most often."""
    own = {name: _edition_keys(edition(name)) for name in EDITIONS}
    scores = {name: len((own[name] - own[other]) & cells.by_key.keys())
              for name, other in zip(EDITIONS, reversed(EDITIONS), strict=True)}
    return max(EDITIONS, key=lambda name: (scores[name], name == "2021"))


def _edition_keys(ed: Edition) -> set[str]:
    texts = [r.label for t in ed.section2 for r in t.rows] + [c.label for t in ed.section2 for c in t.columns]
    texts += [r.label for r in ed.section3.rows]
    return {labels.key(t) for t in texts}


# ------------------------------------------------------------------------------ section 二


def _header_columns(reader: _Reader, s: int, r: int, columns: tuple[Column, ...], lookback: int,
                    min_col: int = 0) -> dict[str, int]:
    """Column key → column index, from the header cells in the `lookback` rows above row r."""
    found: dict[str, int] = {}
    sheet = reader.cells.sheets[s]
    for hr in range(max(0, r - lookback), r):
        for c, value in enumerate(sheet.rows[hr]):
            if c < min_col or not isinstance(value, str):
                continue
            k = labels.key(value)
            for column in columns:
                if column.key in found:
                    continue
                if k == labels.key(column.label):
                    found[column.key] = c
                elif k in {labels.key(a) for a in column.aliases}:
                    found[column.key] = c
                    reader.note("I104", f"列标签“{value}”已按“{column.label}”读取，请改为官方文字。", (s, hr, c),
                                column=column.label, actual=value, expected=column.label)
    return found


def _read_section2(reader: _Reader) -> None:
    row_header = labels.key(reader.ed.section2[0].row_header)
    for table in reader.ed.section2:
        for row in table.rows:
            hits = reader.cells.find(row.label)
            hit = next((h for h in hits if _header_row_above(reader, h, row_header) is not None), None)
            if hit is None:
                reader.note("S201", f"第二部分找不到“{row.label}”行（{table.caption}）。", section="二、主动公开政府信息情况",
                            row=row.label)
                continue
            header = _header_row_above(reader, hit, row_header)
            columns = _header_columns(reader, hit[0], hit[1], table.columns, hit[1] - header, min_col=hit[2] + 1)
            _check_foreign_columns(reader, hit[0], header, table)
            for column in table.columns:
                if column.key not in columns:
                    reader.note("S201", f"第二部分“{row.label}”所在表格缺少“{column.label}”列。", hit,
                                section="二、主动公开政府信息情况", row=row.label, column=column.label)
                    continue
                reader.take("section2", row.key, row.label, column, (hit[0], hit[1], columns[column.key]))


def _header_row_above(reader: _Reader, hit: tuple[int, int, int], row_header: str) -> int | None:
    s, r, c = hit
    sheet = reader.cells.sheets[s]
    for hr in range(r - 1, max(-1, r - 6), -1):
        if labels.key(sheet.get(hr, c)) == row_header:
            return hr
    return None


def _check_foreign_columns(reader: _Reader, s: int, header: int, table) -> None:
    other = edition("2019" if reader.ed.name == "2021" else "2021")
    ours = {labels.key(c.label) for t in reader.ed.section2 for c in t.columns}
    theirs = {labels.key(c.label): c.label for t in other.section2 for c in t.columns}
    for c, value in enumerate(reader.cells.sheets[s].rows[header]):
        k = labels.key(value) if isinstance(value, str) else ""
        if k in theirs and k not in ours and not any(f.code == "S202" and f.actual == value for f in reader.findings):
            reader.note("S202", f"第二部分出现了{other.name}版格式的列“{value}”，本报告按{reader.ed.name}版格式读取。",
                        (s, header, c), section="二、主动公开政府信息情况", column=str(value), actual=str(value))


# ------------------------------------------------------------------------------ section 三


def _read_section3(reader: _Reader) -> None:
    s3 = reader.ed.section3
    heading = reader.ed.heading_of("section3")
    anchors = reader.cells.find(s3.rows[0].label)
    if not anchors:
        reader.note("S201", f"找不到第三部分表格（“{s3.rows[0].title}”行）。", section=heading)
        return
    s, r0, c0 = anchors[0]
    columns = _header_columns(reader, s, r0, s3.columns, 6, min_col=c0 + 1)
    for column in s3.columns:
        if column.key not in columns:
            reader.note("S201", f"第三部分表头缺少“{column.label}”列。", (s, r0, c0), section=heading, column=column.label)
    if not columns:
        return
    first_data = min(columns.values())
    seen = _scan_section3_rows(reader, s, r0, first_data, columns)
    for row in s3.rows:
        if row.key not in seen:
            reader.note("S201", f"第三部分缺少“{row.title}”行。", (s, r0, c0), section=heading, row=row.title)
    expected = [r.key for r in s3.rows if r.key in seen]
    if seen != expected:
        reader.note("S203", "第三部分各行的顺序与官方格式不一致，请按官方格式排列。", (s, r0, c0), section=heading)


@lru_cache(maxsize=4)
def _section3_index(edition_name: str) -> dict[str, tuple[str, bool]]:
    ed = edition(edition_name)
    rows = [(r.label, r.key, False) for r in ed.section3.rows]
    rows += [(alias, r.key, True) for r in ed.section3.rows for alias in r.aliases]
    return labels.index(rows)


def _scan_section3_rows(reader: _Reader, s: int, r0: int, first_data: int, columns: dict[str, int]) -> list[str]:
    """Walk down from the first row, matching each row's most specific label; stop after 四、."""
    s3 = reader.ed.section3
    heading = reader.ed.heading_of("section3")
    own = _section3_index(reader.ed.name)
    foreign = _section3_index(_other(reader.ed).name)
    headers = _header_keys(reader.ed.name)
    sheet = reader.cells.sheets[s]
    seen: list[str] = []
    for r in range(r0, min(len(sheet.rows), r0 + 60)):
        label_col, label = _row_label(sheet, r, first_data)
        if not label:
            continue
        k = labels.key(label)
        foreign_row = False
        has_numbers = any(sheet.get(r, c) not in ("", None) for c in columns.values())
        hit = (s, r, label_col)
        if k in own:
            row_key, variant = own[k]
            if variant:
                official = s3.row(row_key).label
                reader.note("I104", f"行标签“{label}”已按“{official}”读取，请改为官方文字。", hit,
                            section=heading, row=official, actual=label, expected=official)
        elif k in foreign and has_numbers:
            row_key = _foreign_row(reader, foreign[k][0], label, hit)
            if row_key is None:
                continue
            foreign_row = True
        elif k in headers and not has_numbers:
            continue
        else:
            if has_numbers:
                reader.note("S201", f"第三部分有无法识别的行“{label}”，其数字未计入。", hit, section=heading, row=label)
            continue
        if row_key in seen and not foreign_row:
            continue
        add = row_key in seen
        if not add:
            seen.append(row_key)
        row = s3.row(row_key)
        for column in s3.columns:
            if column.key in columns:
                reader.take("section3", row_key, row.title, column, (s, r, columns[column.key]), add=add)
        if row_key == s3.rows[-1].key:
            break
    return seen


@lru_cache(maxsize=4)
def _header_keys(edition_name: str) -> frozenset[str]:
    rows = edition(edition_name).section3.header_rows
    return frozenset(labels.key(t) for h in rows for t in (h.label, *h.aliases))


def _other(ed: Edition) -> Edition:
    return edition("2019" if ed.name == "2021" else "2021")


def _row_label(sheet: Sheet, r: int, first_data: int) -> tuple[int, str]:
    row = sheet.rows[r]
    for c in range(min(first_data, len(row)) - 1, -1, -1):
        value = row[c]
        if isinstance(value, str) and value.strip():
            return c, value
    return -1, ""


def _foreign_row(reader: _Reader, foreign_key: str, label: str, hit: tuple[int, int, int]) -> str | None:
    """A row of the other edition holding numbers: say so, and read it where this edition counts it."""
    target = reader.ed.section3_foreign.get(foreign_key)
    heading = reader.ed.heading_of("section3")
    where = f"，已按“{reader.ed.section3.row(target).title}”读取" if target else "，其数字未计入"
    reader.note("S202", f"第三部分“{label}”是另一版本格式的行{where}。请按{reader.ed.name}版格式修改表格。", hit,
                section=heading, row=label, actual=label)
    return target


# ------------------------------------------------------------------------------ section 四


def _read_section4(reader: _Reader) -> None:
    s4 = reader.ed.section4
    heading = reader.ed.heading_of("section4")
    review = s4.groups[0]
    anchors = reader.cells.find(review.label, *review.aliases)
    anchors = [a for a in anchors if _section4_headers(reader, a)]
    if not anchors:
        reader.note("S201", "找不到第四部分表格（“行政复议”“行政诉讼”表头）。", section=heading)
        return
    anchor = anchors[0]
    if labels.key(reader.cells.sheets[anchor[0]].get(anchor[1], anchor[2])) != labels.key(review.label):
        reader.note("I104", f"表头已按“{review.label}”读取，请改为官方文字。", anchor, section=heading,
                    expected=review.label)
    headers = _section4_headers(reader, anchor)
    per_group = len(s4.columns)
    if len(headers) != per_group * len(s4.groups):
        reader.note("S201", f"第四部分应有 {per_group * len(s4.groups)} 个结果列，实际找到 {len(headers)} 个。", anchor,
                    section=heading)
        return
    data_row = max(r for r, _ in headers) + 1
    for g, group in enumerate(s4.groups):
        chunk = headers[g * per_group:(g + 1) * per_group]
        found = [labels.key(reader.cells.sheets[anchor[0]].get(r, c)) for r, c in chunk]
        if found != [labels.key(c.label) for c in s4.columns]:
            reader.note("S203", f"第四部分“{group.label}”下各列的顺序与官方格式不一致。", anchor, section=heading,
                        row=group.label)
        for (_, c), column in zip(chunk, s4.columns, strict=True):
            reader.take("section4", group.key, group.label, column, (anchor[0], data_row, c))


def _section4_headers(reader: _Reader, anchor: tuple[int, int, int]) -> list[tuple[int, int]]:
    """(row, col) of the result-column labels in the rows just below the anchor, left to right."""
    s, r0, c0 = anchor
    sheet = reader.cells.sheets[s]
    wanted = {labels.key(c.label) for c in reader.ed.section4.columns}
    found = [(r, c) for r in range(r0, min(len(sheet.rows), r0 + 4)) for c, v in enumerate(sheet.rows[r])
             if c >= c0 and isinstance(v, str) and labels.key(v) in wanted]
    return sorted(found, key=lambda rc: rc[1])


# ------------------------------------------------------------------------------ totals


def _fill_totals(reader: _Reader) -> set[CellKey]:
    """Compute total cells left blank (or formulas saved without a value); typed totals stay."""
    computed: set[CellKey] = set()
    grids = reader.grids
    for total in reader.ed.totals:  # parts come before the totals that add them up
        parts = [grids[g][r][c] for g, r, c in total.parts]
        if total.cell not in reader.blanks or any(p is None for p in parts):
            continue
        grid, row, column = total.cell
        grids[grid][row][column] = whole(sum(parts))  # type: ignore[arg-type]
        reader.blanks.discard(total.cell)
        computed.add(total.cell)
    return computed


def _report_computed(reader: _Reader, computed: set[CellKey]) -> None:
    """One note per section: totals saved as formulas without values are normal for files our
    template wrote and nobody recalculated, so listing each would drown the real findings."""
    for grid in ("section3", "section4"):
        cells = sorted((c for c in computed if c[0] == grid), key=reader.ed.cell_order)
        if not cells:
            continue
        refs = [reader.locations[c] for c in cells]
        shown = "、".join(ref.cell for ref in refs[:6]) + ("等" if len(refs) > 6 else "")
        reader.findings.append(Finding(
            "I105", f"{len(cells)} 个合计单元格（{shown}）为空或为未保存计算结果的公式，已按分项相加计算。",
            file=str(reader.path), section=reader.ed.heading_of(grid), place=refs[0], expected=str(len(cells))))
