"""SpreadsheetML as the city writes it: rows streamed into a worksheet part another library saved.

The only code that spells worksheet element names; stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import IO

from qtx_report.ooxml.zips import write_chunked, xml_text


@cache
def column_letter(index: int) -> str:
    """The letters of a 0-based column index: A … Z, AA …"""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def row_xml(r: int, values: Sequence[object], styles: dict[str, str]) -> str:
    """Row `r` (1-based) of numbers and inline strings; a blank value writes no cell at all, and a
    column with an entry in `styles` (letter → style index) carries that style."""
    out = [f'<row r="{r}">']
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        letter = column_letter(i)
        style = f' s="{styles[letter]}"' if letter in styles else ""
        if isinstance(value, int | float):
            out.append(f'<c r="{letter}{r}"{style}><v>{value!r}</v></c>')
        else:
            out.append(f'<c r="{letter}{r}"{style} t="inlineStr"><is><t xml:space="preserve">{xml_text(str(value))}'
                       "</t></is></c>")
    out.append("</row>")
    return "".join(out)


def append_rows(out: IO[bytes], xml: bytes, ref: str, rows: Iterable[Sequence[object]], after: int) -> None:
    """Worksheet part `xml` with `rows` added after its row `after`, styled as the cells of that row,
    and its dimension set to `ref`. The rows are written a batch at a time, never held whole."""
    text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', xml.decode("utf-8"), count=1)
    end = text.index("</sheetData>")
    styles = dict(re.findall(rf'<c r="([A-Z]+){after}"[^>]*?\ss="(\d+)"', text))
    out.write(text[:end].encode("utf-8"))
    write_chunked(out, (row_xml(r, values, styles) for r, values in enumerate(rows, start=after + 1)))
    out.write(text[end:].encode("utf-8"))
