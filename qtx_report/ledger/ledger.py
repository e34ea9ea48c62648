"""The request ledger (依申请公开登记台账): template, reading, deadlines, and the tally of sections 三 and 四.

One row per request, registered on receipt (gazette 附件3 五). From the dates and the result of each
row, section 三 is counted, never typed:
  一 new          received in the year
  二 carried_in   received before the year, not answered before 1 January
  三 results      answered in the year, by result (each request in exactly one leaf row)
  四 carried_out  received by 31 December, not answered by 31 December
so 一 + 二 = （七）总计 + 四 holds by construction, column by column.

Deadlines (条例第三十条、第三十三条; 附件3 五、八、十) are computed by `clock()`. The ledger's columns are
defined once, in REQUEST_COLUMNS / CASE_COLUMNS: the template writer, its 说明 sheet and the reader all
use them; official labels (applicant types, results, section 四) come from `form`.
"""

from __future__ import annotations

import gc
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache, partial, wraps
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from qtx_report.form.editions import DEFAULT_EDITION, EDITIONS, Edition, edition
from qtx_report.ledger.workdays import add_workdays, is_covered, workdays_between
from qtx_report.model import labels
from qtx_report.model.findings import CODES, SEVERITY_NAMES, Finding, InputError, exit_code
from qtx_report.model.numbers import format_number
from qtx_report.model.places import Place, SheetCell, SheetRow
from qtx_report.model.report import Grid, Report, fill_totals, zero_grids
from qtx_report.read.guard import guard_zip
from qtx_report.read.load import load_report
from qtx_report.write.files import atomic_path, write_bytes_atomic

F = TypeVar("F", bound=Callable[..., Any])

# ---------------------------------------------------------------- ledger columns, as data

ColumnKind = Literal["text", "date", "choice", "flag"]


@dataclass(frozen=True)
class LedgerColumn:
    key: str
    label: str
    help: str  # for the 说明 sheet; {choices} is replaced by the drop-down values
    kind: ColumnKind = "text"
    required: bool = False  # the reader refuses a sheet without this column
    width: int = 12
    strict: bool = True  # for choices: only listed values (the result decides the count)
    aliases: tuple[str, ...] = ()


REQUEST_SHEET = "登记台账"
CASE_SHEET = "复议诉讼"
HELP_SHEET = "说明"
LIST_SHEET = "选项"

METHODS = ("当面", "信函", "传真", "网络")  # 附件3 四
DELIVERIES = ("邮寄", "电子邮件", "现场领取", "网络平台", "其他")  # 附件3 十一
YES, NO = "是", "否"
_YES_WORDS = frozenset({"是", "有", "已", "y", "yes", "true", "1", "√", "✓", "✔"})
_NO_WORDS = frozenset({"", "否", "无", "不", "n", "no", "false", "0", "×", "-", "/"})

REQUEST_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("number", "编号", "每件申请一个编号，同一台账内不得重复（如 2024-001）。", required=True, width=11,
                 aliases=("序号", "登记编号")),
    LedgerColumn("received", "收到日期",
                 "收到申请之日（附件3 五）：网络平台以双方确认之日、邮寄以签收之日、传真以送达并确认之日、"
                 "当面以提交之日为准。答复期限自次日起算。", "date", required=True, width=12,
                 aliases=("接收日期", "收到申请日期")),
    LedgerColumn("name", "申请人姓名（名称）", "公民填姓名，法人或其他组织填名称。", width=16,
                 aliases=("申请人姓名", "申请人名称", "申请人")),
    LedgerColumn("contact", "联系方式", "电话、通信地址或电子邮箱。", width=14),
    LedgerColumn("applicant", "申请人类型", "从下拉列表选择：{choices}。决定计入第三部分哪一列。", "choice",
                 required=True, width=13),
    LedgerColumn("method", "申请方式", "从下拉列表选择：{choices}（附件3 四）。", "choice", width=9),
    LedgerColumn("content", "申请内容", "申请公开的政府信息的名称、文号或特征性描述。", width=28),
    LedgerColumn("correction", "是否补正", "告知申请人补正的填“是”。", "flag", width=9),
    LedgerColumn("correction_notice", "补正告知日期",
                 "一次性告知补正事项之日；应在收到申请之日起7个工作日内（附件3 八（二））。", "date", width=12),
    LedgerColumn("correction_done", "补正完成日期",
                 "收到补正后申请之日；答复期限自次日重新起算（条例第三十条）。申请人逾期不补正的留空，"
                 "办理结果选“申请人无正当理由逾期不补正…”。", "date", width=12),
    LedgerColumn("consulted", "是否征求第三方意见", "征求第三方或其他机关意见的填“是”。", "flag", width=10,
                 aliases=("是否征求意见",)),
    LedgerColumn("consult_from", "征求意见开始日期",
                 "发出征求意见之日。开始至结束日期（含两端）内的工作日不计入答复期限（条例第三十三条）。", "date",
                 width=12, aliases=("征求意见起始日期",)),
    LedgerColumn("consult_to", "征求意见结束日期", "收到意见（或征求期满）之日；尚在征求中的留空。", "date", width=12,
                 aliases=("征求意见截止日期",)),
    LedgerColumn("extended", "是否延期",
                 "经政府信息公开工作机构负责人同意并告知申请人延长答复期限的填“是”（最长延长20个工作日）。", "flag",
                 width=9),
    LedgerColumn("due", "答复期限",
                 "附件3 五要求登记。可运行 qtx-report ledger-status 查看算出的期限后填写；统计时不读取本列，"
                 "按规则重新计算。", "date", width=12),
    LedgerColumn("answered", "答复日期",
                 "作出答复之日（邮寄以交邮之日、电子送达以发出之日、现场领取以签收之日，附件3 十一）。未答复的留空。",
                 "date", required=True, width=12),
    LedgerColumn("result", "办理结果",
                 "答复后从下拉列表选择，文字与年度报告第三部分一致；每件申请只选一项（部分公开的只计部分公开）。", "choice",
                 required=True, width=30),
    LedgerColumn("delivery", "送达方式", "如：{choices}。", "choice", width=10, strict=False),
    LedgerColumn("remark", "备注", "", width=20),
)

CASE_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("number", "案号", "复议或诉讼的案号，不得重复。", required=True, width=20),
    LedgerColumn("kind", "类型", "从下拉列表选择：{choices}。复议机关作共同被告的，只由原行政行为机关统计"
                 "（附件4 三（四））。", "choice", required=True, width=16),
    LedgerColumn("received", "收到日期", "收到复议申请书副本或起诉状副本之日；案件计入该日期所在年度。", "date",
                 required=True, width=12),
    LedgerColumn("result", "结果", "从下拉列表选择：{choices}。", "choice", required=True, width=12),
    LedgerColumn("concluded", "审结日期", "作出复议决定或裁判之日。晚于统计年度年底的，该年度按尚未审结统计。", "date",
                 width=12),
    LedgerColumn("remark", "备注", "", width=20),
)

GENERAL_HELP: tuple[str, ...] = (
    "本台账由 qtx-report template --ledger 生成；qtx-report tally 据此统计年度报告第三、四部分，"
    "qtx-report ledger-status 列出未办结、即将到期和已逾期的申请。",
    "表头文字请勿修改；列的顺序可以调整，也可以增加其他列。每件申请占一行，日期请填写为日期（如 2024-03-05）。",
    "统计口径：一、本年新收＝本年收到；二、上年结转＝以前年度收到、本年1月1日前未答复；"
    "三、办理结果＝本年答复的，按办理结果计；四、结转下年度＝本年底前收到、本年底前未答复。"
    "上年收到的申请不在本台账的，统计时用 --previous-ledger 提供上年台账。",
    "答复期限（条例第三十条、第三十三条，附件3 五、八、十）：自收到申请之日的次日起20个工作日；"
    "延期的再加20个工作日；要求补正的，补正告知应在收到申请后7个工作日内发出，答复期限自收到补正之日的次日重新起算；"
    "征求第三方和其他机关意见的时间不计入期限。工作日按国务院公布的节假日和调休安排计算。",
)

# ---------------------------------------------------------------- drop-down values, from the form


def result_choices(edition_name: str) -> tuple[tuple[str, str], ...]:
    """(printed text, row key) of each leaf result row, e.g. （三）1.属于国家秘密: the group stays visible."""
    s3 = edition(edition_name).section3
    headers = {h.key: h for h in s3.header_rows}
    outermost = s3.header_rows[0].key  # 三、本年度办理结果 encloses every leaf
    choices = []
    for leaf in s3.leaves:
        inner = leaf.groups[-1]
        prefix = headers[inner].number if inner != outermost else ""
        choices.append((f"{prefix}{leaf.title}", leaf.key))
    return tuple(choices)


def applicant_choices(edition_name: str) -> tuple[tuple[str, str], ...]:
    return tuple((c.label, c.key) for c in edition(edition_name).section3.applicant_columns)


def case_kind_choices(edition_name: str) -> tuple[tuple[str, str], ...]:
    return tuple((g.label, g.key) for g in edition(edition_name).section4.groups)


def case_result_choices(edition_name: str) -> tuple[tuple[str, str], ...]:
    return tuple((c.label, c.key) for c in edition(edition_name).section4.part_columns)


def _short(label: str) -> str:
    """结果维持 → 维持, 行政复议 → 复议: the short words clerks write in the case sheet."""
    return label.replace("结果", "").removeprefix("行政") or label


def _result_index(ed: Edition) -> dict[str, str]:
    """Every accepted spelling of a result (printed, numbered, bare, variants) → row key."""
    index: dict[str, str] = {}
    for printed, key in result_choices(ed.name):
        row = ed.section3.row(key)
        for text in (printed, row.title, row.label, *row.aliases):
            index.setdefault(labels.key(text), key)
    # A ledger kept with the other edition's drop-down: of the form's foreign leaves, those that
    # split a leaf here (2021 （六）1.–3. → 2019 （六）其他处理); the reverse direction would be a guess.
    other_name = next(name for name in EDITIONS if name != ed.name)
    other = edition(other_name).section3
    other_printed = {k: text for text, k in result_choices(other_name)}
    for foreign_key, target in ed.section3_foreign.items():
        leaf = other.row(foreign_key)
        if leaf.groups[-1] == target:
            for text in (leaf.title, leaf.label, *leaf.aliases, other_printed[foreign_key]):
                index.setdefault(labels.key(text), target)
    return index


def _choice_index(choices: Iterable[tuple[str, str]], *, short: bool = False) -> dict[str, str]:
    index: dict[str, str] = {}
    for text, key in choices:
        index.setdefault(labels.key(text), key)
        if short:
            index.setdefault(labels.key(_short(text)), key)
    return index


# ---------------------------------------------------------------- rows as read


Scope = Literal["always", "counted", "answered"]


@dataclass(frozen=True, slots=True)
class Defect:
    """Something wrong in one ledger row. `scope` says when it stops a year's tally:
    always, when the row is counted in the year, or when the row's answer falls in the year."""

    code: str
    message: str
    place: Place
    scope: Scope = "counted"


class Request(NamedTuple):
    """One registered request. A NamedTuple rather than a frozen dataclass: a tally builds 100,000
    of them, and a frozen dataclass's __init__ is about four times slower. Immutable all the same."""

    file: str
    sheet: str
    row: int  # spreadsheet row number, as the clerk sees it
    number: str
    received: date | None
    applicant: str | None  # section 三 column key
    answered: date | None
    result: str | None  # section 三 leaf row key
    correction: bool = False
    correction_notice: date | None = None
    correction_done: date | None = None
    consulted: bool = False
    consult_from: date | None = None
    consult_to: date | None = None
    extended: bool = False
    name: str = ""
    defects: tuple[Defect, ...] = ()


@dataclass(frozen=True, slots=True)
class Case:
    file: str
    sheet: str
    row: int
    number: str
    group: str | None  # section 四 group key
    received: date | None
    result: str | None  # section 四 column key
    concluded: date | None
    defects: tuple[Defect, ...] = ()


@dataclass(frozen=True)
class Ledger:
    file: str
    requests: tuple[Request, ...]
    cases: tuple[Case, ...] | None  # None: the workbook has no 复议诉讼 sheet


# ---------------------------------------------------------------- reading cells

_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_DATE_DIGITS = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_EXCEL_EPOCH = date(1899, 12, 30)
_FIRST_DATE, _LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)


class _BadCell(ValueError):
    pass


def read_date(value: object) -> date | None:
    """A ledger date: a date cell, an Excel serial number, or text like 2024-03-05 / 2024年3月5日."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif value is None or value == "":
        return None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value) or not 36526 <= value <= 73415:  # 2000-01-01 … 2100-12-31
            raise _BadCell(f"“{value:g}”不是日期")
        return _EXCEL_EPOCH + timedelta(days=int(value))
    else:
        text = str(value)
        match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
        if not match:
            raise _BadCell(f"“{text.strip()}”无法识别为日期，请填写如 2024-03-05")
        try:
            day = date(*(int(g) for g in match.groups()))
        except ValueError:
            raise _BadCell(f"“{text.strip()}”不是有效日期") from None
    if not _FIRST_DATE <= day <= _LAST_DATE:
        raise _BadCell(f"日期 {day.isoformat()} 不在 2000—2100 年之间")
    return day


def read_flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else format_number(value)
    word = text.strip().lower()
    if word in _YES_WORDS:
        return True
    if word in _NO_WORDS:
        return False
    raise _BadCell(f"“{text}”应填“是”或“否”")


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


# ---------------------------------------------------------------- finding the sheet and its header

_HEADER_SCAN_ROWS = 10


def _header_index(columns: Sequence[LedgerColumn]) -> dict[str, str]:
    index = {}
    for col in columns:
        for text in (col.label, *col.aliases):
            index.setdefault(labels.key(text), col.key)
    return index


def _find_header(rows: list[list[object]], columns: Sequence[LedgerColumn]) -> tuple[int, dict[str, int]] | None:
    """(row index, column key → column index) of the first row that holds every required label."""
    index = _header_index(columns)
    required = {c.key for c in columns if c.required}
    for r, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = index.get(labels.key(cell)) if isinstance(cell, str) else None
            if key and key not in found:
                found[key] = c
        if required <= found.keys():
            return r, found
    return None


def _missing_labels(rows: list[list[object]], columns: Sequence[LedgerColumn]) -> list[str]:
    """The required labels missing from the best-matching header candidate (for the error message)."""
    index = _header_index(columns)
    best: set[str] = set()
    for row in rows[:_HEADER_SCAN_ROWS]:
        keys = {index.get(labels.key(cell)) for cell in row if isinstance(cell, str)}
        if len(keys) > len(best):
            best = {k for k in keys if k}
    return [c.label for c in columns if c.required and c.key not in best]


def _open_workbook(path: Path):  # -> CalamineWorkbook
    from python_calamine import CalamineWorkbook

    if not path.exists():
        raise InputError(str(path), "文件不存在。")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(str(path), "登记台账须为 Excel 工作簿（.xlsx）。可用 qtx-report template --ledger 台账.xlsx 生成。")
    guard_zip(path, "xl/workbook.xml", "Excel 工作簿（.xlsx）")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as err:  # calamine raises several types for a broken file
        raise InputError(str(path), f"无法作为 Excel 工作簿打开（{type(err).__name__}）。请确认文件是 .xlsx 且未损坏。") from None


def _locate_sheet(workbook, path: Path, preferred: str, columns: Sequence[LedgerColumn], skip: str = ""):
    """The sheet named `preferred`, else the first sheet other than `skip` with the header; None when
    no sheet has it. (`skip`: the 100,000-row request sheet is not read again in search of cases.)"""
    names = list(workbook.sheet_names)
    order = [preferred] if preferred in names else [n for n in names if n != skip]
    for name in order:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        header = _find_header(rows, columns)
        if header:
            return name, rows, header
        if name == preferred:
            missing = "、".join(_missing_labels(rows, columns))
            raise InputError(str(path), f"表头缺少以下列：{missing}。请勿修改表头文字。", SheetRow(name, 0))
    return None


# ---------------------------------------------------------------- reading rows


_LABEL = {c.key: c.label for c in REQUEST_COLUMNS}
_CASE_LABEL = {c.key: c.label for c in CASE_COLUMNS}
# The columns each reader uses, with their labels for messages (not 申请内容, 备注 …).
_REQUEST_READ = {key: label for key, label in _LABEL.items() if key in Request._fields}
_CASE_READ = {key: label for key, label in _CASE_LABEL.items() if key != "remark"}
_PENDING = object()  # a cell that needs the slow reader


def _pending(values: list[object]) -> list[int]:
    """Indexes of the cells left for the slow reader (usually none: `in` runs in C)."""
    return [i for i, v in enumerate(values) if v is _PENDING] if _PENDING in values else []


class _Columns:
    """The data rows of a sheet read column by column: one tight loop per column is several times
    faster than a method call per cell on 100,000 rows. Defects are noted by row, never raised."""

    def __init__(self, sheet: str, rows: list[list[object]], header_row: int, where: dict[str, int],
                 column_labels: dict[str, str]) -> None:
        self.sheet = sheet
        first = header_row + 1
        kept = [i for i in range(first, len(rows)) if any(rows[i])]
        self.sheet_rows = [i + 1 for i in kept]
        self.n = len(kept)
        width = max(where.values()) + 1
        data = [rows[i] for i in kept]
        if any(len(values) < width for values in data):  # calamine pads rows; other readers may not
            data = [[*values, *[""] * (width - len(values))] for values in data]
        self.columns = {key: list(map(itemgetter(c), data)) for key, c in where.items() if key in column_labels}
        self.where, self.labels = where, column_labels
        self.defects: dict[int, list[Defect]] = {}

    def raw(self, key: str) -> Sequence[object]:
        return self.columns.get(key) or [""] * self.n

    def cell(self, key: str, i: int) -> Place:
        c = self.where.get(key)
        row = self.sheet_rows[i] - 1
        return SheetCell(self.sheet, row, c) if c is not None else SheetRow(self.sheet, row)

    def note(self, i: int, code: str, message: str, key: str, scope: Scope) -> None:
        self.defects.setdefault(i, []).append(Defect(code, message, self.cell(key, i), scope))

    def dates(self, key: str, scope: Scope) -> list[date | None]:
        # A comprehension for the common cells (date cells, blanks), a second look at the rest.
        out = [v if type(v) is date else None if v == "" else _PENDING for v in self.raw(key)]
        for i in _pending(out):
            try:
                out[i] = read_date(self.raw(key)[i])
            except _BadCell as bad:
                self.note(i, "L800", f"{self.labels[key]}：{bad}", key, scope)
                out[i] = None
        return out  # type: ignore[return-value]

    def flags(self, key: str) -> list[bool]:
        out = [False if v == "" else True if v == YES else False if v == NO else _PENDING for v in self.raw(key)]
        for i in _pending(out):
            try:
                out[i] = read_flag(self.raw(key)[i])
            except _BadCell as bad:
                self.note(i, "L806", f"{self.labels[key]}：{bad}，按“否”处理", key, "counted")
                out[i] = False
        return out  # type: ignore[return-value]

    def texts(self, key: str, strip: bool = True) -> list[str]:
        if not strip:
            return [v if type(v) is str else _text(v) for v in self.raw(key)]
        return [v.strip() if type(v) is str else _text(v) for v in self.raw(key)]

    def choices(self, key: str, index: dict[str, str]) -> list[str | None]:
        """The row/column key each cell names, or None; each distinct cell value is matched once."""
        known: dict[object, str | None] = {}
        for value in set(self.raw(key)):
            text = _text(value)
            known[value] = index.get(labels.key(text)) if text else None
        return list(map(known.__getitem__, self.raw(key)))


def _read_requests(cols: _Columns, file: str, sheet: str, applicants: dict[str, str],
                   results: dict[str, str]) -> list[Request]:
    received, answered = cols.dates("received", "always"), cols.dates("answered", "counted")
    notices, completions = cols.dates("correction_notice", "counted"), cols.dates("correction_done", "counted")
    starts, ends = cols.dates("consult_from", "counted"), cols.dates("consult_to", "counted")
    corrections, consulted, extended = cols.flags("correction"), cols.flags("consulted"), cols.flags("extended")
    applicant_keys, result_keys = cols.choices("applicant", applicants), cols.choices("result", results)
    applicant_texts, result_texts = cols.raw("applicant"), cols.raw("result")
    numbers, names = cols.texts("number"), cols.texts("name", strip=False)  # names are only displayed
    answered_raw, starts_raw = cols.raw("answered"), cols.raw("consult_from")
    fields = {
        "file": repeat(file), "sheet": repeat(sheet), "row": cols.sheet_rows, "number": numbers, "received": received,
        "applicant": applicant_keys, "answered": answered, "result": result_keys, "correction": corrections,
        "correction_notice": notices, "correction_done": completions, "consulted": consulted,
        "consult_from": starts, "consult_to": ends, "extended": extended, "name": names, "defects": repeat(()),
    }
    # tuple.__new__ through map builds the 100,000 rows without a Python-level call per row.
    out = list(map(partial(tuple.__new__, Request), zip(*(fields[f] for f in Request._fields), strict=False)))
    # Most rows are plain and complete; only the others go through the checks.
    plain = [rc is not None and ap is not None and rk is not None and an is not None and an >= rc and bool(no)
             and not (nt or cd or cs or cf)
             for rc, ap, rk, an, no, nt, cd, cs, cf in zip(received, applicant_keys, result_keys, answered, numbers,
                                                           notices, completions, consulted, starts, strict=True)]
    irregular = cols.defects.keys() | ({i for i, ok in enumerate(plain) if not ok} if not all(plain) else set())
    for i in sorted(irregular):
        q = out[i]
        _check_counts(cols, i, q, _text(applicant_texts[i]), _text(result_texts[i]), answered_raw[i])
        _check_clock_dates(cols, i, q, starts_raw[i])
    for i, defects in cols.defects.items():
        out[i] = out[i]._replace(defects=tuple(defects))
    return out


def _check_counts(cols: _Columns, i: int, q: Request, applicant_text: str, result_text: str,
                  answered_raw: object) -> None:
    """Defects that make a row impossible to count (errors)."""
    if q.received is None and cols.raw("received")[i] == "":  # (an unreadable one is L800 already)
        cols.note(i, "L801", f"{_LABEL['received']}未填，无法确定计入哪一年度", "received", "always")
    if q.applicant is None:
        what = f"“{applicant_text}”不是第三部分的申请人类型" if applicant_text else f"{_LABEL['applicant']}未填"
        cols.note(i, "L805", what, "applicant", "counted")
    if result_text and q.result is None:
        cols.note(i, "L802", f"{_LABEL['result']}“{result_text}”不是第三部分的末级办理结果，请从下拉列表选择",
                  "result", "answered")
    elif q.answered is not None and q.result is None:
        cols.note(i, "L802", f"已填{_LABEL['answered']}，但未填{_LABEL['result']}", "result", "answered")
    elif q.result is not None and q.answered is None and answered_raw == "":
        cols.note(i, "L802", f"已填{_LABEL['result']}，但未填{_LABEL['answered']}，无法确定计入哪一年度",
                  "answered", "counted")
    if q.received and q.answered and q.answered < q.received:
        cols.note(i, "L803", f"{_LABEL['answered']} {q.answered} 早于{_LABEL['received']} {q.received}",
                  "answered", "counted")


def _check_clock_dates(cols: _Columns, i: int, q: Request, start_raw: object) -> None:
    """Dates that do not change the counts but make the deadline impossible to check (warnings)."""
    if not q.number:
        cols.note(i, "L807", f"{_LABEL['number']}未填", "number", "counted")
    if q.received and q.correction_notice and q.correction_notice < q.received:
        cols.note(i, "L806", f"{_LABEL['correction_notice']} {q.correction_notice} 早于{_LABEL['received']}",
                  "correction_notice", "counted")
    if q.correction_notice and q.correction_done and q.correction_done < q.correction_notice:
        cols.note(i, "L806", f"{_LABEL['correction_done']} {q.correction_done} 早于{_LABEL['correction_notice']}",
                  "correction_done", "counted")
    if q.consult_from and q.consult_to and q.consult_to < q.consult_from:
        cols.note(i, "L806", f"{_LABEL['consult_to']} {q.consult_to} 早于{_LABEL['consult_from']}",
                  "consult_to", "counted")
    if q.consulted and q.consult_from is None and start_raw == "":
        cols.note(i, "L806", f"已填{_LABEL['consulted']}，但未填{_LABEL['consult_from']}，无法核对答复期限",
                  "consult_from", "counted")


def _duplicates(requests: list[Request], number_col: int) -> list[Request]:
    """Mark every row whose 编号 occurs more than once: which one is right, only the clerk knows."""
    numbers = [q.number for q in requests if q.number]
    if len(set(numbers)) == len(numbers):
        return requests
    repeated = {n for n, k in Counter(numbers).items() if k > 1}
    rows_of: dict[str, list[int]] = {}
    for q in requests:
        if q.number in repeated:
            rows_of.setdefault(q.number, []).append(q.row)
    out = []
    for q in requests:
        if q.number in repeated:
            others = "、".join(str(n) for n in rows_of[q.number] if n != q.row)
            message = f"{_LABEL['number']}“{q.number}”重复（另见第{others}行）"
            place = SheetCell(q.sheet, q.row - 1, number_col)
            q = q._replace(defects=(*q.defects, Defect("L804", message, place, "counted")))
        out.append(q)
    return out


def _bulk(func: F) -> F:
    """Run with the cyclic garbage collector paused: building 100,000 rows (none of them cyclic) would
    otherwise trigger collections that rescan every cell read so far, doubling the time."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper  # type: ignore[return-value]


@_bulk
def read_ledger(path: Path, edition_name: str | None = DEFAULT_EDITION) -> Ledger:
    """Read a ledger workbook by header label (columns may be reordered, extra columns are ignored).
    With edition_name None, results of either edition are accepted (for the watch list, where the
    result only marks a request as answered)."""
    path = Path(path)
    workbook = _open_workbook(path)
    found = _locate_sheet(workbook, path, REQUEST_SHEET, REQUEST_COLUMNS)
    if found is None:
        labels_needed = "、".join(c.label for c in REQUEST_COLUMNS if c.required)
        raise InputError(str(path), f"找不到登记台账表头（需要列：{labels_needed}）。"
                                    "可用 qtx-report template --ledger 生成台账模板。")
    sheet, rows, (header_row, where) = found
    ed = edition(edition_name or DEFAULT_EDITION)
    applicants = _choice_index(applicant_choices(ed.name))
    results = _result_index(ed)
    if edition_name is None:
        results = {**_result_index(edition("2019")), **results}
    requests = _read_requests(_Columns(sheet, rows, header_row, where, _REQUEST_READ), path.name, sheet, applicants, results)
    requests = _duplicates(requests, where["number"])
    cases = _read_cases(workbook, path, ed, sheet)
    return Ledger(path.name, tuple(requests), cases)


def _read_cases(workbook, path: Path, ed: Edition, request_sheet: str) -> tuple[Case, ...] | None:
    found = _locate_sheet(workbook, path, CASE_SHEET, CASE_COLUMNS, skip=request_sheet)
    if found is None:
        return None
    sheet, rows, (header_row, where) = found
    cols = _Columns(sheet, rows, header_row, where, _CASE_READ)
    received = cols.dates("received", "always")
    for i in range(cols.n):
        if received[i] is None and i not in cols.defects:  # (an unreadable one is L800 already)
            cols.note(i, "L808", f"{_CASE_LABEL['received']}未填，无法确定计入哪一年度", "received", "always")
    choices = {"kind": _choice_index(case_kind_choices(ed.name), short=True),
               "result": _choice_index(case_result_choices(ed.name), short=True)}
    found_keys = {key: cols.choices(key, index) for key, index in choices.items()}
    for i in range(cols.n):
        for key in choices:
            if found_keys[key][i] is None:
                text = _text(cols.raw(key)[i])
                what = f"“{text}”无法识别，请从下拉列表选择" if text else "未填"
                cols.note(i, "L808", f"{_CASE_LABEL[key]}{what}", key, "counted")
    concluded = cols.dates("concluded", "counted")
    numbers = cols.texts("number")
    counts = Counter(n for n in numbers if n)
    for i, number in enumerate(numbers):
        if counts[number] > 1:
            cols.note(i, "L808", f"{_CASE_LABEL['number']}“{number}”重复", "number", "counted")
    return tuple(Case(path.name, sheet, cols.sheet_rows[i], numbers[i], found_keys["kind"][i], received[i],
                      found_keys["result"][i], concluded[i], tuple(cols.defects.get(i, ())))
                 for i in range(cols.n))


# ---------------------------------------------------------------- deadlines

ANSWER_DAYS = 20  # 条例第三十三条: 20 working days
EXTENSION_DAYS = 20  # extendable once, by at most 20 working days
CORRECTION_NOTICE_DAYS = 7  # 附件3 八（二）: 补正 notice within 7 working days of receipt
DUE_SOON_DAYS = 5  # "due within 5 working days" in the watch list
_PERIOD = (ANSWER_DAYS, ANSWER_DAYS + EXTENSION_DAYS)  # indexed by Request.extended (False 0, True 1)


class Clock(NamedTuple):
    """The deadlines of one request; None where the clock is stopped or cannot be computed.
    (A NamedTuple for the same reason as Request: one per row.)"""

    notice_due: date | None  # 补正告知 due date, when 补正 was asked
    answer_due: date | None
    waiting: str = ""  # why answer_due is None: 等待补正 / 征求意见中 / 缺少日期


_plain_due = lru_cache(maxsize=1 << 16)(add_workdays)  # a few hundred receipt dates for 100,000 rows


def clock(q: Request) -> Clock:
    """条例第三十条、第三十三条; 附件3 五、八、十. Every period counts from the day after its start."""
    if q.received is None:
        return Clock(None, None, "缺少收到日期")
    if not (q.correction or q.correction_notice or q.correction_done or q.consulted or q.consult_from):
        return Clock(None, _plain_due(q.received, _PERIOD[q.extended]))  # most rows
    asked_correction = q.correction or q.correction_notice is not None or q.correction_done is not None
    notice_due = add_workdays(q.received, CORRECTION_NOTICE_DAYS) if asked_correction else None
    if asked_correction and q.correction_done is None:
        return Clock(notice_due, None, "等待补正")
    start = q.correction_done if asked_correction else q.received
    assert start is not None
    pauses: tuple[tuple[date, date], ...] = ()
    if q.consulted or q.consult_from:
        if q.consult_from is None:
            return Clock(notice_due, None, "缺少征求意见开始日期")
        if q.consult_to is None:
            return Clock(notice_due, None, "征求意见中")
        pauses = ((q.consult_from, q.consult_to),)
    return Clock(notice_due, add_workdays(start, _PERIOD[q.extended], pauses))


def _years_walked(q: Request, c: Clock) -> tuple[int, ...]:
    """The years a deadline computation walked through (a deadline is weeks away, so usually one)."""
    ends = [d.year for d in (c.notice_due, c.answer_due) if d]
    if q.received is None or not ends:
        return ()
    last = max(ends)
    return (q.received.year,) if last == q.received.year else tuple(range(q.received.year, last + 1))


# ---------------------------------------------------------------- findings


def _finding(code: str, message: str, q: Request | Case, place: Place | None = None) -> Finding:
    number = f"（编号 {q.number}）" if isinstance(q, Request) and q.number else (
        f"（案号 {q.number}）" if isinstance(q, Case) and q.number else "")
    return Finding(code, f"第{q.row}行{number}：{message}", file=q.file, place=place or SheetCell(q.sheet, q.row - 1, 0))


def _counted_in(received: date | None, answered: date | None, year: int) -> bool:
    """Counted in the year's section 三: received by 31 December and not answered before 1 January."""
    return received is not None and received.year <= year and (answered is None or answered.year >= year)


def _blocks(q: Request, d: Defect, year: int) -> bool:
    if d.scope == "always" or q.received is None:
        return True
    if d.scope == "answered":
        return (q.answered.year == year) if q.answered else _counted_in(q.received, None, year)
    return _counted_in(q.received, q.answered, year)


def _defect_findings(q: Request, year: int | None) -> tuple[list[Finding], bool]:
    """Findings for a row's defects and whether the row cannot be counted in `year` (None: any year)."""
    findings, uncountable = [], False
    for d in q.defects:
        severity = CODES[d.code].severity
        if severity != "error":
            if year is None or _counted_in(q.received, q.answered, year):
                findings.append(_finding(d.code, d.message, q, d.place))
        elif year is None or _blocks(q, d, year):
            findings.append(_finding(d.code, d.message, q, d.place))
            uncountable = True
        else:
            findings.append(_not_this_year(d, q, year))
    return findings, uncountable


def _not_this_year(d: Defect, q: Request | Case, year: int) -> Finding:
    """An error in a row that the year's tally does not count: reported, but only as a warning."""
    return _finding("L809", f"{d.message}（{CODES[d.code].title}；不涉及{year}年统计）", q, d.place)


# ---------------------------------------------------------------- tally


@dataclass(frozen=True)
class Tally:
    year: int
    edition: str
    section3: Grid
    section4: Grid | None  # None: no 复议诉讼 sheet in the ledger
    findings: tuple[Finding, ...]
    counted: int  # rows counted in the year
    uncountable: int  # rows concerning the year that could not be counted

    @property
    def complete(self) -> bool:
        return self.uncountable == 0 and not any(f.code in ("L800", "L808") for f in self.findings)


def merge_ledgers(current: Ledger, previous: Ledger | None) -> tuple[list[Request], list[Case] | None]:
    """The current ledger plus the previous year's; a previous row with the same 编号 and 收到日期 as a
    current row is the same request copied across, and is read once (from the current ledger)."""
    requests = list(current.requests)
    cases = list(current.cases) if current.cases is not None else None
    if previous is None:
        return requests, cases
    seen = {(q.number, q.received) for q in current.requests if q.number}
    requests += [q for q in previous.requests if not q.number or (q.number, q.received) not in seen]
    if previous.cases is not None:
        have = {c.number for c in cases or () if c.number}
        cases = (cases or []) + [c for c in previous.cases if not c.number or c.number not in have]
    return requests, cases


@_bulk
def tally_requests(requests: Sequence[Request], year: int, edition_name: str = DEFAULT_EDITION,
                   cases: Sequence[Case] | None = None, today: date | None = None) -> Tally:
    """Count sections 三 and 四 for `year`; rows with a defect that touches the year are not counted
    and are reported (error), so a tally with `complete == False` must not be written."""
    ed = edition(edition_name)
    grid = zero_grids(ed.name)["section3"]
    new, carried_in, carried_out = grid["new"], grid["carried_in"], grid["carried_out"]
    first_day = date(year, 1, 1)
    findings: list[Finding] = []
    counted = uncountable = 0
    for q in requests:
        if q.defects:
            row_findings, blocked = _defect_findings(q, year)
            findings += row_findings
            if blocked:
                uncountable += 1
                continue
        received, answered = q.received, q.answered
        if received is None or received.year > year or (answered is not None and answered < first_day):
            continue
        counted += 1
        column = q.applicant
        (new if received >= first_day else carried_in)[column] += 1  # type: ignore[index]
        if answered is not None and answered.year == year:
            grid[q.result][column] += 1  # type: ignore[index]
        else:
            carried_out[column] += 1  # type: ignore[index]
    findings += _year_warnings(requests, year)
    findings += deadline_findings(requests, today or date.today(), year)
    section4, case_findings = tally_cases(cases, year, ed) if cases is not None else (None, [])
    findings += case_findings
    return Tally(year, ed.name, fill_totals(ed.name, {"section3": grid})["section3"], section4, tuple(findings), counted, uncountable)


def _year_warnings(requests: Sequence[Request], year: int) -> list[Finding]:
    received = [q.received for q in requests if q.received]
    if received and min(received).year >= year:
        return [Finding("L810", f"台账中没有{year}年以前收到的申请，“二、上年结转”按0统计。"
                                f"如{year - 1}年有跨年未办结的申请，请用 --previous-ledger 提供上年台账。",
                        file=requests[0].file)]
    return []


def tally_cases(cases: Sequence[Case], year: int, ed: Edition) -> tuple[Grid, list[Finding]]:
    """Section 四: cases received in the year, by their result as of 31 December."""
    s4 = ed.section4
    grid = zero_grids(ed.name)["section4"]
    pending = s4.part_columns[-1].key  # 尚未审结
    findings: list[Finding] = []
    for case in cases:
        concerns = case.received is None or case.received.year == year
        for d in case.defects:
            findings.append(_finding(d.code, d.message, case, d.place) if concerns else _not_this_year(d, case, year))
        if not concerns or case.defects:
            continue
        decided = case.concluded is None or case.concluded.year <= year
        grid[case.group][case.result if decided else pending] += 1  # type: ignore[index]
    return fill_totals(ed.name, {"section4": grid})["section4"], findings


# ---------------------------------------------------------------- watch list: late, overdue, due soon


@dataclass(frozen=True)
class OpenItem:
    """An unanswered request in the watch list of `ledger-status`."""

    request: Request
    task: str  # 答复 or 补正告知
    due: date | None
    state: str  # 已逾期 / 即将到期 / 未到期 / 等待补正 / 征求意见中 …
    workdays_left: int | None  # negative: working days overdue


def open_items(requests: Iterable[Request], today: date) -> list[OpenItem]:
    """Requests received by `today` and not answered, with their next deadline."""
    soon = add_workdays(today, DUE_SOON_DAYS)
    items = []
    for q in requests:
        if q.answered is not None or q.received is None or q.received > today:
            continue
        c = clock(q)
        notice_pending = c.notice_due is not None and q.correction_notice is None
        task, due = ("补正告知", c.notice_due) if notice_pending else ("答复", c.answer_due)
        if due is None:
            items.append(OpenItem(q, task, None, c.waiting, None))
            continue
        left = workdays_between(today, due) if due >= today else -workdays_between(due, today)
        state = "已逾期" if due < today else "即将到期" if due <= soon else "未到期"
        items.append(OpenItem(q, task, due, state, left))
    items.sort(key=lambda i: (i.due is None, i.due or date.max, i.request.row))
    return items


def deadline_findings(requests: Iterable[Request], today: date, year: int | None = None) -> list[Finding]:
    """Late answers and 补正 notices (in `year`, or ever), overdue and due-soon open requests,
    and one warning per year whose holidays chinese-calendar does not know."""
    findings: list[Finding] = []
    years: set[int] = set()
    # `q.defects and` spares 100,000 plain rows a call
    requests = [q for q in requests if q.received is not None and not (q.defects and _has_error(q))]
    open_requests: list[Request] = []
    for q in requests:
        received, answered = q.received, q.answered
        if year is not None and (received.year > year or (answered and answered.year < year)):  # type: ignore[union-attr]
            continue  # not counted in the year (see _counted_in)
        if answered is None:
            open_requests.append(q)  # judged by open_items() below
            if q.correction_notice is None:
                continue
        if not (q.correction or q.correction_notice or q.correction_done or q.consulted or q.consult_from):
            # the plain case, inlined (most of 100,000 rows): 20 or 40 working days from receipt
            due = _plain_due(received, _PERIOD[q.extended])
            years.update((received.year, due.year))  # type: ignore[union-attr]
            if answered > due:  # type: ignore[operator]
                findings += _late_findings(q, Clock(None, due), year)
            continue
        c = clock(q)
        years.update(_years_walked(q, c))
        findings += _late_findings(q, c, year)
    for item in open_items(open_requests, today):
        if item.due:
            years.update(range(item.request.received.year, item.due.year + 1))  # type: ignore[union-attr]
        findings += _open_findings(item)
    unknown_years = {y for y in years if not is_covered(y)}
    findings += [Finding("L815", f"chinese-calendar 没有{y}年的节假日安排，{y}年的工作日按周一至周五计算，"
                                 "法定节假日和调休未计入，期限可能不准。")
                 for y in sorted(unknown_years)]
    return findings


def _has_error(q: Request) -> bool:
    return any(CODES[d.code].severity == "error" for d in q.defects)


def _late_findings(q: Request, c: Clock, year: int | None) -> list[Finding]:
    out = []
    notice = q.correction_notice
    if c.notice_due and notice and notice > c.notice_due and (year is None or notice.year == year):
        late = workdays_between(c.notice_due, notice)
        out.append(_finding("L812", f"补正告知日期 {notice} 晚于期限 {c.notice_due}（逾期{late}个工作日）", q))
    if c.answer_due and q.answered and q.answered > c.answer_due and (year is None or q.answered.year == year):
        late = workdays_between(c.answer_due, q.answered)
        out.append(_finding("L811", f"答复日期 {q.answered} 晚于答复期限 {c.answer_due}（逾期{late}个工作日）", q))
    return out


_TASK_TEXT = {"答复": "答复", "补正告知": "发出补正告知"}


def _open_findings(item: OpenItem) -> list[Finding]:
    q = item.request
    if item.state == "已逾期":
        code = "L812" if item.task == "补正告知" else "L813"
        return [_finding(code, f"尚未{_TASK_TEXT[item.task]}，期限 {item.due} 已过（逾期{-(item.workdays_left or 0)}个工作日）",
                         q)]
    if item.state == "即将到期":
        return [_finding("L814", f"尚未{_TASK_TEXT[item.task]}，期限 {item.due}（还剩{item.workdays_left}个工作日）", q)]
    return []


def ledger_findings(requests: Iterable[Request], cases: Iterable[Case] | None, today: date) -> list[Finding]:
    """Everything `ledger-status` reports: row defects of any year; late answers and notices of the
    current year (earlier years' are history, reported by their tally); open requests of any year."""
    requests = list(requests)
    findings = [f for q in requests if q.defects for f in _defect_findings(q, None)[0]]
    findings += [_finding(d.code, d.message, c, d.place) for c in cases or () for d in c.defects]
    return findings + deadline_findings(requests, today, today.year)


# ---------------------------------------------------------------- the template


def write_ledger_template(path: Path, edition: str = DEFAULT_EDITION, overwrite: bool = False) -> None:
    """A ledger workbook: 登记台账 (one row per request), 复议诉讼, 说明, and a hidden 选项 sheet
    holding the drop-down lists (Excel limits an inline list to 255 characters)."""
    from openpyxl import Workbook

    lists = _template_lists(edition)
    wb = Workbook()
    requests = wb.active
    requests.title = REQUEST_SHEET
    _template_sheet(requests, REQUEST_COLUMNS, lists)
    _template_sheet(wb.create_sheet(CASE_SHEET), CASE_COLUMNS, lists)
    _help_sheet(wb.create_sheet(HELP_SHEET), lists, edition)
    _list_sheet(wb.create_sheet(LIST_SHEET), lists)
    for ws in wb.worksheets:  # printed on landscape pages, all columns on one page width
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1" if ws.title in (REQUEST_SHEET, CASE_SHEET) else None
    with atomic_path(Path(path), overwrite=overwrite) as tmp:
        wb.save(tmp)


_TEMPLATE_ROWS = 5000  # data validation reaches this far; Excel users rarely go beyond in a year


def _template_lists(edition_name: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(sheet, column key) → drop-down values."""
    def texts(pairs: Iterable[tuple[str, str]]) -> tuple[str, ...]:
        return tuple(t for t, _ in pairs)

    flags = (YES, NO)
    return {
        (REQUEST_SHEET, "applicant"): texts(applicant_choices(edition_name)),
        (REQUEST_SHEET, "method"): METHODS,
        (REQUEST_SHEET, "correction"): flags,
        (REQUEST_SHEET, "consulted"): flags,
        (REQUEST_SHEET, "extended"): flags,
        (REQUEST_SHEET, "result"): texts(result_choices(edition_name)),
        (REQUEST_SHEET, "delivery"): DELIVERIES,
        (CASE_SHEET, "kind"): texts(case_kind_choices(edition_name)),
        (CASE_SHEET, "result"): texts(case_result_choices(edition_name)),
    }


def _list_range(lists: dict[tuple[str, str], tuple[str, ...]], wanted: tuple[str, str]) -> str:
    from openpyxl.utils import get_column_letter

    for i, (key, values) in enumerate(lists.items()):
        if key == wanted:
            col = get_column_letter(i + 1)
            return f"'{LIST_SHEET}'!${col}$2:${col}${len(values) + 1}"
    raise KeyError(wanted)


def _template_sheet(ws, columns: Sequence[LedgerColumn], lists: dict[tuple[str, str], tuple[str, ...]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    ws.append([c.label for c in columns])
    for i, col in enumerate(columns):
        letter = get_column_letter(i + 1)
        head = ws[f"{letter}1"]
        head.font, head.fill = bold, fill
        head.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[letter].width = col.width
        area = f"{letter}2:{letter}{_TEMPLATE_ROWS}"
        if col.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
            dv = DataValidation(type="date", operator="between", formula1="36526", formula2="73415", allow_blank=True,
                                error="请填写日期，如 2024-03-05", errorTitle=col.label, showErrorMessage=True)
        elif col.kind in ("choice", "flag"):
            dv = DataValidation(type="list", formula1=_list_range(lists, (ws.title, col.key)), allow_blank=True,
                                showErrorMessage=col.strict, error="请从下拉列表选择", errorTitle=col.label)
        else:
            continue
        dv.add(area)
        ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "B2"


def _help_sheet(ws, lists: dict[tuple[str, str], tuple[str, ...]], edition_name: str) -> None:
    from openpyxl.styles import Alignment, Font

    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([f"依申请公开登记台账 使用说明（年度报告格式：{edition_name}版）"])
    ws["A1"].font = Font(bold=True, size=14)
    for line in GENERAL_HELP:
        ws.append([line])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=3)
        ws.cell(ws.max_row, 1).alignment = wrap
        ws.row_dimensions[ws.max_row].height = _wrapped_height(line, 115)
    for sheet, columns in ((REQUEST_SHEET, REQUEST_COLUMNS), (CASE_SHEET, CASE_COLUMNS)):
        ws.append([])
        ws.append([f"工作表“{sheet}”", "必填", "说明"])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for col in columns:
            choices = "、".join(lists.get((sheet, col.key), ()))
            text = col.help.format(choices=choices)
            ws.append([col.label, YES if col.required else "", text])
            for cell in ws[ws.max_row]:
                cell.alignment = wrap
            ws.row_dimensions[ws.max_row].height = _wrapped_height(text, 105)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 6
    ws.column_dimensions["C"].width = 90


def _wrapped_height(text: str, width: int) -> float:
    """Row height (points) for wrapped text in a cell `width` characters wide: openpyxl does not
    compute it, and Excel/LibreOffice keep one line otherwise."""
    return 16.0 * max(1, -(-_display_width(text) // width))


def _list_sheet(ws, lists: dict[tuple[str, str], tuple[str, ...]]) -> None:
    for i, ((sheet, key), values) in enumerate(lists.items()):
        columns = REQUEST_COLUMNS if sheet == REQUEST_SHEET else CASE_COLUMNS
        label = next(c.label for c in columns if c.key == key)
        ws.cell(1, i + 1, f"{sheet}·{label}")
        for r, value in enumerate(values, start=2):
            ws.cell(r, i + 1, value)
    ws.sheet_state = "hidden"


# ---------------------------------------------------------------- writing the tally into a report


def _apply(report_data: dict[str, object], tally: Tally) -> dict[str, object]:
    data = dict(report_data)
    data["section3"] = tally.section3
    if tally.section4 is not None:
        data["section4"] = tally.section4
    return data


def write_json_report(output: Path, tally: Tally, agency: str, inputs: tuple[Path, ...]) -> None:
    """Update section 三/四 of an existing report JSON, or create a new report."""
    if output.exists():
        report = load_report(output).report
        _check_same_year(output, report.year, tally.year)
        data = _apply(report.model_dump(), tally)
    else:
        if not agency:
            raise InputError(str(output), "新建报告 JSON 需要单位名称，请加 --agency 单位名称。")
        data = _apply({"agency": agency, "year": tally.year, "edition": tally.edition}, tally)
    report = Report.model_validate(data)
    write_bytes_atomic(output, report.model_dump_json(indent=2).encode("utf-8"), inputs=inputs)


def _check_same_year(path: Path, report_year: int, year: int) -> None:
    if report_year != year:
        raise InputError(str(path), f"报告年度为{report_year}年，与 --year {year} 不一致。")


def report_edition(output: Path | None) -> str | None:
    """The edition of an existing output report, so the ledger's results are read against it."""
    if output is None or not output.exists():
        return None
    return load_report(output).report.edition


def write_workbook_report(output: Path, tally: Tally, inputs: tuple[Path, ...]) -> int:
    """Write the tallied numbers into the agency workbook, in the cells where the loader found each
    label; formulas (the workbook's own totals) and everything else the clerk wrote stay as they are."""
    from openpyxl import load_workbook

    loaded = load_report(output)
    _check_same_year(output, loaded.report.year, tally.year)
    wb = load_workbook(output)
    written = 0
    for section, grid in (("section3", tally.section3), ("section4", tally.section4)):
        for row_key, cells in (grid or {}).items():
            for col_key, value in cells.items():
                written += _write_cell(wb, loaded.locations, (section, row_key, col_key), value, output)
    with atomic_path(output, inputs=inputs) as tmp:
        wb.save(tmp)
    return written


def _write_cell(wb, locations, key: tuple[str, str, str], value: int, output: Path) -> int:
    where = locations.get(key)
    if where is None:
        if key[1] == "results_total" or key[2] == "total":
            return 0  # a total the workbook computes itself
        raise InputError(str(output), f"填报工作簿中找不到第三/四部分的单元格（{'/'.join(key)}），未写入。"
                                      "请使用 qtx-report template 生成的工作簿。")
    cell = wb[where.sheet][where.cell]
    if isinstance(cell.value, str) and cell.value.startswith("="):
        return 0  # keep the workbook's formula
    cell.value = value
    return 1


# ---------------------------------------------------------------- the commands


@dataclass(frozen=True)
class _Out:
    """Plain text when piped, rich tables on a terminal."""

    rich: bool = field(default_factory=lambda: sys.stdout.isatty())

    def table(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        if self.rich:
            from rich.console import Console
            from rich.table import Table

            table = Table(title=title, title_justify="left")
            for i, h in enumerate(headers):
                numeric = bool(rows) and all(isinstance(row[i], int) for row in rows)
                table.add_column(h, justify="right" if numeric else "left", overflow="fold")
            for row in rows:
                table.add_row(*(str(v) for v in row))
            Console().print(table)
            return
        print(title)
        cells = [list(map(str, headers))] + [[str(v) for v in row] for row in rows]
        # The last column is never padded, so its (long) texts are never measured.
        widths = [max(_display_width(r[i]) for r in cells) for i in range(len(headers) - 1)] + [0]
        lines = ["  ".join(_pad(v, w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
        print("\n".join(lines), end="\n\n")

    def line(self, text: str = "") -> None:
        print(text)


def _display_width(text: str) -> int:
    """Terminal columns: 1 for ASCII, 2 for Chinese characters and full-width punctuation, which
    are the 3-byte characters of UTF-8 here (a per-character Unicode lookup is ten times slower)."""
    return len(text) if text.isascii() else (len(text.encode("utf-8")) + len(text)) // 2


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text)) if width else text


def _print_findings(out: _Out, findings: Sequence[Finding], title: str) -> None:
    if not findings:
        return
    order = {"error": 0, "warning": 1, "info": 2}
    rows = [(f.code, SEVERITY_NAMES[f.severity],
             f"{f.file} {f.sheet}!{f.cell}".strip() if f.sheet else f.file, f.message)
            for f in sorted(findings, key=lambda f: (order[f.severity], f.code, f.file, _row_of(f)))]
    out.table(title, ("代码", "级别", "位置", "说明"), rows)


def _row_of(f: Finding) -> int:
    return f.place.row if isinstance(f.place, SheetCell | SheetRow) else -1


def _print_tally(out: _Out, tally: Tally) -> None:
    ed = edition(tally.edition)
    s3 = ed.section3
    headers = ("", *(c.label for c in s3.columns))
    printed = {key: text for text, key in result_choices(ed.name)}  # （三）1.属于国家秘密: group visible
    rows = [(printed.get(r.key, r.title), *(tally.section3[r.key][c.key] for c in s3.columns)) for r in s3.rows]
    out.table(f"{ed.section('requests').heading}（{tally.year}年，共统计{tally.counted}件）", headers, rows)
    if tally.section4 is not None:
        s4 = ed.section4
        rows4 = [(g.label, *(tally.section4[g.key][c.key] for c in s4.columns)) for g in s4.groups]
        out.table(ed.section("appeals").heading, ("", *(c.label for c in s4.columns)), rows4)
    else:
        out.line(f"台账中没有“{CASE_SHEET}”工作表，第四部分未统计。")


def _exit_code(findings: Sequence[Finding]) -> int:
    if any(f.code == "L800" for f in findings):
        return 2  # a cell that cannot be read as a date: fix the ledger first
    return exit_code(list(findings))


@_bulk
def tally_command(ledger: Path, year: int, previous_ledger: Path | None = None, output: Path | None = None,
                  agency: str = "", edition_name: str | None = None, today: date | None = None) -> int:
    """`qtx-report tally`. Exit 0 counted (warnings allowed), 1 some rows concerning the year cannot be
    counted (nothing written), 2 a date cell cannot be read or a file cannot be read at all."""
    inputs = tuple(Path(p) for p in (ledger, previous_ledger) if p)
    if output is not None and any(p.exists() and output.exists() and p.resolve() == output.resolve() for p in inputs):
        raise InputError(str(output), "输出文件与台账相同，为保护台账已停止。请用 -o 指定填报工作簿或报告 JSON。")
    ed_name = edition_name or report_edition(output) or DEFAULT_EDITION
    current = read_ledger(ledger, ed_name)
    previous = read_ledger(previous_ledger, ed_name) if previous_ledger else None
    requests, cases = merge_ledgers(current, previous)
    result = tally_requests(requests, year, ed_name, cases, today)
    out = _Out()
    _print_tally(out, result)
    _print_findings(out, result.findings, "台账检查（逾期、即将到期、无法统计的行）")
    code = _exit_code(result.findings)
    if output is None:
        return code
    if not result.complete or code:
        out.line(f"未写入 {output}：有 {result.uncountable} 行台账无法统计或有单元格无法读取，请先改正台账。")
        return code or 1
    if output.suffix.lower() == ".json":
        write_json_report(output, result, agency, inputs)
    elif output.suffix.lower() in (".xlsx", ".xlsm"):
        if not output.exists():
            raise InputError(str(output), "填报工作簿不存在。请先用 qtx-report template 生成，或用 -o 报告.json。")
        write_workbook_report(output, result, inputs)
    else:
        raise InputError(str(output), "输出文件须为填报工作簿（.xlsx）或报告 JSON（.json）。")
    out.line(f"已写入第三、四部分：{output}")
    return code


@_bulk
def status_command(ledger: Path, today: str | date | None = None) -> int:
    """`qtx-report ledger-status`. Exit 0 nothing overdue, 1 something overdue or rows cannot be
    counted, 2 a date cell cannot be read."""
    day = _parse_today(today)
    read = read_ledger(ledger, None)
    items = open_items((q for q in read.requests if not _has_error(q)), day)
    out = _Out()
    rows = [(i.request.row, i.request.number, i.request.received, i.request.name, i.task, i.due or "—", i.state,
             "—" if i.workdays_left is None else i.workdays_left) for i in items]
    out.table(f"未办结的申请（截至 {day}，共 {len(items)} 件）",
              ("行", "编号", "收到日期", "申请人", "待办", "期限", "状态", "剩余工作日"), rows)
    findings = ledger_findings(read.requests, read.cases, day)
    _print_findings(out, findings, "台账检查")
    overdue = any(i.state == "已逾期" for i in items)
    return _exit_code(findings) or (1 if overdue else 0)


def _parse_today(today: str | date | None) -> date:
    if today is None:
        return date.today()
    if isinstance(today, date):
        return today
    try:
        return date.fromisoformat(today)
    except ValueError:
        raise InputError("--today", f"“{today}”不是日期，请写成 YYYY-MM-DD。") from None
