"""Reading a Word annual report back: ours, or anyone's written in the official layout.

The body becomes a `document.Body`: paragraphs in reading order (a Word heading style marks a
heading) and each table as a grid of cell texts, a merged cell's text at its top-left, as a workbook
pasted from Word holds it; `document` reads the report from there, naming each place as a table
cell (表3 第5行第2列).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Loaded
from qtx_report.model.places import TableCell
from qtx_report.ooxml import wordml
from qtx_report.read.document import Body, Paragraph, read_document
from qtx_report.read.guard import MB, guard_zip

_HEADING_STYLES = ("heading", "标题")

# Bounds of a document, far beyond any report and within what reads in a second or two:
# python-docx parses every XML part whole, taking up to 25 times its size in memory; a report's
# XML is 1–3 MB (ours at the text limits of write.context about 4 MB).
MAX_XML = 12 * MB
MAX_TABLES = 100  # a report has 3 to 8
MAX_PARAGRAPHS = 20_000  # outside tables; a report has a few hundred, ours at the text limits 6,000


def read_docx(path: Path | str) -> Loaded:
    path = Path(path)
    guard_zip(path, "word/document.xml", "Word 报告（.docx）")
    return read_document(path, read_body(path))


# ---------------------------------------------------------------- the document


def read_body(path: Path) -> Body:
    root, styles = _open(path)
    body = Body()
    for element in wordml.blocks(root):
        if element.tag == wordml.PARAGRAPH:
            style = wordml.style_name(element, styles).lower()
            body.paragraphs.append(Paragraph(wordml.paragraph_text(element), heading=style.startswith(_HEADING_STYLES)))
        else:
            body.add_table(_grid(path, element, len(body.tables) + 1))
        if len(body.paragraphs) - len(body.tables) > MAX_PARAGRAPHS:
            raise InputError(str(path), f"文档正文超过 {MAX_PARAGRAPHS} 段，远超年度报告的篇幅，已停止读取。请确认没有选错文件。")
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
