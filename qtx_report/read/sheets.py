"""Workbooks as lists of sheets of cell values, read with python-calamine: the one opener.

calamine builds a sheet's whole grid, from A1 to its farthest cell, and copies a shared string into
every cell that refers to it, before Python sees a row; so each worksheet part is streamed first
(`ooxml.sheetml`) and a sheet no report, ledger or roster could be is refused before calamine reads
it. When calamine still refuses a file, the parts are searched for the cell it could not take, and
the clerk is told which cell and what to do, never calamine's English.
"""

from __future__ import annotations

import lzma
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from qtx_report.model.findings import InputError
from qtx_report.model.places import Place, SheetCell, TableCell, Worksheet
from qtx_report.ooxml.sheetml import (
    Fault,
    PartError,
    Reach,
    find_fault,
    reach,
    shared_lengths,
    shared_text,
    sheet_parts,
    undecodable_string,
)
from qtx_report.read.guard import MB, guard_zip

# The grid a sheet may span, A1 to its farthest cell. A 100,000-row request ledger with 19 columns
# spans 1.9 million cells and with 50 columns 5 million; a roster of a city's agencies or a report
# sheet, under 10,000. Beyond it a sheet is a stray cell far out (XFD1048576: 17 billion cells, which
# calamine would try to allocate); at the limit calamine and Python hold about 220 MB for it.
MAX_CELLS = 5_000_000
# The shared strings a sheet's cells may take, counted once for every cell that refers to one (as
# calamine copies them): an Excel-saved 100,000-row ledger with its requests written out takes about
# 70 MB; a 40 KB file whose 20 MB string forty cells share would take 800 MB.
MAX_SHARED_TEXT = 128 * MB
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, lzma.LZMAError)
_REDO = "请在 Excel/WPS 中打开该单元格重新输入后保存。"
_RESAVE = "请用 Excel/WPS 打开后另存为 .xlsx 再试。"
_FAULTS = {
    "encoding": "该单元格中有无法识别的字符（文件不是按 UTF-8 保存的），" + _REDO,
    "address": "工作表中有地址无效的单元格或行（“{value}”），文件可能被其他程序改坏，" + _RESAVE,
    "reference": "该单元格中有无法识别的字符引用“{value}”，" + _REDO,
    "type": "该单元格的类型“{value}”无法识别，" + _REDO,
    "boolean": "该单元格应为逻辑值（TRUE/FALSE），文件中却是“{value}”，" + _REDO,
    "shared": "该单元格引用的文字在文件中不存在（共享字符串“{value}”），" + _REDO,
    "error": "该单元格是无法识别的错误值“{value}”，" + _REDO,
    "number": "该单元格应为数字，文件中却是“{value}”，" + _REDO,
    "date": "该单元格的数值“{value}”超出了日期能表示的范围，" + _REDO,
}
_PART_ERRORS = {
    "markup": "该工作表的内容不完整或已损坏（有没有结束的标记），" + _RESAVE,
    "doctype": "该工作表含有 Excel 不会写入的内容（DOCTYPE 声明），可能被其他程序改坏，" + _RESAVE,
    "tags": "该工作表的行或单元格远多于年度报告、台账或名单，请确认没有选错文件，或删除多余的行后保存再试。",
}
T = TypeVar("T")


@dataclass(frozen=True)
class Sheet:
    """Rows of cell values. A sheet of a workbook is named by its tab; a table of a Word document
    (`table` counted from 1) is a sheet too, so the label finder reads both the same way. `errors`:
    the cells holding an Excel error value (#N/A …), which calamine gives as blank. `row_places`:
    where each row stands when the file names rows, not cells (a line of a text file)."""

    name: str
    rows: list[list[object]]
    table: int = 0
    errors: Mapping[tuple[int, int], str] = field(default_factory=dict)
    row_places: tuple[Place, ...] = ()

    def get(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""

    def place(self, row: int, col: int) -> Place:
        """Where a 0-based (row, col) of this sheet is, as its file names it."""
        if 0 <= row < len(self.row_places):
            return self.row_places[row]
        if self.table:
            return TableCell(self.table, row + 1, col + 1)
        return SheetCell(self.name, row, col)


@dataclass(frozen=True)
class Workbook:
    """An open workbook: calamine's reader, and the zip it reads, to look at a part before calamine does."""

    path: Path
    calamine: Any
    archive: zipfile.ZipFile
    parts: dict[str, frozenset[str]]

    @property
    def sheet_names(self) -> list[str]:
        return list(self.calamine.sheet_names)

    def members(self, name: str) -> frozenset[str]:
        """The parts calamine may read as sheet `name`; every part, when the workbook does not say."""
        return self.parts.get(name) or frozenset(self.archive.namelist())

    @cached_property
    def strings(self) -> list[int]:
        """A bound of each shared string's length in bytes."""
        return _unzipped(self.path, lambda: shared_lengths(self.archive))


def open_workbook(path: Path, read: Callable[[Workbook], T]) -> T:
    """Open a workbook with calamine and hand it to `read`; a damaged or encrypted file becomes one
    Chinese message naming the file (and, when it can be found, the cell at fault)."""
    from python_calamine import CalamineWorkbook

    guard_zip(path, "xl/workbook.xml", "Excel 工作簿（.xlsx）")
    with zipfile.ZipFile(path) as archive:
        parts = _unzipped(path, lambda: sheet_parts(archive))
        calamine = _calamine(lambda: CalamineWorkbook.from_path(str(path)), lambda: _unreadable_book(path, archive, parts))
        return read(Workbook(path, calamine, archive, parts))


def sheet_rows(path: Path, book: Workbook, name: str) -> list[list[object]]:
    """The cells of one sheet, refused when it reaches farther, or takes more text, than any report."""
    return _read_sheet(path, book, name)[0]


def read_sheets(path: Path) -> list[Sheet]:
    return open_workbook(path, lambda book: [_sheet(path, book, name) for name in book.sheet_names])


def _sheet(path: Path, book: Workbook, name: str) -> Sheet:
    rows, reached = _read_sheet(path, book, name)
    errors = {(r, c): value for r, c, value in reached.errors
              if r < len(rows) and c < len(rows[r]) and rows[r][c] == ""}
    return Sheet(name, rows, errors=errors)


def _read_sheet(path: Path, book: Workbook, name: str) -> tuple[list[list[object]], Reach]:
    members = book.members(name)
    reached = _unzipped(path, lambda: reach(book.archive, members, MAX_CELLS), name)
    _check_reach(path, name, reached)
    _check_shared_text(path, book, name, members)
    rows = _calamine(lambda: book.calamine.get_sheet_by_name(name).to_python(skip_empty_area=False),
                     lambda: _unreadable_sheet(path, book, name, members))
    return rows, reached


def _check_reach(path: Path, name: str, reached: Reach) -> None:
    if reached.cells > MAX_CELLS:
        row, col = max(reached.far_row, reached.far_col, key=lambda rc: (rc[0] + 1) * (rc[1] + 1))
        raise InputError(str(path), "该单元格远在表格之外，请删除该单元格（或整行整列）后保存再试。",
                         SheetCell(name, row, col))
    if reached.bad_date:
        raise _fault_error(path, name, Fault(*reached.bad_date[:2], "date", reached.bad_date[2]))


def _check_shared_text(path: Path, book: Workbook, name: str, members: frozenset[str]) -> None:
    """Counted only when the cells could take that much: the longest string for every 16 bytes of
    the parts (a cell referring to one takes at least that many)."""
    size = sum(entry.file_size for entry in book.archive.infolist() if entry.filename in members)
    if not book.strings or max(book.strings) * (size // 16) <= MAX_SHARED_TEXT:
        return
    taken = _unzipped(path, lambda: shared_text(book.archive, members, book.strings), name)
    if taken > MAX_SHARED_TEXT:
        raise InputError(str(path), f"该工作表的单元格引用的文字共约 {taken // MB} MB，远超年度报告、台账或名单的正常大小，"
                         "请确认没有选错文件，或删除多余的内容后保存再试。", Worksheet(name))


def _calamine(call: Callable[[], T], refused: Callable[[], InputError]) -> T:
    """`call` into calamine; whatever it raises about the file (its own errors, a Python error while
    a value is converted, a Rust panic, which pyo3 raises as a BaseException) becomes `refused()`."""
    try:
        return call()
    except Exception as err:
        raise refused() from err
    except BaseException as err:
        if type(err).__module__ != "pyo3_runtime":
            raise
        raise refused() from err


def _unzipped(path: Path, call: Callable[[], T], sheet: str = "") -> T:
    """`call`, which streams the workbook's parts: a part the zip cannot give, or one no spreadsheet
    program writes, refuses the file."""
    try:
        return call()
    except PartError as err:
        raise InputError(str(path), _PART_ERRORS[err.kind], Worksheet(sheet) if sheet else None) from err
    except _ZIP_ERRORS as err:
        raise InputError(str(path), "文件已损坏（压缩的内容无法解开），请用 Excel/WPS 重新保存后再试。") from err


def _unreadable_sheet(path: Path, book: Workbook, name: str, members: frozenset[str]) -> InputError:
    fault = _unzipped(path, lambda: find_fault(book.archive, members, len(book.strings)), name)
    if fault:
        return _fault_error(path, name, fault)
    return InputError(str(path), "该工作表已损坏，无法读取，" + _RESAVE, Worksheet(name))


def _unreadable_book(path: Path, archive: zipfile.ZipFile, parts: dict[str, frozenset[str]]) -> InputError:
    """The cell that shows a shared string whose bytes are not UTF-8, else the whole file."""
    found = _unzipped(path, lambda: _cell_of_bad_string(archive, parts))
    if found:
        return _fault_error(path, *found)
    return InputError(str(path), "工作簿已损坏或已加密，无法读取。请用 Excel/WPS 重新保存为 .xlsx 后再试。")


def _cell_of_bad_string(archive: zipfile.ZipFile, parts: dict[str, frozenset[str]]) -> tuple[str, Fault] | None:
    bad = undecodable_string(archive)
    strings = len(shared_lengths(archive))
    for name, members in parts.items() if bad is not None else ():
        fault = find_fault(archive, members, strings, bad)
        if fault:
            return name, fault
    return None


def _fault_error(path: Path, name: str, fault: Fault) -> InputError:
    place = SheetCell(name, fault.row, fault.col) if fault.row >= 0 else Worksheet(name)
    return InputError(str(path), _FAULTS[fault.kind].format(value=_shown(fault.value)), place)


def _shown(value: str) -> str:
    """A value as a message may quote it: printable, and short."""
    text = "".join(ch if ch.isprintable() else "?" for ch in value[:24])
    return text + ("…" if len(value) > 24 else "")
