"""The report JSON (what `qtx-report export` writes, and `schema` describes).

Read as a workbook is read: a number cell holding text (十二, 12件) is a finding on that cell and a
missing row or cell is a blank one (the model completes its grids). Anything else that does not fit
the report — not an object, a field of the wrong type, a key the edition does not have — is listed,
every one of them, by the form's own labels, and the file is refused. Sizes are bounded, so a
hostile file costs no more than a real one.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qtx_report.form.editions import (
    DEFAULT_EDITION,
    EDITIONS,
    GRID_SECTIONS,
    META_FIELDS,
    SECTIONS,
    TEXT_SECTIONS,
    Cell,
    Edition,
    edition,
)
from qtx_report.model.findings import Finding, InputError
from qtx_report.model.loaded import Loaded
from qtx_report.model.numbers import format_number, parse_number
from qtx_report.model.report import FIRST_YEAR, LAST_YEAR, Grid, Number, Report, grid_keys

MAX_JSON = 4 * 1024 * 1024  # a real report JSON is tens of KB; its three texts at their limit under 2 MB
MAX_DIGITS = 18  # a longer integer literal is read as too large, never converted digit by digit
MAX_CELL = 10**15  # beyond any count or amount of one agency; floats stay whole numbers below it
MAX_CELL_TEXT = 100  # text in a number cell longer than this is not a number typed by a clerk
MAX_NAME, MAX_TEXT = 200, 100_000  # characters of a name field; of one text section
MAX_LISTED = 20  # problems listed in the message; a hostile file may have thousands
_FIELDS, _EXTRA, _GRIDS = range(3)  # the order problems are listed in
_FILE_HINT = "可用 qtx-report schema 查看格式，或用 qtx-report export 由工作簿重新导出。"

_LABELS: dict[str, str] = {
    "schema_version": "格式版本号",
    **dict(META_FIELDS),
    **{s.key: s.heading for s in TEXT_SECTIONS},
    **{grid: next(s.heading for s in SECTIONS if s.key == key) for grid, key in GRID_SECTIONS.items()},
}
_TEXT_FIELD = "请填写文字（用英文双引号括起来）；没有时写 \"\""
_GRID_FIELD = "请写成 {\"行键\": {\"列键\": 数值}}"
_TO_DO: dict[str, str] = {
    "schema_version": "请写 1",
    "agency": "请填写单位名称，如 \"青铜峡市自然资源局\"",
    "year": f"请填写 {FIRST_YEAR} 到 {LAST_YEAR} 之间的年份数字，如 2025",
    "edition": "请填写 \"2021\"（现行格式）或 \"2019\"（试行格式）",
    "report_date": "请写成 \"2026-01-10\" 这样的日期；没有时写 null",
    **dict.fromkeys(("contact_person", "contact_phone", "overview", "problems", "other"), _TEXT_FIELD),
    **dict.fromkeys(GRID_SECTIONS, _GRID_FIELD),
}
_LIMITS = {**dict.fromkeys(("agency", "contact_person", "contact_phone"), MAX_NAME),
           **dict.fromkeys((s.key for s in TEXT_SECTIONS), MAX_TEXT)}
# pydantic's error types, as a clerk reads them (its English `msg` is never shown).
_PROBLEMS: dict[str, str] = {
    "string_type": "应为文字",
    "string_too_short": "不能为空",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能有小数",
    "finite_number": "数值过大或不是数字",
    "literal_error": "取值不在允许范围内",
    "date_type": "应为日期",
    "date_parsing": "不是有效日期",
    "date_from_datetime_parsing": "不是有效日期",
    "date_from_datetime_inexact": "应为日期",
    "dict_type": "应为对象（{ … }）",
}
# The json module's syntax errors (its only description is its message), most specific first.
_SYNTAX: tuple[tuple[str, str], ...] = (
    ("Expecting value", "此处应为一个值（数字、带双引号的文字、null、{ } 或 [ ]）"),
    ("Expecting ',' delimiter", "缺少逗号“,”"),
    ("Expecting ':' delimiter", "缺少冒号“:”"),
    ("Expecting property name", "字段名须用英文双引号括起来（最后一项后面不能有逗号）"),
    ("Illegal trailing comma", "最后一项后面不能有逗号"),
    ("Unterminated string", "文字缺少结尾的英文双引号"),
    ("Invalid control character", "文字中有换行或控制字符，换行请写成 \\n"),
    ("Invalid \\uXXXX", "“\\u”后应为4位十六进制数字"),
    ("Invalid \\escape", "反斜杠“\\”用法不对（文字中的反斜杠请写成 \\\\）"),
    ("Extra data", "JSON 已经结束，后面还有多余内容"),
)


def read_json(path: Path) -> Loaded:
    if path.stat().st_size > MAX_JSON:
        raise InputError(str(path), f"JSON 文件超过 {MAX_JSON // 1024 // 1024} MB，不是正常的年度报告。")
    reading = _Reading(path)
    report = reading.report(_parse(path, path.read_bytes()))
    return Loaded(str(path), report, findings=tuple(reading.findings))


def _parse(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"文件不是 UTF-8 编码的文字（第 {err.start + 1} 个字节无法识别），"
                         "请用 UTF-8 编码保存。") from None
    if not text.strip():
        raise InputError(str(path), f"文件是空的，不是报告 JSON。{_FILE_HINT}")
    try:
        data = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as err:
        where = next((words for english, words in _SYNTAX if err.msg.startswith(english)), "格式不对")
        raise InputError(str(path), f"JSON 语法错误：第 {err.lineno} 行第 {err.colno} 列，{where}。{_FILE_HINT}") from None
    except RecursionError:
        raise InputError(str(path), "JSON 的嵌套层数过多，不是报告 JSON。") from None
    if not isinstance(data, dict):
        raise InputError(str(path), f"JSON 的最外层应为一个对象（{{ … }}），文件中却是{_kind(data)}。{_FILE_HINT}")
    return data


def _integer(text: str) -> int | float:
    """An integer literal; an absurdly long one is infinite (refused where it stands, by the cell or
    field that holds it) rather than converted digit by digit."""
    if len(text.lstrip("-")) <= MAX_DIGITS:
        return int(text)
    return -math.inf if text.startswith("-") else math.inf


@dataclass
class _Reading:
    """One file read: the report, the problems that refuse it, the findings on its cells."""

    path: Path
    problems: list[tuple[int, str]] = field(default_factory=list)  # (rank, text): fields, extra keys, grids
    count: int = 0
    findings: list[Finding] = field(default_factory=list)

    def listing(self, rank: int) -> bool:
        """Whether a problem of this rank is still listed (only the first few of each are)."""
        return sum(r == rank for r, _ in self.problems) < MAX_LISTED

    def refuse(self, rank: int, problem: str) -> None:
        self.count += 1
        if self.listing(rank):
            self.problems.append((rank, problem))

    def report(self, data: dict[str, Any]) -> Report:
        from pydantic import ValidationError

        fields = self._fields(data)
        grids = self._grids(data)
        try:
            report = Report.model_validate({**fields, **grids})
        except ValidationError as err:
            for error in err.errors(include_url=False):
                self.refuse(_FIELDS, _field_problem(error))
        if self.count:
            shown = [text for _, text in sorted(self.problems, key=lambda p: p[0])[:MAX_LISTED]]
            listed = "\n".join(f"  {i}. {text}" for i, text in enumerate(shown, 1))
            more = f"\n  ……另有 {self.count - len(shown)} 处未列出" if self.count > len(shown) else ""
            raise InputError(str(self.path), f"JSON 内容不符合报告格式，共 {self.count} 处：\n{listed}{more}\n{_FILE_HINT}")
        return report

    def _fields(self, data: dict[str, Any]) -> dict[str, Any]:
        """The fields other than the grids, with unknown keys and oversized texts refused here."""
        fields: dict[str, Any] = {}
        for key, value in data.items():
            if key in GRID_SECTIONS:
                continue
            if key not in Report.model_fields:
                hint = _suggest(key, _LABELS) if self.listing(_EXTRA) else ""
                self.refuse(_EXTRA, f"多余的字段“{_preview(key)}”：报告 JSON 没有这一项，请删除或改正{hint}。")
            elif isinstance(value, str) and len(value) > _LIMITS.get(key, len(value)):
                self.refuse(_EXTRA, f"“{_LABELS[key]}”（{key}）有 {len(value)} 字，超过 {_LIMITS[key]} 字的上限，"
                            "不是正常的年度报告内容。")
                fields[key] = value[:_LIMITS[key]]  # still checked as a field, without a second problem
            else:
                fields[key] = value
        return fields

    def _grids(self, data: dict[str, Any]) -> dict[str, Grid]:
        """The numeric sections, cell by cell; checked against the edition only once it is known,
        since the labels and keys depend on it (a wrong edition is a problem of its own)."""
        name = data.get("edition", DEFAULT_EDITION)
        if name not in EDITIONS:
            return {}
        ed = edition(name)
        return {grid: self._grid(ed, grid, data[grid]) for grid in GRID_SECTIONS if grid in data}

    def _grid(self, ed: Edition, grid: str, rows: object) -> Grid:
        heading = _LABELS[grid]
        if not isinstance(rows, dict):
            self.refuse(_GRIDS, f"“{heading}”（{grid}）应为对象，文件中却是{_kind(rows)}。{_GRID_FIELD}。")
            return {}
        expected = grid_keys(ed.name)[grid]
        clean: Grid = {}
        for row, cells in rows.items():
            if row not in expected:
                hint = (_other_edition(ed, grid, row) or _suggest(row, expected)) if self.listing(_GRIDS) else ""
                self.refuse(_GRIDS, f"“{heading}”没有行键“{_preview(row)}”{hint}。")
                continue
            label = ed.cell_labels(grid, row, expected[row][0])[0]
            if not isinstance(cells, dict):
                self.refuse(_GRIDS, f"“{heading}”的“{label}”行（{row}）应为对象（{{\"列键\": 数值}}），文件中却是{_kind(cells)}。")
                continue
            clean[row] = {}
            for column, value in cells.items():
                if column in expected[row]:
                    clean[row][column] = self._cell(ed, ed.cells[(grid, row, column)], value)
                else:
                    hint = _suggest(column, expected[row]) if self.listing(_GRIDS) else ""
                    self.refuse(_GRIDS, f"“{heading}”的“{label}”行没有列键“{_preview(column)}”{hint}。")
        return clean

    def _cell(self, ed: Edition, cell: Cell, value: object) -> Number:
        """One number cell, read as the workbook reader reads a cell (blank is never 0)."""
        if value is None:
            return None
        if isinstance(value, list | dict):
            self.refuse(_GRIDS, f"“{ed.heading_of(cell.grid)}”“{cell.row_label}”行“{cell.column_label}”列"
                        f"（{'.'.join(cell.key)}）应为数字或 null，文件中却是{_kind(value)}。")
            return None
        if isinstance(value, bool):
            return self._unread(ed, cell, "true" if value else "false", "（是逻辑值，请填写数字；没有发生请填写0）")
        if isinstance(value, int | float):
            if math.isnan(value):
                return self._unread(ed, cell, "NaN", "，请填写阿拉伯数字")
            return value if _usable(value) else self._too_large(ed, cell, _shown_number(value))
        text = str(value)
        if len(text) > MAX_CELL_TEXT:
            return self._unread(ed, cell, _preview(text), "（内容过长，单元格只填数字）")
        number, how = parse_number(text)
        if number is not None and not _usable(number):
            return self._too_large(ed, cell, _preview(text))
        if how and number is not None:
            if text.strip() == format_number(number):
                how = "（数字写成了带引号的文字，请去掉引号）"
            self._note("I103", ed, cell, f"的内容“{text}”已按 {format_number(number)} 读取{how}", text,
                       expected=format_number(number))
        elif how:
            self._unread(ed, cell, text, how)
        return number

    def _unread(self, ed: Edition, cell: Cell, shown: str, why: str) -> None:
        self._note("I102", ed, cell, f"的内容“{shown}”无法读作数字{why}", shown)

    def _too_large(self, ed: Edition, cell: Cell, shown: str) -> None:
        told = f"（{shown}）" if shown else ""
        self._note("I102", ed, cell, f"的数值过大{told}，应小于 10 的 15 次方，请核对", shown)

    def _note(self, code: str, ed: Edition, cell: Cell, what: str, shown: str, expected: str | None = None) -> None:
        """The wording of the workbook reader (read/tables.py), so a cell reads the same in both."""
        self.findings.append(Finding(
            code, f"“{cell.row_label}”行“{cell.column_label}”列{what}。", file=str(self.path),
            section=ed.heading_of(cell.grid), row=cell.row_label, column=cell.column_label,
            expected=expected, actual=shown, key=cell.key))


def _usable(number: float) -> bool:
    return math.isfinite(number) and abs(number) < MAX_CELL


def _field_problem(error: Any) -> str:
    """A pydantic error of a field, by the field's label, with what to write instead."""
    key = str(error["loc"][0]) if error["loc"] else ""
    label = f"“{_LABELS.get(key, key)}”（{key}）" if key else "报告"
    to_do = _TO_DO.get(key, "")
    if error["type"] == "missing":
        return f"缺少{label}。{to_do}。"
    given = error.get("input")
    if isinstance(given, bool):
        problem = "不能是逻辑值 true/false"
    elif error["type"] in ("greater_than_equal", "less_than_equal"):
        problem = f"应在 {FIRST_YEAR} 到 {LAST_YEAR} 之间" if key == "year" else "超出允许范围"
    else:
        problem = _PROBLEMS.get(error["type"], "内容不对")
    return f"{label}{problem}，文件中是{_kind(given)}。{to_do}。"


def _kind(value: object) -> str:
    """A JSON value as a clerk is told about it: its kind, and the value itself when short."""
    if value is None:
        return "空值 null"
    if isinstance(value, bool):
        return "逻辑值 true" if value else "逻辑值 false"
    if isinstance(value, int | float):
        return f"数字 {_shown_number(value)}" if math.isfinite(value) else (_shown_number(value) or "超出范围的数字")
    if isinstance(value, str):
        return f"文字“{_preview(value)}”"
    return "列表（[ … ]）" if isinstance(value, list) else "对象（{ … }）"


def _shown_number(value: float) -> str:
    """A number quoted in a message; an infinite one was a literal beyond any float, not kept."""
    if math.isnan(value):
        return "NaN"
    return _preview(format_number(value)) if math.isfinite(value) else ""


def _preview(text: str, limit: int = 30) -> str:
    """A value quoted in a message: short, one line, no terminal control characters."""
    shown = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text[:limit])
    return shown + (f"…（共 {len(text)} 字）" if len(text) > limit else "")


def _suggest(key: str, known: object) -> str:
    close = difflib.get_close_matches(key[:MAX_NAME], list(known), n=1)  # type: ignore[call-overload]
    return f"（是否为“{close[0]}”？）" if close else ""


def _other_edition(ed: Edition, grid: str, row: str) -> str:
    other = next(name for name in EDITIONS if name != ed.name)
    if row in grid_keys(other)[grid]:
        return f"：这是 {other} 版格式的行，而本报告的格式版本（edition）为 \"{ed.name}\""
    return ""
