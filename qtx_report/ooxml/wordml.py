"""WordprocessingML as the readers meet it: paragraphs, tables and merged cells of a document body.

The only code that spells w: element names; it works on the lxml elements python-docx parsed.
"""

from __future__ import annotations

from collections.abc import Iterator

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
