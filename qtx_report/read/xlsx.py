"""Reading a report: an agency workbook (python-calamine), the report JSON, or a Word report.

Workbook tables are found by their official labels, wherever they stand, so both our template
and other people's workbooks (pasted from last year's Word report) can be read.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from qtx_report.model import labels
from qtx_report.model.findings import Finding, InputError
from qtx_report.form.editions import EDITIONS, META_FIELDS, META_SHEET, SECTIONS, TEXT_SECTIONS, TEXT_SHEET, Column, Edition, edition
from qtx_report.model.report import Grid, Report, empty_grids, format_number

MAX_UNPACKED = 200 * 1024 * 1024  # a filled report is well under 1 MB unpacked
MAX_RATIO = 200  # deflate rarely beats 100:1 on real sheets; bombs reach 1000:1
MAX_CELLS = 2_000_000  # a sheet bigger than this is not a report
MAX_JSON = 20 * 1024 * 1024
MAX_LABEL = 120  # the longest official label is under 50 characters

class CellRef(NamedTuple):  # a NamedTuple: thousands are made per workbook, dataclasses are slower
    sheet: str
    cell: str


@dataclass(frozen=True)
class Loaded:
    """A report as read from one file, with where each number came from."""

    path: str
    report: Report
    locations: dict[tuple[str, str, str], CellRef] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    computed: frozenset[tuple[str, str, str]] = frozenset()


def load_report(path: Path | str) -> Loaded:
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "找不到该文件，请检查路径和文件名。")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _load_json(path)
    if suffix == ".docx":
        guard_zip(path, "word/document.xml", "Word 报告（.docx）")
        from qtx_report.read.docx import read_docx

        return read_docx(path)
    if suffix in {".xlsx", ".xlsm"} or zipfile.is_zipfile(path):
        return load_workbook(path)
    raise InputError(str(path), _not_a_workbook(path))


# ------------------------------------------------------------------------------ files


def _not_a_workbook(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(1024)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "这是旧版 .xls 文件或设置了打开密码的工作簿。请在 Excel/WPS 中取消密码并“另存为” .xlsx 后再试。"
    if path.suffix.lower() in {".csv", ".txt"} or _looks_like_text(head):
        return "这是文本/CSV 文件，不是 Excel 工作簿。请用 qtx-report template 生成模板填写，或在 Excel/WPS 中另存为 .xlsx。"
    return "无法识别的文件类型。请提供 .xlsx 工作簿、报告 JSON 或 .docx 年度报告。"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for cut in range(4):  # the read may end inside a multi-byte character
        for encoding in ("utf-8", "gb18030"):
            try:
                head[:len(head) - cut].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def guard_zip(path: Path, required: str, what: str) -> None:
    """Refuse zip bombs and files that are not what their name says, before any XML is parsed."""
    with path.open("rb") as stream:
        head = stream.read(4)
    if not head.startswith(b"PK"):
        raise InputError(str(path), _not_a_workbook(path) if what.startswith("Excel") else
                         f"文件不是有效的{what}，可能已损坏或被改了扩展名。请重新保存后再试。")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as err:
        raise InputError(str(path), f"文件已损坏，无法解压（{err}）。请用 Excel/WPS/Word 重新保存后再试。") from err
    if required not in {m.filename for m in members}:
        raise InputError(str(path), f"文件不是{what}（缺少 {required}），可能被改了扩展名。")
    total = sum(m.file_size for m in members)
    for m in members:
        if m.file_size > 10 * 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise InputError(str(path), f"文件中的 {m.filename} 解压后异常巨大（压缩比超过 {MAX_RATIO}:1），"
                             "疑似恶意文件，已拒绝读取。")
    if total > MAX_UNPACKED:
        raise InputError(str(path), f"文件解压后超过 {MAX_UNPACKED // 1024 // 1024} MB，不是正常的年度报告，已拒绝读取。")


def _load_json(path: Path) -> Loaded:
    from pydantic import ValidationError

    if path.stat().st_size > MAX_JSON:
        raise InputError(str(path), "JSON 文件过大，不是正常的年度报告。")
    try:
        report = Report.model_validate_json(path.read_bytes())
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(str(path), f"JSON 内容不符合报告格式：{where or '顶层'}：{first['msg']}。"
                         "可用 qtx-report schema 查看格式。") from err
    return Loaded(str(path), report)


# ------------------------------------------------------------------------------ workbook


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[object]]

    def get(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""


@lru_cache(maxsize=4096)
def a1(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def read_sheets(path: Path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    guard_zip(path, "xl/workbook.xml", "Excel 工作簿（.xlsx）")
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            end_row, end_col = sheet.end or (0, 0)
            if (end_row + 1) * (end_col + 1) > MAX_CELLS:
                raise InputError(str(path), f"工作表范围过大（到 {a1(end_row, end_col)}），请删除多余的行列后再试。",
                                 sheet=name)
            sheets.append(Sheet(name, sheet.to_python(skip_empty_area=False)))
        return sheets
    except InputError:
        raise
    except Exception as err:  # calamine raises its own error types for damaged files
        raise InputError(str(path), f"工作簿已损坏或已加密，无法读取（{err}）。请用 Excel/WPS 重新保存为 .xlsx 后再试。") from err


@dataclass
class _Cells:
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
    cells: _Cells
    ed: Edition
    grids: dict[str, Grid] = field(default_factory=dict)
    locations: dict[tuple[str, str, str], CellRef] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    blanks: set[tuple[str, str, str]] = field(default_factory=set)

    def note(self, code: str, message: str, hit: tuple[int, int, int] | None = None, **where: str) -> None:
        sheet, cell = ("", "") if hit is None else (self.cells.sheets[hit[0]].name, a1(hit[1], hit[2]))
        self.findings.append(Finding(code, message, file=str(self.path), sheet=sheet, cell=cell, **where))

    def take(self, section: str, row_key: str, row_label: str, column: Column, hit: tuple[int, int, int],
             add: bool = False) -> None:
        """Read one number cell into the grid, noting how it was read; `add` sums several cells
        into one (rows of the other edition that this edition counts in a single row)."""
        s, r, c = hit
        sheet = self.cells.sheets[s]
        raw = sheet.rows[r][c] if r < len(sheet.rows) and c < len(sheet.rows[r]) else ""
        self.locations[(section, row_key, column.key)] = CellRef(sheet.name, a1(r, c))
        value, problem = parse_number(raw)
        if value is None and problem is None:
            self.blanks.add((section, row_key, column.key))
        elif problem:
            where = dict(section=self.ed.heading_of(section), row=row_label, column=column.label, actual=str(raw))
            if value is None:
                self.note("I102", f"“{row_label}”行“{column.label}”列的内容“{raw}”无法读作数字{problem}。", hit, **where)
            else:
                self.note("I103", f"“{row_label}”行“{column.label}”列的内容“{raw}”已按 {_fmt(value)} 读取{problem}。",
                          hit, expected=_fmt(value), **where)
        previous = self.grids[section][row_key][column.key]
        if add and previous is not None and value is not None:
            value = _whole(previous + value)
        self.grids[section][row_key][column.key] = value


def _fmt(value: float | int) -> str:
    return format_number(value)


_DASHES = {"-", "—", "——", "－", "/", "／", "\\", "无", "–"}
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_WITH_UNIT = re.compile(r"^([+-]?\d+(?:\.\d+)?)(件|个|项|次|万元|元)$")
_CN_DIGITS = "零一二三四五六七八九"


def parse_number(raw: object) -> tuple[int | float | None, str | None]:
    """(value, problem). A blank gives (None, None); an unreadable cell (None, why); a cell read
    with some interpretation (value, how) — the caller reports the interpretation."""
    if raw.__class__ is float:  # what calamine gives for every number: the fast path
        return (int(raw) if raw.is_integer() else raw), None  # type: ignore[union-attr]
    if isinstance(raw, (bool, date, datetime)):
        return None, "（单元格是日期或逻辑值）"
    if isinstance(raw, (int, float)):
        return _whole(raw), None
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None, None
    folded = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    if folded in _DASHES:
        return 0, "（按“没有”理解为0，请直接填写0）"
    how = "（全角数字已转换，请改为半角数字）" if folded != text.replace(",", "").replace(" ", "") else \
        "（单元格是文本格式，请改为数字格式）"
    if _NUMBER.match(folded):
        return _whole(float(folded)), how
    unit = _WITH_UNIT.match(folded)
    if unit:
        return _whole(float(unit.group(1))), f"（已去掉单位“{unit.group(2)}”，单元格只填数字）"
    guess = chinese_numeral(folded)
    hint = f"，是否为 {guess}？请改为阿拉伯数字" if guess is not None else "，请填写阿拉伯数字"
    return None, hint


def _whole(value: float | int) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def chinese_numeral(text: str) -> int | None:
    """十二 → 12, 一百零五 → 105: only to suggest the right number, never to accept it."""
    units = {"十": 10, "百": 100, "千": 1000}
    if not text or any(ch not in _CN_DIGITS + "十百千两" for ch in text):
        return None
    total, digit = 0, 0
    for ch in text.replace("两", "二"):
        if ch in units:
            total += (digit or 1) * units[ch]
            digit = 0
        else:
            digit = _CN_DIGITS.index(ch)
    return total + digit


def load_workbook(path: Path) -> Loaded:
    sheets = read_sheets(path)
    cells = _Cells(sheets)
    meta, meta_findings = _read_meta(path, cells)
    tables = read_tables(path, sheets, meta.pop("edition", None), cells=cells)
    if not tables.locations:
        raise InputError(str(path), "工作簿中找不到年度报告的任何表格（如“本年新收政府信息公开申请数量”行）。"
                         "请确认没有选错文件；填报请使用 qtx-report template 生成的工作簿。")
    texts = {s.key: _read_text(cells, s.heading) for s in TEXT_SECTIONS}
    try:
        report = Report(edition=tables.edition, **meta, **texts, **tables.grids)
    except ValueError as err:
        raise InputError(str(path), f"基本信息有误：{err}", sheet=META_SHEET) from err
    return Loaded(str(path), report, tables.locations, (*meta_findings, *tables.findings), tables.computed)


@dataclass(frozen=True)
class Tables:
    """Sections 二, 三 and 四 as found by label in a set of sheets (a workbook, or a Word
    document's tables), with where each number came from."""

    edition: str
    grids: dict[str, Grid]
    locations: dict[tuple[str, str, str], CellRef]
    findings: tuple[Finding, ...]
    computed: frozenset[tuple[str, str, str]]


def read_tables(path: Path, sheets: list[Sheet], edition_name: str | None = None, *,
                cells: _Cells | None = None) -> Tables:
    """Find the tables by label; the edition comes from the caller or from the labels."""
    cells = cells or _Cells(sheets)
    ed = edition(edition_name or detect_edition(cells))
    reader = _Reader(path, cells, ed, grids=empty_grids(ed.name))
    _read_section2(reader)
    _read_section3(reader)
    _read_section4(reader)
    computed = _fill_totals(reader)
    _report_computed(reader, computed)
    return Tables(ed.name, reader.grids, reader.locations, tuple(reader.findings), frozenset(computed))


def detect_edition(cells: _Cells) -> str:
    """The edition whose own labels (those the other edition lacks) appear most often."""
    own = {name: _edition_keys(edition(name)) for name in EDITIONS}
    scores = {name: len((own[name] - own[other]) & cells.by_key.keys())
              for name, other in zip(EDITIONS, reversed(EDITIONS), strict=True)}
    return max(EDITIONS, key=lambda name: (scores[name], name == "2021"))


def _edition_keys(ed: Edition) -> set[str]:
    texts = [r.label for t in ed.section2 for r in t.rows] + [c.label for t in ed.section2 for c in t.columns]
    texts += [r.label for r in ed.section3.rows]
    return {labels.key(t) for t in texts}


# ------------------------------------------------------------------------------ meta and text


def _value_right_of(cells: _Cells, hit: tuple[int, int, int]) -> object:
    s, r, c = hit
    row = cells.sheets[s].rows[r]
    return next((v for v in row[c + 1:] if v not in ("", None)), "")


def _prefer(cells: _Cells, hits: list[tuple[int, int, int]], sheet_name: str) -> tuple[int, int, int] | None:
    return next((h for h in hits if cells.sheets[h[0]].name == sheet_name), hits[0] if hits else None)


def _read_meta(path: Path, cells: _Cells) -> tuple[dict[str, object], list[Finding]]:
    meta: dict[str, object] = {}
    problems: list[Finding] = []
    for field_name, label in META_FIELDS:
        hit = _prefer(cells, cells.find(label), META_SHEET)
        if hit is None and field_name in ("agency", "year"):
            continue  # a workbook pasted from a Word report: taken from its title below
        raw = _value_right_of(cells, hit) if hit else ""
        value, problem = _meta_value(field_name, raw)
        if problem:
            sheet, cell = (cells.sheets[hit[0]].name, a1(hit[1], hit[2] + 1)) if hit else (META_SHEET, "")
            problems.append(Finding("I106", f"“{label}”{problem}", file=str(path), sheet=sheet, cell=cell,
                                    row=label, actual=str(raw)))
        if value not in (None, ""):
            meta[field_name] = value
    if "agency" not in meta or "year" not in meta:
        problems += _meta_from_title(path, cells, meta)
    return meta, problems


_TITLE = re.compile(r"^(.+?)(\d{4})年(?:度)?政府信息公开工作年度报告")


def _meta_from_title(path: Path, cells: _Cells, meta: dict[str, object]) -> list[Finding]:
    """Agency and year from a title cell such as 青铜峡市某局2024年政府信息公开工作年度报告, or
    from the file name; a workbook without 基本信息 is read with a warning, not refused."""
    titles = [(h, str(cells.sheets[h[0]].get(h[1], h[2]))) for hits in cells.by_key.values() for h in hits]
    found = next(((h, m) for h, text in titles if (m := _TITLE.match(re.sub(r"\s", "", text)))), None)
    stem = _TITLE.match(path.stem)
    source = found[1] if found else stem
    missing = [label for name, label in META_FIELDS if name in ("agency", "year") and name not in meta]
    if source is None or not 2008 <= int(source.group(2)) <= 2100:
        meta.setdefault("agency", path.stem)
        meta.setdefault("year", date.today().year - 1)
        return [Finding("I106", f"找不到{'、'.join(missing)}：请在“{META_SHEET}”工作表填写，或在表格上方写明标题"
                        "“某单位某年政府信息公开工作年度报告”。", file=str(path), sheet=META_SHEET,
                        row="、".join(missing))]
    meta.setdefault("agency", source.group(1))
    meta.setdefault("year", int(source.group(2)))
    where = f"标题“{found[1].group(0)}”" if found else f"文件名“{path.name}”"
    sheet, cell = (cells.sheets[found[0][0]].name, a1(found[0][1], found[0][2])) if found else ("", "")
    return [Finding("I107", f"没有“{META_SHEET}”中的{'、'.join(missing)}，已按{where}读取为 {meta['agency']} "
                    f"{meta['year']}年。", file=str(path), sheet=sheet, cell=cell, row="、".join(missing))]


def _meta_value(field_name: str, raw: object) -> tuple[object, str | None]:
    text = str(raw).strip() if raw not in (None, "") else ""
    if field_name == "agency":  # names are kept as written: （） stay full-width
        return text, None if text else "未填写。"
    text = unicodedata.normalize("NFKC", text)  # １２ and ２０２５ in a year or phone number
    if field_name == "year":
        digits = re.sub(r"[年度\s]", "", text.removesuffix(".0"))
        ok = digits.isdigit() and 2008 <= int(digits) <= 2100
        return (int(digits), None) if ok else (None, "应为四位年份，如 2025。")
    if field_name == "edition":
        found = re.search(r"20(21|19)", text)
        if found:
            return found.group(0), None
        return None, "应为 2021 或 2019。" if text else None
    if field_name == "report_date":
        return _meta_date(raw, text)
    return (text.removesuffix(".0") if field_name == "contact_phone" else text), None


def _meta_date(raw: object, text: str) -> tuple[object, str | None]:
    if isinstance(raw, datetime):
        return raw.date(), None
    if isinstance(raw, date):
        return raw, None
    if not text:
        return None, None
    found = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text)
    if found:
        try:
            return date(*map(int, found.groups())), None
        except ValueError:
            pass
    return None, "应为日期，如 2026-01-10。"


def _read_text(cells: _Cells, heading: str) -> str:
    """The text beside its heading (our workbook), or under it (a pasted report)."""
    hit = _prefer(cells, cells.find(heading), TEXT_SHEET)
    if hit is None:
        return ""
    value = _value_right_of(cells, hit)
    s, r, c = hit
    below = cells.sheets[s].get(r + 1, c)
    if value in ("", None) and cells.sheets[s].name != TEXT_SHEET and labels.key(below) not in _HEADING_KEYS:
        value = below
    return str(value).replace("\r\n", "\n").strip() if value not in ("", None) else ""


_HEADING_KEYS = frozenset(labels.key(s.heading) for s in SECTIONS)


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


def _fill_totals(reader: _Reader) -> set[tuple[str, str, str]]:
    """Compute total cells left blank (or formulas saved without a value); typed totals stay."""
    computed: set[tuple[str, str, str]] = set()
    grids = reader.grids
    for total in reader.ed.totals:  # parts come before the totals that add them up
        parts = [grids[g][r][c] for g, r, c in total.parts]
        if total.cell not in reader.blanks or any(p is None for p in parts):
            continue
        grid, row, column = total.cell
        grids[grid][row][column] = _whole(sum(parts))  # type: ignore[arg-type]
        reader.blanks.discard(total.cell)
        computed.add(total.cell)
    return computed


def _report_computed(reader: _Reader, computed: set[tuple[str, str, str]]) -> None:
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
            file=str(reader.path), section=reader.ed.heading_of(grid), sheet=refs[0].sheet, cell=refs[0].cell,
            expected=str(len(cells))))
