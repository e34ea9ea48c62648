"""Reading a ledger workbook into requests and cases, by header label; what is wrong in a row is
kept on the row as a Defect, never raised, so a tally can report every row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal, NamedTuple

from qtx_report.form.editions import DEFAULT_EDITION, EDITIONS, Edition, edition
from qtx_report.ledger.bulk import bulk
from qtx_report.ledger.columns import (
    CASE_COLUMNS,
    CASE_SHEET,
    NO,
    REQUEST_COLUMNS,
    REQUEST_SHEET,
    YES,
    LedgerColumn,
    applicant_choices,
    case_kind_choices,
    case_result_choices,
    result_choices,
)
from qtx_report.model import labels
from qtx_report.model.dates import DateError, parse_date
from qtx_report.model.findings import InputError
from qtx_report.model.numbers import format_number
from qtx_report.model.places import Place, SheetCell, SheetRow
from qtx_report.read.sheets import open_workbook, sheet_rows
from qtx_report.read.source import source_file

# ---------------------------------------------------------------- drop-down values, as the reader accepts them


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


class _BadCell(ValueError):
    """Why a 是/否 cell cannot be read, in words for the clerk."""


_YES_WORDS = frozenset({"是", "有", "已", "y", "yes", "true", "1", "√", "✓", "✔"})
_NO_WORDS = frozenset({"", "否", "无", "不", "n", "no", "false", "0", "×", "-", "/"})


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


@dataclass(frozen=True)
class _Table:
    """A sheet that holds a ledger header: its rows, the header's row index, column key → index."""

    sheet: str
    rows: list[list[object]]
    header_row: int
    where: dict[str, int]


def _locate_sheet(path: Path, book: Any, preferred: str, columns: Sequence[LedgerColumn],
                  skip: str = "") -> _Table | None:
    """The sheet named `preferred`, else the first sheet other than `skip` with the header; None when
    no sheet has it. (`skip`: the 100,000-row request sheet is not read again in search of cases.)"""
    names = list(book.sheet_names)
    order = [preferred] if preferred in names else [n for n in names if n != skip]
    for name in order:
        rows = sheet_rows(path, book, name)
        header = _find_header(rows, columns)
        if header:
            return _Table(name, rows, *header)
        if name == preferred:
            missing = "、".join(_missing_labels(rows, columns))
            raise InputError(str(path), f"表头缺少以下列：{missing}。请勿修改表头文字。", SheetRow(name, 0))
    return None


def _locate_tables(path: Path, book: Any) -> tuple[_Table, _Table | None]:
    """The request sheet, refused when no sheet has its header, and the case sheet if there is one."""
    requests = _locate_sheet(path, book, REQUEST_SHEET, REQUEST_COLUMNS)
    if requests is None:
        labels_needed = "、".join(c.label for c in REQUEST_COLUMNS if c.required)
        raise InputError(str(path), f"找不到登记台账表头（需要列：{labels_needed}）。"
                                    "可用 qtx-report template --ledger 生成台账模板。")
    return requests, _locate_sheet(path, book, CASE_SHEET, CASE_COLUMNS, skip=requests.sheet)


def _check_file(path: Path) -> None:
    """What the workbook opener cannot say for a ledger: the file is missing (or no regular file), or
    not a workbook by name."""
    source_file(path, "登记台账")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(str(path), "登记台账须为 Excel 工作簿（.xlsx）。可用 qtx-report template --ledger 台账.xlsx 生成。")


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

    def __init__(self, table: _Table, column_labels: dict[str, str]) -> None:
        rows, where = table.rows, table.where
        self.sheet = table.sheet
        first = table.header_row + 1
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
        self.unreadable: set[tuple[str, int]] = set()  # (column key, row index) of dates noted L800

    def raw(self, key: str) -> Sequence[object]:
        return self.columns.get(key) or [""] * self.n

    def cell(self, key: str, i: int) -> Place:
        c = self.where.get(key)
        row = self.sheet_rows[i] - 1
        return SheetCell(self.sheet, row, c) if c is not None else SheetRow(self.sheet, row)

    def note(self, i: int, code: str, message: str, key: str, scope: Scope) -> None:
        self.defects.setdefault(i, []).append(Defect(code, message, self.cell(key, i), scope))

    def blank(self, key: str, i: int) -> bool:
        """For a date read as None: the cell holds nothing, rather than a date that cannot be read
        (which is L800 already, and must not be reported a second time as missing)."""
        return (key, i) not in self.unreadable

    def dates(self, key: str, scope: Scope) -> list[date | None]:
        # A comprehension for the common cells (date cells, blanks), a second look at the rest.
        out = [v if type(v) is date else None if v == "" else _PENDING for v in self.raw(key)]
        for i in _pending(out):
            try:
                out[i] = parse_date(self.raw(key)[i])
            except DateError as bad:
                self.note(i, "L800", f"{self.labels[key]}：{bad}", key, scope)
                self.unreadable.add((key, i))
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


def _read_requests(cols: _Columns, file: str, applicants: dict[str, str], results: dict[str, str]) -> list[Request]:
    received, answered = cols.dates("received", "always"), cols.dates("answered", "counted")
    notices, completions = cols.dates("correction_notice", "counted"), cols.dates("correction_done", "counted")
    starts, ends = cols.dates("consult_from", "counted"), cols.dates("consult_to", "counted")
    corrections, consulted, extended = cols.flags("correction"), cols.flags("consulted"), cols.flags("extended")
    applicant_keys, result_keys = cols.choices("applicant", applicants), cols.choices("result", results)
    applicant_texts, result_texts = cols.raw("applicant"), cols.raw("result")
    numbers, names = cols.texts("number"), cols.texts("name", strip=False)  # names are only displayed
    fields = {
        "file": repeat(file), "sheet": repeat(cols.sheet), "row": cols.sheet_rows, "number": numbers, "received": received,
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
        _check_counts(cols, i, q, _text(applicant_texts[i]), _text(result_texts[i]))
        _check_clock_dates(cols, i, q)
    for i, defects in cols.defects.items():
        out[i] = out[i]._replace(defects=tuple(defects))
    return out


def _check_counts(cols: _Columns, i: int, q: Request, applicant_text: str, result_text: str) -> None:
    """Defects that make a row impossible to count (errors)."""
    if q.received is None and cols.blank("received", i):
        cols.note(i, "L801", f"{_LABEL['received']}未填，无法确定计入哪一年度", "received", "always")
    if q.applicant is None:
        what = f"“{applicant_text}”不是第三部分的申请人类型" if applicant_text else f"{_LABEL['applicant']}未填"
        cols.note(i, "L805", what, "applicant", "counted")
    if result_text and q.result is None:
        cols.note(i, "L802", f"{_LABEL['result']}“{result_text}”不是第三部分的末级办理结果，请从下拉列表选择",
                  "result", "answered")
    elif q.answered is not None and q.result is None:
        cols.note(i, "L802", f"已填{_LABEL['answered']}，但未填{_LABEL['result']}", "result", "answered")
    elif q.result is not None and q.answered is None and cols.blank("answered", i):
        cols.note(i, "L802", f"已填{_LABEL['result']}，但未填{_LABEL['answered']}，无法确定计入哪一年度",
                  "answered", "counted")
    if q.received and q.answered and q.answered < q.received:
        cols.note(i, "L803", f"{_LABEL['answered']} {q.answered} 早于{_LABEL['received']} {q.received}",
                  "answered", "counted")


def _check_clock_dates(cols: _Columns, i: int, q: Request) -> None:
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
    if q.consulted and q.consult_from is None and cols.blank("consult_from", i):
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


@bulk
def read_ledger(path: Path, edition_name: str | None = DEFAULT_EDITION) -> Ledger:
    """Read a ledger workbook by header label (columns may be reordered, extra columns are ignored).
    With edition_name None, results of either edition are accepted (for the watch list, where the
    result only marks a request as answered)."""
    path = Path(path)
    _check_file(path)
    request_table, case_table = open_workbook(path, partial(_locate_tables, path))
    ed = edition(edition_name or DEFAULT_EDITION)
    applicants = _choice_index(applicant_choices(ed.name))
    results = _result_index(ed)
    if edition_name is None:
        results = {**_result_index(edition("2019")), **results}
    requests = _read_requests(_Columns(request_table, _REQUEST_READ), path.name, applicants, results)
    requests = _duplicates(requests, request_table.where["number"])
    cases = _read_cases(case_table, path.name, ed) if case_table is not None else None
    return Ledger(path.name, tuple(requests), cases)


def _read_cases(table: _Table, file: str, ed: Edition) -> tuple[Case, ...]:
    cols = _Columns(table, _CASE_READ)
    received = cols.dates("received", "always")
    for i in range(cols.n):
        if received[i] is None and cols.blank("received", i):
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
    return tuple(Case(file, cols.sheet, cols.sheet_rows[i], numbers[i], found_keys["kind"][i], received[i],
                      found_keys["result"][i], concluded[i], tuple(cols.defects.get(i, ())))
                 for i in range(cols.n))
