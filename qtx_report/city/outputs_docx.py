"""全市汇总报告.docx: the city report's draft (the summed tables and the draft text, rendered as
any report), with the status of every agency (附件1, streamed as one table), the charts (附件2), the
indicators and anomaly prompts (附件3) and, when scored, the ranking (附件4).
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
from qtx_report.city.scoring import Score, points_text
from qtx_report.city.status import STATES, Compiled, StatusRow
from qtx_report.model.numbers import format_number
from qtx_report.ooxml import wordml
from qtx_report.ooxml.zips import repack
from qtx_report.rules.indicators import MIN_CASES, report_indicators
from qtx_report.rules.indicators import NAMES as INDICATORS
from qtx_report.write.files import atomic_path

ANNEX_COLUMNS = (("序号", 10.0), ("单位名称", 42.0), ("分组", 18.0), ("状态", 18.0), ("成文日期", 22.0),
                 ("按时报送", 18.0), ("错误", 11.0), ("新收申请", 17.0))
ANNEX_MARKER = "QTX-ANNEX-TABLE"  # a paragraph replaced by the streamed status table
INDICATOR_MARKER, RANKING_MARKER = "QTX-INDICATOR-TABLE", "QTX-RANKING-TABLE"  # likewise, annexes 3 and 4
INDICATOR_COLUMNS = (("序号", 10.0), ("单位名称", 42.0), *((label, 19.0) for _, label, _ in INDICATORS),
                     ("异常提示", 55.0))
RANKING_COLUMNS = (("名次", 12.0), ("单位名称", 46.0), ("分组", 18.0), ("得分", 15.0), ("档次", 15.0),
                   ("扣分项目", 55.0))
# How the draft was made is told here, in the status annex, never in the report's body.
ANNEX_NOTE = ("说明：本汇总报告草稿由 qtx-report 根据各单位报送的年度报告自动汇总生成，正文中的数字为下表中"
              "计入汇总的报告之和；正文“五、存在的主要问题及改进情况”只列出了报送中发现的问题，请结合各单位报告"
              "归纳补充后再发布。")
NO_OFFICE_NOTE = (f"正文开头的联系机关暂写作“{NEUTRAL_CONTACT}”，发布前请改为实际的机关名称、地址和联系电话"
                  "（汇总时可用 --office、--office-address、--office-phone 给出）。")


def write_docx(path: Path, c: Compiled, charts: list[tuple[str, bytes]], office: Office | None = None,
               scores: list[Score] | None = None) -> None:
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
    annex_heading(doc, "附件3：指标与异常提示")
    doc.add_paragraph(city_indicators_text(c))
    prompted = [r for r in c.rows if r.indicators.shown() or r.prompts]
    doc.add_paragraph(INDICATOR_MARKER if prompted else "各单位均无可计算的指标（办理结果均不足30件），也没有异常提示。")
    if scores is not None:
        annex_heading(doc, "附件4：考核得分排名")
        doc.add_paragraph("按考核细则自动计算的得分，每一项扣分的依据见各单位的考核评分表。得分须经考评组研究审定。")
        doc.add_paragraph(RANKING_MARKER)
    props = doc.core_properties
    props.title = f"{CITY}{c.year}年政府信息公开工作年度报告（汇总草稿）"
    props.author, props.comments = office.name, ""  # the office's document, not the template's
    props.created = props.modified = datetime(*c.stamp[:6])  # type: ignore[misc]
    buffer = io.BytesIO()
    doc.save(buffer)
    tables = [(ANNEX_MARKER, ANNEX_COLUMNS, (annex_row(i, r) for i, r in enumerate(c.rows, start=1))),
              (INDICATOR_MARKER, INDICATOR_COLUMNS, (indicator_row(i, r) for i, r in enumerate(prompted, start=1)))]
    if scores is not None:
        tables.append((RANKING_MARKER, RANKING_COLUMNS, (ranking_row(s) for s in scores)))
    with atomic_path(path) as tmp:
        repack(buffer.getvalue(), tmp, c.stamp, {"word/document.xml": partial(write_annexes, tables=tables)})


def annex_heading(doc, text: str) -> None:
    """附件 N on a new page, flush left (GB/T 9704: 附件 marker at the top left, 黑体)."""
    heading = doc.add_paragraph(text, style="Heading 1")
    heading.paragraph_format.page_break_before = True
    wordml.clear_first_line_indent(heading._p)


def annex_row(number: int, r: StatusRow) -> list[str]:
    state = STATES[r.state] + ("（计入）" if r.counted and r.state == "invalid" else "")
    return [str(number), short_name(r.agency), r.group, state, r.report_date.isoformat() if r.report_date else "",
            r.deadline_text, str(r.errors) if r.file else "", format_number(r.new)]


def indicator_row(number: int, r: StatusRow) -> list[str]:
    return [str(number), short_name(r.agency),
            *("" if getattr(r.indicators, key) is None else f"{getattr(r.indicators, key):.1%}" for key, _, _ in INDICATORS),
            "；".join(r.prompts)]


def ranking_row(s: Score) -> list[str]:
    items = "；".join(f"{d.item.name} −{points_text(d.points)}" for d in s.deductions)
    return [str(s.rank), short_name(s.agency), s.group, points_text(s.score), s.level, items or "无扣分"]


def city_indicators_text(c: Compiled) -> str:
    """The city's own indicators, from the summed tables, or why there are none."""
    found = report_indicators(c.total).shown()
    if not found:
        return f"全市汇总的办理结果和复议诉讼案件均不足{MIN_CASES}件，不计算实质公开率、纠错率和无法提供占比。"
    labels = {label for label, _ in found}
    missing = [label for _, label, _ in INDICATORS if label not in labels]
    shown = "，".join([f"{label}{value:.1%}" for label, value in found]
                     + ([f"{'、'.join(missing)}不计算（案件不足{MIN_CASES}件）"] if missing else []))
    how = "；".join(f"{label}＝{formula}" for key, label, formula in INDICATORS)
    return (f"全市{shown}（{how}；案件不足{MIN_CASES}件的不计算）。下表列出可计算指标或有异常提示的单位；"
            "异常提示只提醒核对，不是错误。")


def write_annexes(out: IO[bytes], xml: bytes, tables: list[tuple[str, tuple, Iterator[list[str]]]]) -> None:
    """document.xml with each marker paragraph replaced by its table, written row by row: a few
    thousand agencies as one lxml tree would take a hundred MB."""
    wordml.replace_paragraphs(out, xml, [(marker, annex_table(columns, rows)) for marker, columns, rows in tables
                                         if marker.encode() in xml])


def annex_table(columns: tuple, rows: Iterator[list[str]]) -> Iterator[str]:
    widths = [round(mm / 25.4 * 1440) for _, mm in columns]  # twips
    # The template's paragraph styles for table cells; the name column is left-aligned like the form's labels.
    header_styles = ("TableText",) * len(columns)
    styles = tuple("TableLabel" if i == 1 else "TableText" for i in range(len(columns)))
    header = wordml.table_row([label for label, _ in columns], header_styles, header=True)
    body = (wordml.table_row(row, styles) for row in rows)
    return wordml.table(widths, chain([header], body))
