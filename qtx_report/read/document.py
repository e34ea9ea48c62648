"""A published report as a document: paragraphs in reading order with the tables among them.

The format readers (Word, and the web page, PDF and text readers) each turn their file into a
`Body`; everything after that is shared: the title gives agency and year, the section headings cut
the text into its sections, the closing lines give the date, and the tables are read by their labels
through `tables`, exactly as in a workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from qtx_report.form.editions import SECTIONS, TEXT_SECTIONS, parse_title
from qtx_report.model import labels
from qtx_report.model.dates import DateError, parse_date
from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Heading, Loaded
from qtx_report.model.places import Place
from qtx_report.model.report import Report
from qtx_report.model.text import canonical_text
from qtx_report.read.sheets import Sheet
from qtx_report.read.tables import read_tables

_CONTACT_PERSON = re.compile(r"联系人[:：]\s*(?P<value>[^，,；;）)]*)")
_CONTACT_PHONE = re.compile(r"(?:联系)?电话[:：]\s*(?P<value>[^，,；;）)。]*)")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph in reading order, or (`table` > 0) the place where the n-th table stands."""

    text: str
    heading: bool = False  # marked as a heading by its format (a Word heading style, <h2>, …)
    place: Place | None = None
    table: int = 0


@dataclass
class Body:
    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[Sheet] = field(default_factory=list)

    def add_table(self, rows: list[list[str]], place_of_table: int | None = None,
                  row_places: tuple[Place, ...] = ()) -> None:
        """A table of cell texts, numbered in reading order (表1, 表2, …); `row_places` name its rows
        where the format names rows, not cells (a line of a text file)."""
        number = place_of_table or len(self.tables) + 1
        self.tables.append(Sheet(f"表{number}", [[typed_cell(text) for text in row] for row in rows], table=number,
                                 row_places=row_places))
        self.paragraphs.append(Paragraph("", table=number))


def read_document(path: Path, body: Body) -> Loaded:
    """The report a document holds; refused when it has no tables (then it is no annual report)."""
    if not body.tables:
        raise InputError(str(path), "文档中没有表格，不是年度报告（第二、三、四部分应为表格）。请确认没有选错文件；"
                         "表格是图片或放在文本框中时无法读取，请改为表格。")
    agency, year = _title(path, body)
    headings = _headings(body)
    texts, closing = _sections(body, agency)
    meta = _front_matter(body) | closing
    tables = read_tables(path, body.tables)
    try:
        report = Report(agency=agency, year=year, edition=tables.edition, **meta, **texts, **tables.grids)
    except ValueError as err:
        raise InputError(str(path), f"报告内容无法读取：{err}") from err
    return Loaded(str(path), report, tables.locations, tables.findings, tables.computed,
                  outline=_outline(body, headings))


_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# As many digits as a number cell of a workbook holds (Excel's precision): longer ones stay text,
# for the workbook reader to judge, instead of an integer no float can hold.
_DIGITS = 15


def typed_cell(text: str) -> object:
    """Every Word cell is text; a plainly written number is what a number cell of a workbook
    holds, so the workbook reader takes it silently and only notes unusual writing (12件, —, １２)."""
    if not text or not _PLAIN_NUMBER.match(text) or sum(c.isdigit() for c in text) > _DIGITS:
        return text
    return int(text) if "." not in text else float(text)


# ---------------------------------------------------------------- title, meta, text


def _title(path: Path, body: Body) -> tuple[str, int]:
    texts = [p.text for p in body.paragraphs[:12] if p.text.strip()]
    candidates = texts + ["".join(texts[i:i + n]) for n in (2, 3) for i in range(len(texts))] + [path.stem]
    for text in candidates:
        found = parse_title(text)
        if found and found[0]:  # a title without the agency is joined to the line before it
            return found
    raise InputError(str(path), "找不到报告标题（“单位名称+年度+年政府信息公开工作年度报告”），无法确定单位和年度。"
                     "请在文档开头写明标题，如“青铜峡市自然资源局2025年政府信息公开工作年度报告”。")


def _headings(body: Body) -> dict[int, str]:
    """Paragraph index → section key, for the paragraphs that are section headings."""
    found: dict[str, list[int]] = {}
    keys = {labels.key(s.title): s.key for s in SECTIONS}
    for i, paragraph in enumerate(body.paragraphs):
        key = keys.get(labels.key(paragraph.text)) if len(paragraph.text) < 40 else None
        if key:
            found.setdefault(key, []).append(i)
    chosen: dict[int, str] = {}
    for key, places in found.items():
        styled = [i for i in places if body.paragraphs[i].heading]
        chosen[(styled or places)[0]] = key
    return chosen


_ORDINAL = re.compile(r"^\s*(第[一二三四五六七八九十]+部分[、.．:：]?|[（(]?[一二三四五六七八九十0-9]+[)）]?[、.．]?)")


def _outline(body: Body, headings: dict[int, str]) -> tuple[Heading, ...]:
    """The section headings as printed, in document order, ordinal apart, for S204 to judge."""
    found = []
    for i in sorted(headings):
        text = body.paragraphs[i].text.strip()
        number = match.group(1) if (match := _ORDINAL.match(text)) else ""
        found.append(Heading(number.strip(), text[len(number):].strip(), headings[i], body.paragraphs[i].place))
    return tuple(found)


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
        lines = [p.text for p in body.paragraphs[start + 1:end] if not p.table]
        if n + 1 == len(starts):
            lines, closing = _closing(lines, agency)
        texts[key] = canonical_text("\n".join(lines))
    return texts, closing


def _closing(lines: list[str], agency: str) -> tuple[list[str], dict[str, object]]:
    """Split the signature off the end of the last section: a date line (成文日期), and the
    agency name just above it. Without a date at the end there is no signature."""
    lines = _trim(lines)
    try:
        signed = parse_date(lines[-1]) if lines else None
    except DateError:
        signed = None
    if signed is None:
        return lines, {}
    lines = _trim(lines[:-1])
    if lines and labels.key(lines[-1]) == labels.key(agency):
        lines = _trim(lines[:-1])
    return lines, {"report_date": signed}


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _front_matter(body: Body) -> dict[str, object]:
    """Contact person and phone from the opening paragraphs (before the first heading)."""
    first = min(_headings(body), default=len(body.paragraphs))
    text = "\n".join(p.text for p in body.paragraphs[:first])
    meta: dict[str, object] = {}
    for name, pattern in (("contact_person", _CONTACT_PERSON), ("contact_phone", _CONTACT_PHONE)):
        found = pattern.search(text)
        if found:
            meta[name] = found["value"].strip()
    return meta
