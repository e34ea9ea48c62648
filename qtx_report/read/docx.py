"""Reading a Word annual report back: ours, or anyone's written in the official layout.

Each table becomes a sheet of cell texts (a merged cell's text in its top-left position, as a
workbook pasted from Word holds it), so `tables` finds them by their labels exactly as it does in a
workbook, and names each place as a table cell (表3 第5行第2列). Text sections are the paragraphs
under their headings; agency and year come from the title “{单位}{年度}年政府信息公开工作年度报告”.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from qtx_report.form.editions import SECTIONS, TEXT_SECTIONS
from qtx_report.model import labels
from qtx_report.model.dates import DateError, parse_date
from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Loaded
from qtx_report.model.places import TableCell
from qtx_report.model.report import Report
from qtx_report.model.text import canonical_text
from qtx_report.ooxml import wordml
from qtx_report.read.guard import guard_zip
from qtx_report.read.sheets import Sheet
from qtx_report.read.tables import read_tables

_TITLE = re.compile(r"^(?P<agency>.+?)(?P<year>\d{4})\s*年度?政府信息公开工作年度报告$")
_CONTACT_PERSON = re.compile(r"联系人[:：]\s*(?P<value>[^，,；;）)]*)")
_CONTACT_PHONE = re.compile(r"(?:联系)?电话[:：]\s*(?P<value>[^，,；;）)。]*)")
_HEADING_STYLES = ("heading", "标题")

# Bounds of a document, far beyond any report and within what reads in a second or two:
MB = 1024 * 1024
# python-docx parses every XML part whole, taking up to 25 times its size in memory; a report's
# XML is 1–3 MB (ours at the text limits of write.context about 4 MB).
MAX_XML = 12 * MB
MAX_TABLES = 100  # a report has 3 to 8
MAX_PARAGRAPHS = 20_000  # outside tables; a report has a few hundred, ours at the text limits 6,000


@dataclass
class Body:
    """The document in reading order: paragraphs (text, style name) and tables as grids."""

    paragraphs: list[tuple[str, str]] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)


def read_docx(path: Path | str) -> Loaded:
    path = Path(path)
    guard_zip(path, "word/document.xml", "Word 报告（.docx）")
    body = read_body(path)
    sheets = [Sheet(f"表{n}", [[_typed(text) for text in row] for row in grid], table=n)
              for n, grid in enumerate(body.tables, start=1)]
    agency, year = _title(path, body)
    texts, closing = _sections(body, agency)
    meta = _front_matter(body) | closing
    tables = read_tables(path, sheets)
    try:
        report = Report(agency=agency, year=year, edition=tables.edition, **meta, **texts, **tables.grids)
    except ValueError as err:
        raise InputError(str(path), f"报告内容无法读取：{err}") from err
    return Loaded(str(path), report, tables.locations, tables.findings, tables.computed)



# ---------------------------------------------------------------- the document


def read_body(path: Path) -> Body:
    root, styles = _open(path)
    body = Body()
    for element in wordml.blocks(root):
        if element.tag == wordml.PARAGRAPH:
            body.paragraphs.append((wordml.paragraph_text(element), wordml.style_name(element, styles)))
        else:
            body.tables.append(_grid(path, element, len(body.tables) + 1))
            body.paragraphs.append(("", "\x00table"))  # keeps tables in reading order among paragraphs
        if len(body.paragraphs) - len(body.tables) > MAX_PARAGRAPHS:
            raise InputError(str(path), f"文档正文超过 {MAX_PARAGRAPHS} 段，远超年度报告的篇幅，已停止读取。请确认没有选错文件。")
    if not body.tables:
        raise InputError(str(path), "文档中没有表格，不是年度报告（第二、三、四部分应为表格）。请确认没有选错文件；"
                         "表格是图片或放在文本框中时无法读取，请改为 Word 表格。")
    return body


def _open(path: Path):
    """The document's body element and its style names (id → name); a package python-docx cannot
    open, or one whose XML is larger than any report's, is refused with a message."""
    from docx import Document

    with zipfile.ZipFile(path) as archive:
        xml = sum(m.file_size for m in archive.infolist() if m.filename.endswith((".xml", ".rels")))
    if xml > MAX_XML:
        raise InputError(str(path), f"文档的 XML 内容约 {xml // MB} MB，超过年度报告的正常大小（{MAX_XML // MB} MB），"
                         "已停止读取。请确认没有选错文件；如确为报告，请删除多余的内容后重新保存。")
    try:
        document = Document(str(path))
        styles = {s.style_id: s.name or "" for s in document.styles}
        root = document.element.body
    except Exception as err:  # python-docx raises several types for damaged packages
        raise InputError(str(path), f"Word 文件已损坏，无法读取（{str(err) or type(err).__name__}）。"
                         "请用 Word/WPS 重新保存为 .docx 后再试。") from err
    if root is None:
        raise InputError(str(path), "Word 文件中没有正文（word/document.xml 缺少 w:body）。请用 Word/WPS 重新保存为 .docx 后再试。")
    return root, styles


def _grid(path: Path, tbl, number: int) -> list[list[str]]:
    if number > MAX_TABLES:
        raise InputError(str(path), f"文档中的表格超过 {MAX_TABLES} 个，远超年度报告，已停止读取。请确认没有选错文件。")
    try:
        return wordml.table_grid(tbl)
    except wordml.TableTooLarge as err:
        if err.column:
            raise InputError(str(path), f"表格的这一行超过 Word 允许的 {wordml.MAX_COLUMNS} 列（单元格的合并跨度或行首空列数异常），"
                             "文件可能已损坏。请用 Word/WPS 重新保存后再试。", TableCell(number, err.row, err.column)) from err
        raise InputError(str(path), f"表格超过 {wordml.MAX_ROWS} 行，远超年度报告的表格，已停止读取。请确认没有选错文件。",
                         TableCell(number, err.row, 1)) from err


_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# As many digits as a number cell of a workbook holds (Excel's precision): longer ones stay text,
# for the workbook reader to judge, instead of an integer no float can hold.
_DIGITS = 15


def _typed(text: str) -> object:
    """Every Word cell is text; a plainly written number is what a number cell of a workbook
    holds, so the workbook reader takes it silently and only notes unusual writing (12件, —, １２)."""
    if not _PLAIN_NUMBER.match(text) or sum(c.isdigit() for c in text) > _DIGITS:
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
    text = "\n".join(t for t, _ in body.paragraphs[:first])
    meta: dict[str, object] = {}
    for name, pattern in (("contact_person", _CONTACT_PERSON), ("contact_phone", _CONTACT_PHONE)):
        found = pattern.search(text)
        if found:
            meta[name] = found["value"].strip()
    return meta
