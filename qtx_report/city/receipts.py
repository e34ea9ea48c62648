"""The receipt log (收件登记.xlsx) of an intake folder: one row per file received, kept beside the
files it records. An intake folder holds the log and one sub-folder per agency with every version
(`v1_原文件名`, `v2_…`); files of agencies not on the roster go under `名单外/`.

The log is a workbook a person reads, sorts, annotates: it is read back tolerantly (rows in any
order, columns found by their headers, a person's own columns kept as they are), but a value that
makes no sense (a text as 版本, a time that is no time, a file that is not where the log says, two
files for one version) is refused with the sheet and row named, before anything is written, so a
hand edit can never make an intake rewrite what was recorded.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath

from qtx_report.city.reviews import REVIEWS_FILE
from qtx_report.city.roster import Roster, agency_key, key_of
from qtx_report.model import labels
from qtx_report.model.findings import InputError
from qtx_report.model.places import SheetCell, Worksheet
from qtx_report.read.sheets import open_workbook, sheet_rows
from qtx_report.read.source import REPORT_SUFFIXES, source_file
from qtx_report.write.files import atomic_path

LOG_NAME = "收件登记.xlsx"
LOCK_NAME = ".收件登记.lock"  # held while a run files into the folder (a dot file: never taken for a report)
SHEET = "收件登记"
UNKNOWN_DIR = "名单外"  # files of agencies not on the roster
# The check result of a file as the log writes it.
PASSED, INVALID, UNREADABLE = "通过", "有错误", "无法读取"
CHECK_STATES = (PASSED, INVALID, UNREADABLE)
NO_RECORD = "无收件记录，按成文日期判断"

# (header, width); the order a new log is written in.
AGENCY, VERSION, RECEIVED, STATE, ERRORS, WARNINGS = "单位名称", "版本", "收件时间", "状态", "错误", "警告"
ORIGINAL, FORMAT, STORED, NOTE, SHA256 = "原文件名", "格式", "存放位置", "说明", "sha256"
COLUMNS = ((AGENCY, 30), (VERSION, 6), (RECEIVED, 17), (STATE, 9), (ERRORS, 6), (WARNINGS, 6), (ORIGINAL, 30),
           (FORMAT, 7), (STORED, 40), (NOTE, 50), (SHA256, 66))
REQUIRED = (AGENCY, VERSION, RECEIVED, STORED, SHA256)
TIME_FORMAT = "yyyy-mm-dd hh:mm"
_SHA = re.compile(r"^[0-9a-f]{64}$")
VERSIONED = re.compile(r"^v(\d+)_")  # a stored version's file name: v2_原文件名
_TIME = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:\s*(?:T|\s)\s*(\d{1,2})\s*[:时]\s*(\d{1,2})\s*分?(?:\s*:\s*(\d{1,2})\s*秒?)?)?\s*$")
_EXCEL_EPOCH = datetime(1899, 12, 30)
FIRST_TIME, LAST_TIME = datetime(2000, 1, 1), datetime(2101, 1, 1)
_FIRST_SERIAL, _LAST_SERIAL = ((t - _EXCEL_EPOCH).days for t in (FIRST_TIME, LAST_TIME))
_TIME_HINT = "应写成 2026-01-14 16:30（或只写日期 2026-01-14，按 0:00 计）"


@dataclass(frozen=True)
class Receipt:
    """One file received: a new version stored, or an identical one recognised (same version, same file)."""

    agency: str
    version: int
    received: datetime  # local time, naive
    sha256: str
    original: str  # the file's name as it was sent
    stored: str  # where it is kept, relative to the intake folder (posix: 自然资源局/v2_报告.xlsx)
    format: str  # xlsx, docx, pdf …
    state: str  # one of CHECK_STATES
    errors: int = 0
    warnings: int = 0
    note: str = ""
    row: int = field(default=-1, compare=False)  # the 0-based sheet row it was read from; -1 when new


@dataclass(frozen=True)
class Log:
    """The receipt log as read: its rows in the order of the sheet (as a person may have sorted them),
    and where its columns are, so new rows go under the headers a person sees."""

    receipts: tuple[Receipt, ...] = ()
    source: str = ""  # the log file, "" when there is none yet
    columns: dict[str, int] = field(default_factory=dict)  # our header → its 0-based column
    header: int = 0  # the 0-based header row
    end: int = 1  # the 0-based row after the last one written


# ================================================================ time


def parse_time(text: str, option: str = "--received") -> datetime:
    """A receipt time as people write it: 2026-01-14 16:30, 2026-01-14T16:30, 2026/1/14 16:30,
    2026年1月14日 16时30分, seconds optional, or a date alone (0:00); a local time, 2000–2100."""
    try:
        return _text_time(str(text))
    except ValueError as err:
        raise InputError(option, f"收件时间{err}，{_TIME_HINT}。") from None


def _text_time(text: str) -> datetime:
    shown = text.strip()[:30]
    match = _TIME.match(unicodedata.normalize("NFKC", text))
    if not match:
        raise ValueError(f"“{shown}”无法识别")
    try:
        when = datetime(*(int(g) if g else 0 for g in match.groups()))
    except ValueError:
        raise ValueError(f"“{shown}”不是有效的日期或时刻") from None
    if not FIRST_TIME <= when < LAST_TIME:
        raise ValueError(f"“{shown}”不在 2000—2100 年之间")
    return when


def shown_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def _cell_time(value: object) -> datetime:
    """A 收件时间 cell: a date-time (as written), a date, an Excel serial (the cell's format changed
    to 常规) or a text a person typed; ValueError for anything else."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool) and _FIRST_SERIAL <= value < _LAST_SERIAL:
        when = _EXCEL_EPOCH + timedelta(days=float(value))
    elif isinstance(value, str) and value.strip():
        return _text_time(value)
    elif value is None or value == "":
        raise ValueError("为空")
    else:  # a number no time of 2000–2100 is, a time of day without its date …
        raise ValueError(f"“{_shown(value)}”不是日期和时刻")
    when = (when + timedelta(microseconds=500_000)).replace(microsecond=0)  # the serial's float, to the second
    if not FIRST_TIME <= when < LAST_TIME:
        raise ValueError(f"{when:%Y-%m-%d} 不在 2000—2100 年之间")
    return when


# ================================================================ reading


def read_log(folder: Path) -> Log:
    """The log of an intake folder; an empty one when the folder has none yet."""
    path = Path(folder) / LOG_NAME
    if not (path.exists() or path.is_symlink()):
        return Log()
    source_file(path, "收件登记表")
    rows = open_workbook(path, lambda book: sheet_rows(path, book, SHEET) if SHEET in book.sheet_names else None)
    if rows is None:
        raise InputError(str(path), f"收件登记表中找不到工作表“{SHEET}”（工作表名称被改过？）。请改回“{SHEET}”后再试。")
    header, columns = _header(path, rows)
    receipts, end = [], header + 1
    for r in range(header + 1, len(rows)):
        if all(v is None or str(v).strip() == "" for v in rows[r]):
            continue  # a blank row a person left between entries
        receipts.append(_receipt(path, r, rows[r], columns))
        end = r + 1
    return Log(tuple(receipts), str(path), columns, header, end)


def _header(path: Path, rows: list[list[object]]) -> tuple[int, dict[str, int]]:
    """The header row (a person may have put a title above it) and the column of each of ours."""
    keys = {labels.key(name): name for name, _ in COLUMNS}
    for r, row in enumerate(rows[:20]):
        columns = {keys[labels.key(v)]: c for c, v in reversed(list(enumerate(row))) if labels.key(v) in keys}
        if AGENCY in columns and VERSION in columns:
            missing = [name for name in REQUIRED if name not in columns]
            if missing:
                raise InputError(str(path), f"收件登记表第{r + 1}行的表头缺少“{'、'.join(missing)}”列。"
                                 "这些列是收件记录的一部分，请恢复（可以调整列的顺序，也可以增加自己的列）。", Worksheet(SHEET))
            return r, columns
    raise InputError(str(path), f"收件登记表中找不到表头（{AGENCY}、{VERSION}、{RECEIVED}……）。请恢复表头行。", Worksheet(SHEET))


def _get(row: list[object], col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def _receipt(path: Path, r: int, row: list[object], columns: dict[str, int]) -> Receipt:
    def cell(name: str) -> object:
        return _get(row, columns.get(name))

    def bad(name: str, why: str) -> InputError:
        col = columns.get(name, 0)
        return InputError(str(path), f"第{r + 1}行的“{name}”{why}。请改正这一格（或从备份恢复收件登记表）后再试。",
                          SheetCell(SHEET, r, col))

    agency = _text(cell(AGENCY))
    if not agency:
        raise bad(AGENCY, "为空，不知道是哪个单位的收件")
    version = _count(cell(VERSION), minimum=1)
    if version is None:
        raise bad(VERSION, f"应为正整数（v2 记为 2），却是“{_shown(cell(VERSION))}”")
    try:
        received = _cell_time(cell(RECEIVED))
    except ValueError as err:
        raise bad(RECEIVED, f"{err}，{_TIME_HINT}") from None
    sha = _text(cell(SHA256)).lower()
    if not _SHA.match(sha):
        raise bad(SHA256, f"应为 64 位十六进制的文件摘要，却是“{_shown(cell(SHA256))}”")
    stored = _text(cell(STORED)).replace("\\", "/")
    pure = PurePosixPath(stored)
    if not stored or pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0] or pure.name == LOG_NAME:
        raise bad(STORED, f"应为收件文件夹内的相对路径（如 自然资源局/v1_报告.xlsx），却是“{_shown(cell(STORED))}”")
    state = _text(cell(STATE))
    if state and state not in CHECK_STATES:
        raise bad(STATE, f"应为{'、'.join(CHECK_STATES)}之一，却是“{_shown(cell(STATE))}”")
    counts = []
    for name in (ERRORS, WARNINGS):
        n = _count(cell(name), minimum=0) if _text(cell(name)) else 0
        if n is None:
            raise bad(name, f"应为处数（0 或正整数），却是“{_shown(cell(name))}”")
        counts.append(n)
    original = _text(cell(ORIGINAL)) or VERSIONED.sub("", pure.name)
    return Receipt(agency, version, received, sha, original, str(pure), _text(cell(FORMAT)) or file_format(pure.name),
                   state, counts[0], counts[1], _text(cell(NOTE)), r)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _count(value: object, minimum: int) -> int | None:
    """A whole number ≥ minimum written as a number or as digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().removeprefix("v").removeprefix("V")
        value = int(text) if text.isdigit() else None
    return value if isinstance(value, int) and value >= minimum else None


def _shown(value: object) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in _text(value)[:40])
    return text or "（空）"


def file_format(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


# ================================================================ the log against the folder


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_log(folder: Path, log: Log, key: Callable[[str], str] = agency_key) -> None:
    """Every row's file where the log says and as it was received; one file per version of an agency."""
    by_version: dict[tuple[str, int], Receipt] = {}
    by_path: dict[str, Receipt] = {}
    for r in log.receipts:
        first = by_version.setdefault((key(r.agency), r.version), r)
        if first.stored != r.stored or first.sha256 != r.sha256:
            raise _row_error(log, r, VERSION, f"与第{first.row + 1}行同为“{r.agency}”的 v{r.version}，登记的却是另一个文件。"
                             "一个版本只能对应一个文件，请改正版本号（或删除多出的行）")
        other = by_path.setdefault(r.stored, r)
        if (key(other.agency), other.version) != (key(r.agency), r.version):
            raise _row_error(log, r, STORED, f"与第{other.row + 1}行登记的是同一个文件“{r.stored}”，单位或版本却不同。"
                             "请改正存放位置或版本号")
    for stored, r in by_path.items():
        path = Path(folder) / stored
        if not path.is_file():
            raise _row_error(log, r, STORED, f"登记的文件“{stored}”不存在（被移动、改名或删除了？）。"
                             "请把文件放回原处；如确实作废，请删除登记这个文件的所有行")
        if sha256_of(path) != r.sha256:
            raise _row_error(log, r, SHA256, f"文件“{stored}”的内容与收件时不同（sha256 不符，可能被打开修改后保存过）。"
                             "请放回收到的原文件；如原文件已无法恢复，请把改过的文件移出文件夹，删除登记它的行，再重新收件")


def _row_error(log: Log, r: Receipt, column: str, message: str) -> InputError:
    return InputError(log.source, f"第{r.row + 1}行：{message}。", SheetCell(SHEET, r.row, log.columns.get(column, 0)))


def stored_files(folder: Path) -> Iterator[str]:
    """The report files of an intake folder (relative, posix): those beside the log (put there by
    hand) and the versions (`v1_…`) in its sub-folders; not the log nor the office's decisions kept
    beside it (`season`), nor what else a sub-folder holds (a city output folder put inside, a
    person's own papers)."""
    folder = Path(folder)
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith((".", "~$")) for part in rel.parts) or rel.as_posix() in (LOG_NAME, REVIEWS_FILE):
            continue  # temporary files of a write in progress, Office's lock files
        if len(rel.parts) > 1 and not VERSIONED.match(rel.name):
            continue
        if path.suffix.lower() in REPORT_SUFFIXES and path.is_file():
            yield rel.as_posix()


def unrecorded(folder: Path, log: Log) -> list[str]:
    """Files in the folder the log does not know (a run stopped between storing and logging, or a
    file put there by hand)."""
    known = {r.stored for r in log.receipts}
    return [rel for rel in stored_files(folder) if rel not in known]


def latest(log: Log, key: Callable[[str], str] = agency_key) -> dict[str, Receipt]:
    """Each agency's latest version, as first received (a later identical copy does not make it later)."""
    found: dict[str, Receipt] = {}
    for r in sorted(log.receipts, key=lambda r: (r.version, r.received, r.row)):
        k = key(r.agency)
        if k not in found or r.version > found[k].version:
            found[k] = r
    return found


@dataclass(frozen=True)
class IntakeFolder:
    """What `city` examines in an intake folder: the latest version of each agency, then the files
    the log does not know; `receipts` by file (relative, posix)."""

    paths: list[str]
    receipts: dict[str, Receipt]
    names: dict[str, str]  # path → its name inside the folder
    # stored file → when its agency's first version came: a correction the office asked for after
    # the deadline does not make an agency that sent its report in time late
    first: dict[str, datetime]


def intake_folder(folder: Path, roster: Roster | None = None) -> IntakeFolder | None:
    """None when `folder` has no receipt log (a folder of files as sent)."""
    folder = Path(folder)
    if not (folder / LOG_NAME).exists():
        return None
    key = key_of(roster)
    log = read_log(folder)
    check_log(folder, log, key)
    chosen = {r.stored: r for r in latest(log, key).values()}
    earliest: dict[str, datetime] = {}
    for r in log.receipts:
        earliest[key(r.agency)] = min(r.received, earliest.get(key(r.agency), r.received))
    rels = sorted(chosen) + unrecorded(folder, log)
    paths = [str(folder / rel) for rel in rels]
    first = {stored: earliest[key(r.agency)] for stored, r in chosen.items()}
    return IntakeFolder(paths, chosen, dict(zip(paths, rels, strict=True)), first)


# ================================================================ writing


def write_log(folder: Path, log: Log, new: list[Receipt]) -> Path:
    """`new` rows added to the log, atomically. A new log is a workbook a person can read and sort
    (header styled, filter, header frozen, widths); an existing one keeps everything a person did
    to it (order of rows and columns, own columns, comments, formatting, other sheets), the rows
    going under its own headers. Times are real Excel date-times."""
    from openpyxl import Workbook, load_workbook

    path = Path(folder) / LOG_NAME
    if log.source:
        try:
            wb = load_workbook(path)
        except Exception as err:  # calamine read it, openpyxl cannot: say so, never a traceback
            raise InputError(str(path), f"收件登记表可以读取，但无法写入新的收件记录（{type(err).__name__}）。"
                             "请用 Excel/WPS 打开后另存为 .xlsx 再试。") from err
        ws, columns, first = wb[SHEET], dict(log.columns), log.end + 1
        for name, width in COLUMNS:  # a column a person deleted comes back at the end, so nothing new is lost
            if name not in columns:
                columns[name] = max(columns.values(), default=-1) + 1
                _header_cell(ws, log.header + 1, columns[name] + 1, name, width)
    else:
        wb = Workbook()
        ws, columns, first = wb.active, {name: c for c, (name, _) in enumerate(COLUMNS)}, 2
        ws.title = SHEET
        for c, (name, width) in enumerate(COLUMNS, start=1):
            _header_cell(ws, 1, c, name, width)
        ws.freeze_panes = "A2"
    _rows(ws, first, columns, new)
    last = first + len(new) - 1
    if log.source and ws.auto_filter.ref:
        ws.auto_filter.ref = re.sub(r"\d+$", str(max(last, _last_row(ws.auto_filter.ref))), ws.auto_filter.ref)
    elif not log.source:
        ws.auto_filter.ref = f"A1:{_letter(len(COLUMNS) - 1)}{max(last, 2)}"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _header_cell(ws, row: int, col: int, name: str, width: float) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    cell = ws.cell(row, col, name)
    cell.font = Font(name="宋体", bold=True)
    cell.fill = PatternFill("solid", fgColor="DDEBF7")
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.column_dimensions[_letter(col - 1)].width = width


def _rows(ws, first: int, columns: dict[str, int], new: list[Receipt]) -> None:
    from openpyxl.styles import Font

    for r, receipt in enumerate(new, start=first):
        for (name, _), value in zip(COLUMNS, _values(receipt), strict=True):
            cell = ws.cell(r, columns[name] + 1, value)
            cell.font = Font(name="宋体")
            if isinstance(value, datetime):
                cell.number_format = TIME_FORMAT


def _last_row(ref: str) -> int:
    found = re.search(r"(\d+)$", ref)
    return int(found.group(1)) if found else 0


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col + 1)


def _values(r: Receipt) -> tuple[object, ...]:
    """In `COLUMNS` order."""
    return (r.agency, r.version, r.received, r.state or None, r.errors, r.warnings, r.original, r.format, r.stored,
            r.note or None, r.sha256)
