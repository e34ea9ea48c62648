"""Reading a Word annual report back: ours, or anyone's written in the official layout.

Each table becomes a grid of cell texts (a merged cell's text in its top-left position, as a
workbook pasted from Word holds it), so the workbook reader in `load.py` finds the tables by their
labels exactly as it does in a workbook. Text sections are the paragraphs under their headings;
agency and year come from the title “{单位}{年度}年政府信息公开工作年度报告”.
Locations read “表3 第5行第2列”: the third table, fifth row, second grid column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qtx_report.model import labels

from qtx_report.read import xlsx as load
from qtx_report.model.findings import Finding, InputError
from qtx_report.form.editions import SECTIONS, TEXT_SECTIONS
from qtx_report.model.text import canonical_text
from qtx_report.read.xlsx import Loaded
from qtx_report.model.report import Report

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TITLE = re.compile(r"^(?P<agency>.+?)(?P<year>\d{4})\s*年度?政府信息公开工作年度报告$")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CONTACT_PERSON = re.compile(r"联系人[:：]\s*(?P<value>[^，,；;）)]*)")
_CONTACT_PHONE = re.compile(r"(?:联系)?电话[:：]\s*(?P<value>[^，,；;）)。]*)")
_HEADING_STYLES = ("heading", "标题")


@dataclass
class Body:
    """The document in reading order: paragraphs (text, style name) and tables as grids."""

    paragraphs: list[tuple[str, str]] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)


def read_docx(path: Path | str) -> Loaded:
    path = Path(path)
    load.guard_zip(path, "word/document.xml", "Word 报告（.docx）")
    body = read_body(path)
    sheets = [load.Sheet(f"表{n}", [[_typed(text) for text in row] for row in grid])
              for n, grid in enumerate(body.tables, start=1)]
    agency, year = _title(path, body)
    texts, closing = _sections(body, agency)
    meta = _front_matter(body) | closing
    tables = load.read_tables(path, sheets)
    try:
        report = Report(agency=agency, year=year, edition=tables.edition, **meta, **texts, **tables.grids)
    except ValueError as err:
        raise InputError(str(path), f"报告内容无法读取：{err}") from err
    locations = {key: load.CellRef("", _place(ref.sheet, ref.cell)) for key, ref in tables.locations.items()}
    findings = tuple(_relocated(f) for f in tables.findings)
    return Loaded(str(path), report, locations, findings, tables.computed)



# ---------------------------------------------------------------- the document


def read_body(path: Path) -> Body:
    from docx import Document

    try:
        document = Document(str(path))
    except Exception as err:  # python-docx raises several types for damaged packages
        raise InputError(str(path), f"Word 文件已损坏，无法读取（{err}）。请用 Word/WPS 重新保存为 .docx 后再试。") from err
    styles = {s.style_id: s.name or "" for s in document.styles}
    body = Body()
    for element in _blocks(document.element.body):
        if element.tag == f"{_W}p":
            body.paragraphs.append((paragraph_text(element), _style_name(element, styles)))
        else:
            body.tables.append(table_grid(element))
            body.paragraphs.append(("", "\x00table"))  # keeps tables in reading order among paragraphs
    return body


def _blocks(parent) -> Iterator:
    """Paragraphs and tables in order, looking through content controls (w:sdt)."""
    for child in parent:
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content)


def _style_name(p, styles: dict[str, str]) -> str:
    style = p.find(f"{_W}pPr/{_W}pStyle")
    return styles.get(style.get(f"{_W}val"), "") if style is not None else ""


def paragraph_text(p) -> str:
    """Text of one paragraph: tabs as \\t, line breaks as \\n; deleted revisions left out."""
    parts: list[str] = []
    for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab" and node.getparent().tag == f"{_W}r":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr") and node.get(f"{_W}type") in (None, "textWrapping"):
            parts.append("\n")
    return "".join(parts)


def table_grid(tbl) -> list[list[str]]:
    """A table as rows of grid cells: a merged cell's text at its top-left, "" where it spans."""
    rows: list[list[str]] = []
    for tr in tbl.findall(f"{_W}tr"):
        before = tr.find(f"{_W}trPr/{_W}gridBefore")
        row = [""] * (int(before.get(f"{_W}val", "0")) if before is not None else 0)
        for tc in tr.iter(f"{_W}tc"):
            if tc.getparent() is not tr and tc.getparent().tag != f"{_W}sdtContent":
                continue  # a cell of a nested table
            span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
            span = max(1, int(span_el.get(f"{_W}val", "1"))) if span_el is not None else 1
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            continued = merge is not None and merge.get(f"{_W}val", "continue") == "continue"
            text = "" if continued else "\n".join(paragraph_text(p) for p in tc.findall(f"{_W}p")).strip()
            row += [text] + [""] * (span - 1)
        rows.append(row)
    return rows


_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _typed(text: str) -> object:
    """Every Word cell is text; a plainly written number is what a number cell of a workbook
    holds, so the workbook reader takes it silently and only notes unusual writing (12件, —, １２)."""
    if not _PLAIN_NUMBER.match(text):
        return text
    return int(text) if "." not in text else float(text)


# ---------------------------------------------------------------- title, meta, text


def _title(path: Path, body: Body) -> tuple[str, int]:
    texts = [t for t, _ in body.paragraphs[:12] if t.strip()]
    candidates = texts + ["".join(texts[i:i + n]) for n in (2, 3) for i in range(len(texts))] + [path.stem]
    for text in candidates:
        found = _TITLE.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))
        if found and 2008 <= int(found["year"]) <= 2100:
            return found["agency"], int(found["year"])
    raise InputError(str(path), "找不到报告标题（“单位名称+年度+年政府信息公开工作年度报告”），无法确定单位和年度。"
                     "请在文档开头写明标题，如“青铜峡市自然资源局2025年政府信息公开工作年度报告”。")


def _headings(body: Body) -> dict[int, str]:
    """Paragraph index → section key, for the paragraphs that are section headings."""
    found: dict[str, list[int]] = {}
    keys = {labels.key(s.title): s.key for s in SECTIONS}
    for i, (text, _style) in enumerate(body.paragraphs):
        key = keys.get(labels.key(text)) if len(text) < 40 else None
        if key:
            found.setdefault(key, []).append(i)
    chosen: dict[int, str] = {}
    for key, places in found.items():
        styled = [i for i in places if body.paragraphs[i][1].lower().startswith(_HEADING_STYLES)]
        chosen[(styled or places)[0]] = key
    return chosen


def _sections(body: Body, agency: str) -> tuple[dict[str, str], dict[str, object]]:
    """Text of sections 一/五/六 (paragraphs up to the next heading), and the closing date."""
    headings = _headings(body)
    starts = sorted(headings)
    texts: dict[str, str] = {}
    closing: dict[str, object] = {}
    for n, start in enumerate(starts):
        key = headings[start]
        if key not in {s.key for s in TEXT_SECTIONS}:
            continue
        end = starts[n + 1] if n + 1 < len(starts) else len(body.paragraphs)
        lines = [t for t, style in body.paragraphs[start + 1:end] if style != "\x00table"]
        if n + 1 == len(starts):
            lines, closing = _closing(lines, agency)
        texts[key] = canonical_text("\n".join(lines))
    return texts, closing


def _closing(lines: list[str], agency: str) -> tuple[list[str], dict[str, object]]:
    """Split the signature off the end of the last section: a date line (成文日期), and the
    agency name just above it. Without a date at the end there is no signature."""
    lines = _trim(lines)
    found = _DATE.match(lines[-1].strip()) if lines else None
    if not found:
        return lines, {}
    lines = _trim(lines[:-1])
    if lines and labels.key(lines[-1]) == labels.key(agency):
        lines = _trim(lines[:-1])
    try:
        return lines, {"report_date": date(*map(int, found.groups()))}
    except ValueError:
        return lines, {}


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _front_matter(body: Body) -> dict[str, object]:
    """Contact person and phone from the opening paragraphs (before the first heading)."""
    first = min(_headings(body), default=len(body.paragraphs))
    text = "\n".join(t for t, _ in body.paragraphs[:first])
    meta: dict[str, object] = {}
    for name, pattern in (("contact_person", _CONTACT_PERSON), ("contact_phone", _CONTACT_PHONE)):
        found = pattern.search(text)
        if found:
            meta[name] = found["value"].strip()
    return meta


# ---------------------------------------------------------------- locations


def _place(sheet: str, a1: str) -> str:
    """load.py names cells A1-style in a sheet; a Word table is read “表3 第5行第2列”."""
    found = re.fullmatch(r"([A-Z]+)(\d+)", a1 or "")
    if not sheet or not found:
        return " ".join(p for p in (sheet, a1) if p)
    col = 0
    for letter in found[1]:
        col = col * 26 + ord(letter) - 64
    return f"{sheet} 第{found[2]}行第{col}列"


def _relocated(finding: Finding) -> Finding:
    from dataclasses import replace

    if not finding.sheet:
        return finding
    return replace(finding, sheet="", cell=_place(finding.sheet, finding.cell))

