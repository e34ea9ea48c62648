"""WordprocessingML as the readers meet it: paragraphs, tables and merged cells of a document body.

The only code that spells w: element names; it works on the lxml elements python-docx parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from qtx_report.ooxml.zips import write_chunked, xml_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PARAGRAPH, TABLE = f"{W}p", f"{W}tbl"


def blocks(parent) -> Iterator:
    """Paragraphs and tables in order, looking through content controls (w:sdt)."""
    for child in parent:
        if child.tag in (f"{W}p", f"{W}tbl"):
            yield child
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from blocks(content)


def style_name(p, styles: dict[str, str]) -> str:
    style = p.find(f"{W}pPr/{W}pStyle")
    return styles.get(style.get(f"{W}val"), "") if style is not None else ""


def paragraph_text(p) -> str:
    """Text of one paragraph: tabs as \\t, line breaks as \\n; deleted revisions left out."""
    parts: list[str] = []
    for node in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab" and node.getparent().tag == f"{W}r":
            parts.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr") and node.get(f"{W}type") in (None, "textWrapping"):
            parts.append("\n")
    return "".join(parts)


# Bounds of a table as read: Word itself makes at most 63 columns; the form's longest table has
# some 30 rows, so a thousand is far beyond any report and still a small grid (63,000 cells).
MAX_COLUMNS = 63
MAX_ROWS = 1_000
_HUGE = MAX_COLUMNS + 1  # what a number too long to convert counts as
_INTEGER = re.compile(r"\s*(?P<sign>[+-]?)(?P<digits>[0-9]+)\s*")


class TableTooLarge(ValueError):
    """A table beyond what Word makes: at `row` (from 1) it passed MAX_ROWS, or MAX_COLUMNS with
    the cell starting at grid `column` (from 1; 0 when the rows are too many)."""

    def __init__(self, row: int, column: int = 0) -> None:
        self.row, self.column = row, column
        super().__init__(f"row {row}, column {column}: over {MAX_COLUMNS} columns" if column
                         else f"more than {MAX_ROWS} rows")


def _number(element, path: str, default: int) -> int:
    """The w:val of the child at `path` as a whole number; its default when the child is absent or
    the value is not a number (Word would not have written it, so its meaning is unknown)."""
    child = element.find(path)
    found = _INTEGER.fullmatch(child.get(f"{W}val") or "") if child is not None else None
    if found is None:
        return default
    size = int(found["digits"]) if len(found["digits"]) < 6 else _HUGE  # never converts a thousand digits
    return -size if found["sign"] == "-" else size


def _continues_merge(tc) -> bool:
    """A cell that continues a vertical merge: w:vMerge present and not restarting (absent, or a
    value other than restart/continue, reads as continue, its default)."""
    merge = tc.find(f"{W}tcPr/{W}vMerge")
    return merge is not None and merge.get(f"{W}val") != "restart"


def table_grid(tbl) -> list[list[str]]:
    """A table as rows of grid cells: a merged cell's text at its top-left, "" where it spans.
    Raises TableTooLarge beyond MAX_ROWS or MAX_COLUMNS, before the row is built."""
    rows: list[list[str]] = []
    for number, tr in enumerate(tbl.iterchildren(f"{W}tr"), start=1):
        if number > MAX_ROWS:
            raise TableTooLarge(number)
        rows.append(_grid_row(tr, number))
    return rows


def _grid_row(tr, number: int) -> list[str]:
    before = max(0, _number(tr, f"{W}trPr/{W}gridBefore", 0))  # grid columns left empty
    if before > MAX_COLUMNS:
        raise TableTooLarge(number, 1)
    row = [""] * before
    for tc in tr.iter(f"{W}tc"):
        if tc.getparent() is not tr and tc.getparent().tag != f"{W}sdtContent":
            continue  # a cell of a nested table
        span = max(1, _number(tc, f"{W}tcPr/{W}gridSpan", 1))
        if len(row) + span > MAX_COLUMNS:
            raise TableTooLarge(number, len(row) + 1)
        text = "" if _continues_merge(tc) else "\n".join(paragraph_text(p) for p in tc.findall(f"{W}p")).strip()
        row += [text] + [""] * (span - 1)
    return row


# ---------------------------------------------------------------- writing


def clear_first_line_indent(p) -> None:
    """No first-line indent on a python-docx paragraph element, whatever its style says: styles
    that indent by w:firstLineChars win over w:firstLine, so both are set."""
    indent = p.get_or_add_pPr().get_or_add_ind()
    indent.set(f"{W}firstLineChars", "0")
    indent.set(f"{W}firstLine", "0")


def table(widths: Sequence[int], rows: Iterable[str]) -> Iterator[str]:
    """A table of `rows` (from `table_row`) as the report template's tables are: single borders,
    centred, fixed layout, column `widths` in twentieths of a point."""
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    yield (f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
           f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
           '<w:tblCellMar><w:left w:w="40" w:type="dxa"/><w:right w:w="40" w:type="dxa"/></w:tblCellMar>'
           "</w:tblPr><w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>")
    yield from rows
    yield "</w:tbl>"


def table_row(texts: Sequence[str], styles: Sequence[str], header: bool = False) -> str:
    """One row that never splits across pages: each text in one paragraph of its paragraph style,
    vertically centred. A header row is bold and repeats at the top of every page."""
    props = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    bold = "<w:rPr><w:b/></w:rPr>" if header else ""
    out = [f"<w:tr>{props}"]
    for text, style in zip(texts, styles, strict=True):
        run = f'<w:r>{bold}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>' if text else ""
        out.append(f'<w:tc><w:tcPr><w:vAlign w:val="center"/></w:tcPr>'
                   f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{run}</w:p></w:tc>')
    out.append("</w:tr>")
    return "".join(out)


def replace_paragraph(out: IO[bytes], xml: bytes, marker: str, parts: Iterable[str]) -> None:
    """Document part `xml` with the paragraph holding the text `marker` replaced by `parts`, which
    are written a batch at a time: a table of thousands of rows as one tree would take a hundred MB."""
    replace_paragraphs(out, xml, [(marker, parts)])


def replace_paragraphs(out: IO[bytes], xml: bytes, replacements: Sequence[tuple[str, Iterable[str]]]) -> None:
    """`replace_paragraph` for several markers, in the order they stand in the document."""
    text = xml.decode("utf-8")
    done = 0
    for marker, parts in sorted(replacements, key=lambda r: text.index(r[0])):
        at = text.index(marker)
        start = max(text.rfind("<w:p>", 0, at), text.rfind("<w:p ", 0, at))
        out.write(text[done:start].encode("utf-8"))
        write_chunked(out, parts)
        done = text.index("</w:p>", at) + len("</w:p>")
    out.write(text[done:].encode("utf-8"))
