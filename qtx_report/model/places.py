"""Where in a file a finding points: typed places, rendered to text only when output is written.

A reader makes the place its format has (a workbook cell, a row of a sheet, a cell of a Word
table, a line of a page); code that needs the row or the sheet reads the field, never a string.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar


@lru_cache(maxsize=4096)
def a1(row: int, column: int) -> str:
    """Excel's name of a 0-based (row, column): a1(0, 0) == "A1"."""
    letters = ""
    column += 1
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


@dataclass(frozen=True, slots=True)
class Worksheet:
    """A whole worksheet."""

    sheet: str

    @property
    def cell(self) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class SheetCell:
    """A cell of a worksheet; row and column 0-based."""

    sheet: str
    row: int
    column: int

    @property
    def cell(self) -> str:
        return a1(self.row, self.column)


@dataclass(frozen=True, slots=True)
class SheetRow:
    """A whole row of a worksheet; row 0-based."""

    sheet: str
    row: int

    @property
    def cell(self) -> str:
        return f"第{self.row + 1}行"


@dataclass(frozen=True, slots=True)
class TableCell:
    """A cell of the n-th table of a document, counted from 1 as a reader counts them; the column
    is the grid column, so a merged cell is named by where it starts."""

    table: int
    row: int
    column: int

    sheet: ClassVar[str] = ""  # a place outside any worksheet

    @property
    def cell(self) -> str:
        return f"表{self.table} 第{self.row}行第{self.column}列"


@dataclass(frozen=True, slots=True)
class PageLine:
    """A line of a page of a printed document, both counted from 1."""

    page: int
    line: int

    sheet: ClassVar[str] = ""  # a place outside any worksheet

    @property
    def cell(self) -> str:
        return f"第{self.page}页第{self.line}行"


@dataclass(frozen=True, slots=True)
class TextLine:
    """A line of a plain-text file, counted from 1."""

    line: int

    sheet: ClassVar[str] = ""  # a place outside any worksheet

    @property
    def cell(self) -> str:
        return f"第{self.line}行"


Place = Worksheet | SheetCell | SheetRow | TableCell | PageLine | TextLine
