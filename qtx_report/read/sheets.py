"""Workbooks as lists of sheets of cell values, read with python-calamine: the one opener."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from qtx_report.model.findings import InputError
from qtx_report.model.places import Place, SheetCell, TableCell, Worksheet, a1
from qtx_report.read.guard import guard_zip

MAX_CELLS = 2_000_000  # a sheet bigger than this is not a report
T = TypeVar("T")


@dataclass(frozen=True)
class Sheet:
    """Rows of cell values. A sheet of a workbook is named by its tab; a table of a Word document
    (`table` counted from 1) is a sheet too, so the label finder reads both the same way."""

    name: str
    rows: list[list[object]]
    table: int = 0

    def get(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""

    def place(self, row: int, col: int) -> Place:
        """Where a 0-based (row, col) of this sheet is, as its file names it."""
        if self.table:
            return TableCell(self.table, row + 1, col + 1)
        return SheetCell(self.name, row, col)


def open_workbook(path: Path, read: Callable[[Any], T]) -> T:
    """Open a workbook with calamine and hand it to `read`; a damaged or encrypted file, and any
    error calamine raises while `read` works, become one Chinese message naming the file."""
    from python_calamine import CalamineWorkbook

    guard_zip(path, "xl/workbook.xml", "Excel 工作簿（.xlsx）")
    try:
        return read(CalamineWorkbook.from_path(str(path)))
    except InputError:
        raise
    except Exception as err:  # calamine raises its own error types for damaged files
        raise InputError(str(path), f"工作簿已损坏或已加密，无法读取（{err}）。请用 Excel/WPS 重新保存为 .xlsx 后再试。") from err


def sheet_rows(path: Path, book: Any, name: str) -> list[list[object]]:
    """The cells of one sheet, refused when its used range is larger than any report."""
    sheet = book.get_sheet_by_name(name)
    end_row, end_col = sheet.end or (0, 0)
    if (end_row + 1) * (end_col + 1) > MAX_CELLS:
        raise InputError(str(path), f"工作表范围过大（到 {a1(end_row, end_col)}），请删除多余的行列后再试。",
                         Worksheet(name))
    return sheet.to_python(skip_empty_area=False)


def read_sheets(path: Path) -> list[Sheet]:
    return open_workbook(path, lambda book: [Sheet(name, sheet_rows(path, book, name)) for name in book.sheet_names])
