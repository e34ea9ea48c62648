"""Write templates/annual_report.docx.j2, the Word template `qtx-report build` renders with docxtpl,
the city's two notice templates (`qtx-report city --notices`): templates/notice.docx.j2 (整改通知单,
one per agency) and templates/missing.docx.j2 (未报送单位), and the score sheet of `city --score`
(templates/score.docx.j2, 考核评分表, one per agency), on the same styles and page.

Run once when form.py or the layout changes:  .venv/bin/python scripts/make_docx_template.py
The committed .docx is the source a person restyles in Word/WPS (fonts, margins, letterhead);
re-running this script overwrites such changes, so restyle either here or there, not both.

What the template holds (GB/T 9704-2012 公文格式):
- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
- Styles: 标题 (Title) 2号 方正小标宋简体; 正文 (Normal) 3号 仿宋_GB2312, fixed 28 pt lines, first line
  indented two characters; 标题 1 黑体 3号; 标题 2 楷体_GB2312 3号; 表格文字 / 表格标签 宋体 五号;
  落款 right-aligned; 页脚 4号 宋体 “— 1 —” at the outside edge (odd pages right, even pages left).
  Every run font sets ascii/hAnsi/eastAsia/cs so Word and WPS pick the Chinese face for Chinese text.
- Tables: one per numeric section, merged cells exactly as the official layout (qtx_report.layout);
  rows that exist in only one edition sit between `{%tr if edition == "2021" %}` rows.
- Header: `{{ draft_mark }}` (empty unless `build --force` printed a report with errors).
- The notices: 标题, a 副标题 line, the addressee flush left (称谓), the findings as one table whose
  body row repeats per finding (`{%tr for f in item.findings %}`), the header row repeated on every page.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qtx_report.form.editions import EDITIONS, edition  # noqa: E402
from qtx_report.form.grids import TableLayout, layouts  # noqa: E402

OUT = ROOT / "templates" / "annual_report.docx.j2"
NOTICE_OUT = ROOT / "templates" / "notice.docx.j2"
MISSING_OUT = ROOT / "templates" / "missing.docx.j2"
SCORE_OUT = ROOT / "templates" / "score.docx.j2"

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
TABLE_FONT = "宋体"
# Word and WPS substitute a missing font by w:altName from the font table; these are the
# faces Windows ships (the _GB2312 and 方正 fonts are often not installed).
ALT_NAMES = {BODY_FONT: "仿宋", HEADING2_FONT: "楷体", TITLE_FONT: "宋体", HEADING1_FONT: "SimHei",
             TABLE_FONT: "SimSun"}

PT = 2  # half-points per point (w:sz)
LINE = 560  # 28 pt fixed line pitch in twips: 22 lines on the GB/T 9704 type area
CHAR = 320  # one 3号 (16 pt) character in twips
CAPTION_FILL = "DEEAF6"  # the light blue of the caption rows in the official section 二 table


# ---------------------------------------------------------------- styles


def run_props(font: str, size_pt: float, *, bold: bool = False, color: str = "000000") -> str:
    half = int(size_pt * PT)
    weight = "<w:b/><w:bCs/>" if bold else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    return (f'<w:rPr {nsdecls("w")}><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
            f'{weight}'
            f'<w:color w:val="{color}"/><w:kern w:val="0"/><w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr>')


def para_props(*, jc: str = "both", line: int = LINE, rule: str = "exact", first_chars: int = 0,
               right_chars: int = 0, before: int = 0, after: int = 0, keep_next: bool = False,
               outline: int | None = None) -> str:
    indent = ""
    if first_chars or right_chars:
        indent = (f'<w:ind w:firstLineChars="{first_chars * 100}" w:firstLine="{first_chars * CHAR}"'
                  f' w:rightChars="{right_chars * 100}" w:right="{right_chars * CHAR}"/>')
    level = f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else ""
    keep = "<w:keepNext/>" if keep_next else ""
    return (f'<w:pPr {nsdecls("w")}>{keep}<w:widowControl w:val="0"/>'
            f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="{rule}"/>'
            f'{indent}<w:jc w:val="{jc}"/>{level}</w:pPr>')


def restyle(doc, name: str, ppr: str, rpr: str, *, style_id: str | None = None, based_on: str | None = None):
    """Create or rewrite a paragraph style with exactly these properties (no theme fonts left)."""
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        from docx.enum.style import WD_STYLE_TYPE

        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    element = style.element
    if style_id:
        element.set(qn("w:styleId"), style_id)
    for tag in ("w:pPr", "w:rPr", "w:basedOn", "w:link"):
        for old in element.findall(qn(tag)):
            element.remove(old)
    if based_on:
        style.base_style = styles[based_on]
    element.append(parse_xml(ppr))
    element.append(parse_xml(rpr))
    style.quick_style = True
    return style


def define_styles(doc) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    defaults.getparent().remove(defaults)
    doc.styles.element.insert(0, parse_xml(
        f'<w:docDefaults {nsdecls("w")}><w:rPrDefault>{run_props(BODY_FONT, 16)}</w:rPrDefault>'
        f'<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="{LINE}" w:lineRule="exact"/></w:pPr></w:pPrDefault>'
        '</w:docDefaults>'))
    restyle(doc, "Normal", para_props(first_chars=2), run_props(BODY_FONT, 16))
    restyle(doc, "Title", para_props(jc="center", line=720, after=LINE), run_props(TITLE_FONT, 22))
    restyle(doc, "Heading 1", para_props(first_chars=2, keep_next=True, outline=0, before=LINE // 2), run_props(HEADING1_FONT, 16))
    restyle(doc, "Heading 2", para_props(first_chars=2, keep_next=True, outline=1), run_props(HEADING2_FONT, 16))
    table_ppr = dict(line=240, rule="auto")
    restyle(doc, "表格文字", para_props(jc="center", **table_ppr), run_props(TABLE_FONT, 10.5), style_id="TableText")
    restyle(doc, "表格标签", para_props(jc="left", **table_ppr), run_props(TABLE_FONT, 10.5), style_id="TableLabel")
    restyle(doc, "落款", para_props(jc="right", right_chars=4), run_props(BODY_FONT, 16),
            style_id="Closing")
    restyle(doc, "Header", para_props(jc="center", line=240, rule="auto"), run_props(HEADING1_FONT, 14, color="C00000"))
    restyle(doc, "Footer", para_props(jc="right", line=240, rule="auto"), run_props(TABLE_FONT, 14))


def declare_fonts(doc) -> None:
    """Font table entries: charset 86 (GB2312) and an alternative Windows face for each."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    fonts = parse_xml(part.blob)
    for name, alt in ALT_NAMES.items():
        family = "modern" if name in (BODY_FONT, HEADING1_FONT, HEADING2_FONT) else "roman"
        fonts.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------- page, header, footer


def page_setup(doc, header_text: str = "{{ draft_mark }}") -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(25)
    doc.settings.odd_and_even_pages_header_footer = True
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False
        header.paragraphs[0].style = doc.styles["Header"]
        header.paragraphs[0].text = header_text
    page_number(section.footer.paragraphs[0], doc, "right")
    section.even_page_footer.is_linked_to_previous = False
    page_number(section.even_page_footer.paragraphs[0], doc, "left")


def page_number(paragraph, doc, side: str) -> None:
    """“— 7 —”, one character in from the outside edge (GB/T 9704 7.5)."""
    paragraph.style = doc.styles["Footer"]
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:ind {nsdecls("w")} w:{side}="280"/>'))
    ppr.append(parse_xml(f'<w:jc {nsdecls("w")} w:val="{side}"/>'))
    runs = ['<w:r><w:t xml:space="preserve">— </w:t></w:r>', '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
            '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', '<w:r><w:t>1</w:t></w:r>',
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>', '<w:r><w:t xml:space="preserve"> —</w:t></w:r>']
    for run in runs:
        paragraph._p.append(parse_xml(run.replace("<w:r>", f'<w:r {nsdecls("w")}>', 1)))


# ---------------------------------------------------------------- tables


def twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def row_specs(layout: TableLayout) -> list[tuple[tuple[str, int, str, str], ...]]:
    """Each grid row as Word sees it: (placeholder, gridSpan, vMerge, role) per w:tc."""
    rows = []
    for r in range(layout.n_rows):
        specs, c = [], 0
        while c < layout.n_cols:
            cell = layout.covering(r, c)
            assert cell is not None, (layout.key, r, c)
            starts = cell.row == r
            merge = ("restart" if cell.rowspan > 1 else "") if starts else "continue"
            specs.append(("{{ " + cell.ref + " }}" if starts else "", cell.colspan, merge, cell.role))
            c += cell.colspan
        rows.append(tuple(specs))
    return rows


def edition_rows(per_edition: dict[str, list]) -> list:
    """One row list for both editions: shared rows once, the rest between tag rows."""
    first, second = EDITIONS
    a, b = per_edition[first], per_edition[second]
    merged: list = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            merged += a[i1:i2]
            continue
        merged.append(f'{{%tr if edition == "{first}" %}}')
        merged += a[i1:i2]
        merged.append("{%tr else %}")
        merged += b[j1:j2]
        merged.append("{%tr endif %}")
    return merged


def tc_xml(text: str, width: int, span: int, merge: str, role: str, keep: bool = False) -> str:
    style = "TableLabel" if role in ("label", "caption") else "TableText"
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    props += f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    props += f'<w:vMerge w:val="{merge}"/>' if merge else ""
    props += f'<w:shd w:val="clear" w:color="auto" w:fill="{CAPTION_FILL}"/>' if role == "caption" else ""
    props += '<w:vAlign w:val="center"/>'
    run = f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
    keep_next = "<w:keepNext/>" if keep else ""  # a caption or header row stays with the row below
    return (f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:pStyle w:val="{style}"/>{keep_next}</w:pPr>{run}</w:p>'
            '</w:tc>')


def table_xml(key: str, widths: list[int], rows: list, header_rows: int) -> str:
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
           f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
           '<w:tblCellMar><w:left w:w="40" w:type="dxa"/><w:right w:w="40" w:type="dxa"/></w:tblCellMar>'
           f'<w:tblCaption w:val="{key}"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
    out.append("</w:tblGrid>")
    for n, row in enumerate(rows):
        # the header rows repeat when section 三 runs onto a second page
        trpr = "<w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if n < header_rows else "") + "</w:trPr>"
        if isinstance(row, str):
            out.append(f"<w:tr>{trpr}{tc_xml(row, sum(widths), len(widths), '', 'value')}</w:tr>")
            continue
        cells, col = [], 0
        keep = all(role in ("header", "caption") for *_, role in row) or n < header_rows
        for text, span, merge, role in row:
            cells.append(tc_xml(text, sum(widths[col:col + span]), span, merge, role, keep))
            col += span
        out.append(f"<w:tr>{trpr}{''.join(cells)}</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def add_table(doc, key: str) -> None:
    per_edition = {name: layouts(edition(name))[key] for name in EDITIONS}
    widths = {tuple(twips(w) for w in lay.widths_mm) for lay in per_edition.values()}
    assert len(widths) == 1, f"{key}: both editions must share one column grid"
    header_rows = {lay.header_rows for lay in per_edition.values()}.pop()
    rows = edition_rows({name: row_specs(lay) for name, lay in per_edition.items()})
    body = doc.element.body
    body.insert(len(body) - 1, parse_xml(table_xml(key, list(widths.pop()), rows, header_rows)))


# ---------------------------------------------------------------- body


# contact_office is the agency itself, or the office the city report names (`city --office`); each of
# address, person and phone is printed only when given.
INTRO = ("本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作"
         "年度报告格式》（{{ basis }}）要求编制。本报告中所列数据的统计期限自{{ year }}年1月1日起至{{ year }}年"
         "12月31日止。如对本报告有疑问，请与{{ contact_office }}联系"
         "{% if contact_address or contact_person or contact_phone %}（"
         "{% if contact_address %}地址：{{ contact_address }}{% if contact_person or contact_phone %}，{% endif %}{% endif %}"
         "{% if contact_person %}联系人：{{ contact_person }}{% if contact_phone %}，{% endif %}{% endif %}"
         "{% if contact_phone %}联系电话：{{ contact_phone }}{% endif %}）{% endif %}。")


def body(doc) -> None:
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph(INTRO, style="Normal")
    for section in edition(EDITIONS[0]).sections:
        doc.add_paragraph("{{ h." + section.key + " }}", style="Heading 1")
        if section.kind == "tables":
            add_table(doc, {"proactive": "section2", "requests": "section3", "appeals": "section4"}[section.key])
            continue
        doc.add_paragraph("{%p for para in text." + section.key + " %}")
        doc.add_paragraph("{{ para }}", style="Normal")
        doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if date_text %}")
    signature = doc.add_paragraph("{{ agency }}", style="落款")
    signature.paragraph_format.keep_with_next = True  # never leave the date alone on a page
    doc.add_paragraph("{{ date_text }}", style="落款")
    doc.add_paragraph("{%p endif %}")


# ---------------------------------------------------------------- the city's notices


NOTICE_COLUMNS = (("序号", 10.0, "value", "{{ f.n }}"), ("问题", 34.0, "label", "{{ f.problem }}"),
                  ("位置", 30.0, "label", "{{ f.place }}"), ("说明", 46.0, "label", "{{ f.message }}"),
                  ("怎么改", 36.0, "label", "{{ f.advice }}"))
MISSING_COLUMNS = (("序号", 12.0, "value", "{{ m.n }}"), ("单位名称", 58.0, "label", "{{ m.agency }}"),
                   ("分组", 26.0, "value", "{{ m.group }}"), ("距报送期限", 28.0, "value", "{{ m.days }}"),
                   ("备注", 32.0, "label", "{{ m.note }}"))


def notice_styles(doc) -> None:
    restyle(doc, "Subtitle", para_props(jc="center", after=LINE // 2), run_props(HEADING2_FONT, 16))
    restyle(doc, "称谓", para_props(), run_props(BODY_FONT, 16), style_id="Salutation")
    restyle(doc, "表前", para_props(first_chars=2, before=LINE // 4, after=LINE // 4, keep_next=True),
            run_props(HEADING1_FONT, 16), style_id="TableLead")


def loop_table(doc, key: str, columns: tuple, loop: str) -> None:
    """A table of a header row and one body row repeated by docxtpl (`{%tr for … %}`)."""
    header = tuple((label, 1, "", "header") for label, *_ in columns)
    row = tuple((field, 1, "", role) for _, _, role, field in columns)
    rows = [header, "{%tr for " + loop + " %}", row, "{%tr endfor %}"]
    body = doc.element.body
    body.insert(len(body) - 1, parse_xml(table_xml(key, [twips(mm) for _, mm, *_ in columns], rows, 1)))


def signature(doc) -> None:
    doc.add_paragraph("{%p if office %}")
    doc.add_paragraph("{{ office }}", style="落款").paragraph_format.keep_with_next = True
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{ date_text }}", style="落款")


def notice_body(doc) -> None:
    doc.add_paragraph("整改通知单", style="Title")
    doc.add_paragraph("（{{ year }}年度政府信息公开工作年度报告）", style="Subtitle")
    doc.add_paragraph("{{ agency }}：", style="称谓")
    doc.add_paragraph("你单位报送的{{ year }}年度政府信息公开工作年度报告经审核，发现以下问题。请对照逐项修改，"
                      "于{{ resubmit_text }}前重新报送。", style="Normal")
    doc.add_paragraph("{%p for item in files %}")
    doc.add_paragraph("报送文件：{{ item.file }}{{ item.version_text }}", style="Normal")
    doc.add_paragraph("收件时间：{{ item.received_text }}", style="Normal")
    doc.add_paragraph("审核结果：{{ item.result_text }}", style="Normal")
    doc.add_paragraph("{%p if item.note %}")
    doc.add_paragraph("{{ item.note }}", style="Normal")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("问题清单", style="表前")
    loop_table(doc, "findings", NOTICE_COLUMNS, "f in item.findings")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("有关要求", style="表前")
    doc.add_paragraph("一、标为“错误”的问题须改正后重新报送；标为“警告”的问题请逐项核实，确有问题的一并修改。", style="Normal")
    doc.add_paragraph("二、“位置”指你单位所报文件中的位置：工作簿为工作表和单元格，Word、PDF 报告为表格的行列或页码和行号。",
                      style="Normal")
    doc.add_paragraph("三、请报送修改后的完整报告文件，不要只报送修改的部分。"
                      "{% if office_phone %}如有疑问，请联系{{ office or '我们' }}（联系电话：{{ office_phone }}）。{% endif %}",
                      style="Normal")
    signature(doc)


def missing_body(doc) -> None:
    doc.add_paragraph("未报送单位名单", style="Title")
    doc.add_paragraph("（{{ year }}年度政府信息公开工作年度报告，截至{{ today_text }}）", style="Subtitle")
    doc.add_paragraph("{{ summary_text }}", style="Normal")
    doc.add_paragraph("{%p if missing %}")
    loop_table(doc, "missing", MISSING_COLUMNS, "m in missing")
    doc.add_paragraph("{%p endif %}")
    signature(doc)


# (header, width in mm, cell role, the row's field)
SCORE_COLUMNS = (("序号", 10.0, "value", "{{ d.n }}"), ("考核项目", 34.0, "label", "{{ d.item }}"),
                 ("扣分", 12.0, "value", "{{ d.points }}"), ("依据", 16.0, "value", "{{ d.code }}"),
                 ("说明", 58.0, "label", "{{ d.message }}"), ("文件和位置", 36.0, "label", "{{ d.where }}"))


def score_body(doc) -> None:
    doc.add_paragraph("考核评分表", style="Title")
    doc.add_paragraph("（{{ year }}年度政府信息公开工作年度报告）", style="Subtitle")
    doc.add_paragraph("被考核单位：{{ agency }}", style="称谓")
    doc.add_paragraph("得分：{{ score }}分　档次：{{ level }}　名次：第{{ rank }}名（共{{ count }}个单位）", style="Normal")
    doc.add_paragraph("基础分{{ base }}分，扣分合计{{ deducted }}分。评分细则：{{ pack }}。", style="Normal")
    doc.add_paragraph("{%p if rows %}")
    doc.add_paragraph("扣分明细", style="表前")
    loop_table(doc, "deductions", SCORE_COLUMNS, "d in rows")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("按评分细则，未发现扣分情况。", style="Normal")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{ note }}", style="Normal")
    signature(doc)


# ---------------------------------------------------------------- writing


def new_document(header_text: str = "{{ draft_mark }}"):
    doc = Document()
    define_styles(doc)
    declare_fonts(doc)
    page_setup(doc, header_text)
    for p in list(doc.paragraphs):  # the default document starts with one empty paragraph
        p._p.getparent().remove(p._p)
    return doc


def save(doc, out: Path, title: str, author: str, comments: str) -> None:
    props = doc.core_properties
    props.title, props.author, props.comments = title, author, comments
    out.parent.mkdir(exist_ok=True)
    doc.save(out)
    print(f"wrote {out.relative_to(ROOT)}")


def main() -> None:
    doc = new_document()
    body(doc)
    save(doc, OUT, "{{ title }}", "qtx-report", "qtx-report 年度报告模板")
    for out, make, title in ((NOTICE_OUT, notice_body, "整改通知单（{{ agency }}）"),
                             (MISSING_OUT, missing_body, "未报送单位名单"),
                             (SCORE_OUT, score_body, "考核评分表（{{ agency }}）")):
        doc = new_document("")
        notice_styles(doc)
        make(doc)
        save(doc, out, title, "{{ office }}", "")  # sent to the agencies: the office is the author


if __name__ == "__main__":
    main()
