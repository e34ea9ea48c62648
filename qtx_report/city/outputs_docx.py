"""全市汇总报告.docx: the city report's draft (the summed tables and the draft text, rendered as
any report), with the status of every agency (附件1, streamed as one table) and the charts (附件2).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from itertools import chain
from pathlib import Path
from typing import IO

from qtx_report.city.draft import NEUTRAL_CONTACT, Office
from qtx_report.city.roster import CITY, short_name
from qtx_report.city.status import STATES, Compiled, StatusRow
from qtx_report.model.numbers import format_number
from qtx_report.ooxml import wordml
from qtx_report.ooxml.zips import repack
from qtx_report.write.files import atomic_path

ANNEX_COLUMNS = (("序号", 10.0), ("单位名称", 42.0), ("分组", 18.0), ("状态", 18.0), ("成文日期", 22.0),
                 ("按时报送", 18.0), ("错误", 11.0), ("新收申请", 17.0))
# The template's paragraph styles for table cells; the name column is left-aligned like the form's labels.
ANNEX_HEADER_STYLES = ("TableText",) * len(ANNEX_COLUMNS)
ANNEX_STYLES = tuple("TableLabel" if i == 1 else "TableText" for i in range(len(ANNEX_COLUMNS)))
ANNEX_MARKER = "QTX-ANNEX-TABLE"  # a paragraph replaced by the streamed status table
# How the draft was made is told here, in the status annex, never in the report's body.
ANNEX_NOTE = ("说明：本汇总报告草稿由 qtx-report 根据各单位报送的年度报告自动汇总生成，正文中的数字为下表中"
              "计入汇总的报告之和；正文“五、存在的主要问题及改进情况”只列出了报送中发现的问题，请结合各单位报告"
              "归纳补充后再发布。")
NO_OFFICE_NOTE = (f"正文开头的联系机关暂写作“{NEUTRAL_CONTACT}”，发布前请改为实际的机关名称、地址和联系电话"
                  "（汇总时可用 --office、--office-address、--office-phone 给出）。")


def write_docx(path: Path, c: Compiled, charts: list[tuple[str, bytes]], office: Office | None = None) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from qtx_report.write.report import render_docx

    draft = any(f.severity == "error" for f in c.sum_findings)
    office = office or Office()
    doc = Document(io.BytesIO(render_docx(c.total, draft=draft, overrides=office.contact())))
    annex_heading(doc, "附件1：各单位报送情况")
    doc.add_paragraph(ANNEX_NOTE if office.name else f"{ANNEX_NOTE}{NO_OFFICE_NOTE}")
    doc.add_paragraph(ANNEX_MARKER)
    annex_heading(doc, "附件2：统计图表")
    for _, png in charts:
        picture = doc.add_paragraph()
        wordml.clear_first_line_indent(picture._p)
        # Normal has an exact 28 pt line pitch, which would crop a picture to one line.
        picture.paragraph_format.line_spacing, picture.paragraph_format.space_after = 1.0, Mm(4)
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(png), width=Mm(150))
    props = doc.core_properties
    props.title = f"{CITY}{c.year}年政府信息公开工作年度报告（汇总草稿）"
    props.author, props.comments = office.name, ""  # the office's document, not the template's
    props.created = props.modified = datetime(*c.stamp[:6])  # type: ignore[misc]
    buffer = io.BytesIO()
    doc.save(buffer)
    rows = (annex_row(i, r) for i, r in enumerate(c.rows, start=1))
    with atomic_path(path) as tmp:
        repack(buffer.getvalue(), tmp, c.stamp, {"word/document.xml": partial(write_annex, rows=rows)})


def annex_heading(doc, text: str) -> None:
    """附件 N on a new page, flush left (GB/T 9704: 附件 marker at the top left, 黑体)."""
    heading = doc.add_paragraph(text, style="Heading 1")
    heading.paragraph_format.page_break_before = True
    wordml.clear_first_line_indent(heading._p)


def annex_row(number: int, r: StatusRow) -> list[str]:
    state = STATES[r.state] + ("（计入）" if r.counted and r.state == "invalid" else "")
    return [str(number), short_name(r.agency), r.group, state, r.report_date.isoformat() if r.report_date else "",
            r.deadline_text, str(r.errors) if r.file else "", format_number(r.new)]


def write_annex(out: IO[bytes], xml: bytes, rows: Iterator[list[str]]) -> None:
    """document.xml with the marker paragraph replaced by the status table, written row by row:
    a few thousand agencies as one lxml tree would take a hundred MB."""
    widths = [round(mm / 25.4 * 1440) for _, mm in ANNEX_COLUMNS]  # twips
    header = wordml.table_row([label for label, _ in ANNEX_COLUMNS], ANNEX_HEADER_STYLES, header=True)
    body = (wordml.table_row(row, ANNEX_STYLES) for row in rows)
    wordml.replace_paragraph(out, xml, ANNEX_MARKER, wordml.table(widths, chain([header], body)))
