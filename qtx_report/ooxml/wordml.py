"""WordprocessingML as the readers meet it: paragraphs, tables and merged cells of a document body.

The only code that spells w: element names; it works on the lxml elements python-docx parsed.
"""

from __future__ import annotations

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


def table_grid(tbl) -> list[list[str]]:
    """A table as rows of grid cells: a merged cell's text at its top-left, "" where it spans."""
    rows: list[list[str]] = []
    for tr in tbl.findall(f"{W}tr"):
        before = tr.find(f"{W}trPr/{W}gridBefore")
        row = [""] * (int(before.get(f"{W}val", "0")) if before is not None else 0)
        for tc in tr.iter(f"{W}tc"):
            if tc.getparent() is not tr and tc.getparent().tag != f"{W}sdtContent":
                continue  # a cell of a nested table
            span_el = tc.find(f"{W}tcPr/{W}gridSpan")
            span = max(1, int(span_el.get(f"{W}val", "1"))) if span_el is not None else 1
            merge = tc.find(f"{W}tcPr/{W}vMerge")
            continued = merge is not None and merge.get(f"{W}val", "continue") == "continue"
            text = "" if continued else "\n".join(paragraph_text(p) for p in tc.findall(f"{W}p")).strip()
            row += [text] + [""] * (span - 1)
        rows.append(row)
    return rows


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
    text = xml.decode("utf-8")
    at = text.index(marker)
    start = max(text.rfind("<w:p>", 0, at), text.rfind("<w:p ", 0, at))
    end = text.index("</w:p>", at) + len("</w:p>")
    out.write(text[:start].encode("utf-8"))
    write_chunked(out, parts)
    out.write(text[end:].encode("utf-8"))
