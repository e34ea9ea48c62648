"""The outputs of `qtx-report city`: 全市汇总.xlsx (status, missing, findings, group sums beside
the summed official tables), 全市汇总报告.docx (the draft with its annexes), 全市汇总.json and the
chart PNGs. Long lists (findings, status rows) are streamed into the archives, and every file
carries fixed timestamps: same compile, same bytes.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import IO, Any

from qtx_report.city.compile import (
    FINDING_COLUMNS,
    FINDING_KEYS,
    RENDER_DIR,
    STATES,
    Compiled,
    StatusRow,
    outcome_counts,
    pool_context,
)
from qtx_report.city.roster import CITY
from qtx_report.form.editions import edition
from qtx_report.model.findings import SEVERITY_NAMES, InputError
from qtx_report.model.numbers import format_number
from qtx_report.ooxml.zips import repack, write_chunked, xml_text
from qtx_report.write.files import atomic_path, write_bytes_atomic

OUT_XLSX = "全市汇总.xlsx"
OUT_DOCX = "全市汇总报告.docx"
OUT_JSON = "全市汇总.json"
CHART_DIR = "图表"
CHART_FILES = ("图1_申请办理结果.png", "图2_各单位新收申请.png", "图3_按时报送与勾稽平衡.png")
JSON_VERSION = 1
TOP_N = 15  # agencies in the applications chart


def stamp_for(year: int | None) -> tuple[int, ...]:
    """The fixed time stamped into every output file (zip entries, document properties)."""
    return (year + 1, 1, 1, 0, 0, 0) if year else (1980, 1, 1, 0, 0, 0)


# ================================================================ 全市汇总.xlsx


STATUS_COLUMNS = (("单位名称", 30), ("分组", 10), ("文件", 24), ("是否报送", 9), ("状态", 10), ("计入汇总", 9),
                  ("成文日期", 12), ("按时报送", 11), ("错误", 7), ("警告", 7), ("提示", 7), ("勾稽平衡", 9),
                  ("新收申请", 9), ("予以公开占比", 12), ("行政复议总计", 12), ("行政诉讼总计", 12), ("说明", 50))
MISSING_COLUMNS = (("单位名称", 34), ("分组", 12), ("别名", 40), ("说明", 50))
STATUS_SHEET, MISSING_SHEET, FINDINGS_SHEET, GROUPS_SHEET = "报送情况", "未报送单位", "问题清单", "分组汇总"


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def status_values(row: StatusRow) -> list[object]:
    return [row.agency, row.group, row.file, yes_no(row.submitted), STATES[row.state], yes_no(row.counted),
            row.report_date.isoformat() if row.report_date else "", row.deadline_text,
            row.errors if row.file else None, row.warnings if row.file else None, row.infos if row.file else None,
            yes_no(row.balanced), row.new, row.granted_share, row.review, row.suits, row.note]


def finding_values(row: list[object]) -> list[object]:
    return [SEVERITY_NAMES.get(v, v) if i == 3 else v for i, v in enumerate(row)]


def write_xlsx(path: Path, c: Compiled) -> None:
    from qtx_report.write.workbook import GUIDE_SHEET, build_workbook

    wb = build_workbook(report=c.total)
    del wb[GUIDE_SHEET]  # the clerk's guide has nothing to say about a summary
    wb.properties.title = f"{CITY}{c.year}年度政府信息公开工作年度报告汇总"
    streams: dict[str, Stream] = {}
    status = (status_values(r) for r in c.rows)
    streams[STATUS_SHEET] = table_sheet(wb, STATUS_SHEET, STATUS_COLUMNS, status, len(c.rows), 0, {13: "0.0%"},
                                         freeze="B2")  # the agency name stays in view
    missing = ([a.name, a.group, "、".join(a.aliases), note] for a, note in c.missing)
    streams[MISSING_SHEET] = table_sheet(wb, MISSING_SHEET, MISSING_COLUMNS, missing, len(c.missing), 1)
    n_findings = sum(r.errors + r.warnings + r.infos for r in c.rows) + len(c.sum_findings)
    findings = (finding_values(row) for row in c.findings())
    # Sheets that repeat official labels go after the official tables: the loader anchors on the
    # first label it meets, so `qtx-report check/build 全市汇总.xlsx` reads the summed tables.
    streams[FINDINGS_SHEET] = table_sheet(wb, FINDINGS_SHEET, FINDING_COLUMNS, findings, n_findings, None)
    columns, rows = group_table(c)
    streams[GROUPS_SHEET] = table_sheet(wb, GROUPS_SHEET, columns, iter(rows), len(rows), None)
    wb.active = 0
    save_streamed(wb, path, streams, stamp_for(c.year))


def group_table(c: Compiled) -> tuple[tuple[tuple[str, float], ...], list[list[object]]]:
    """Every cell of the form, one row each, with a column per group and the city total."""
    ed = edition(c.edition)
    groups = list(c.groups)
    columns = (("部分", 30), ("行", 40), ("列", 22), *((g, 11) for g in groups), ("全市合计", 11))
    rows = []
    for cell in ed.cells.values():  # already in printed order
        rows.append([ed.heading_of(cell.grid), cell.row_label, cell.column_label,
                     *(c.groups[g].value(*cell.key) for g in groups),  # type: ignore[arg-type]
                     c.total.value(*cell.key)])  # type: ignore[arg-type]
    return columns, rows


@dataclass(frozen=True)
class Stream:
    """The rows of a list sheet still to be written, and the sheet's full range."""

    rows: Iterator[list[object]]
    ref: str


def table_sheet(wb, title: str, columns, rows: Iterator[list[object]], n_rows: int, position: int | None,
                formats: dict[int, str] | None = None, freeze: str = "A2") -> Stream:
    """A filterable list sheet: header and first row through openpyxl (they carry the styles),
    the remaining rows streamed at save time."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title, position)
    for i, (label, width) in enumerate(columns, start=1):
        cell = ws.cell(1, i, label)
        cell.font = Font(name="宋体", bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = freeze
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ref = f"A1:{get_column_letter(len(columns))}{max(n_rows, 1) + 1}"
    ws.auto_filter.ref = ref
    first = next(rows, None)
    if first is not None:
        for i, value in enumerate(first, start=1):
            cell = ws.cell(2, i, value)
            cell.font = Font(name="宋体")
            if formats and i - 1 in formats:
                cell.number_format = formats[i - 1]
    return Stream(rows, ref)


def save_streamed(wb, path: Path, streams: dict[str, Stream], stamp: tuple[int, ...]) -> None:
    """Save `wb`, then append each streamed sheet's rows after its row 2 (same cell styles), with
    fixed timestamps. openpyxl would hold every cell of 100,000 finding rows in memory."""
    buffer = io.BytesIO()
    wb.save(buffer)
    writers = {wb[title].path.lstrip("/"): partial(write_sheet, stream=stream) for title, stream in streams.items()}
    with atomic_path(path) as tmp:
        repack(buffer.getvalue(), tmp, stamp, writers)


def write_sheet(out: IO[bytes], xml: bytes, stream: Stream) -> None:
    text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{stream.ref}"/>', xml.decode("utf-8"), count=1)
    end = text.index("</sheetData>")
    styles = dict(re.findall(r'<c r="([A-Z]+)2"[^>]*?\ss="(\d+)"', text))
    out.write(text[:end].encode("utf-8"))
    write_chunked(out, (row_xml(r, values, styles) for r, values in enumerate(stream.rows, start=3)))
    out.write(text[end:].encode("utf-8"))


@cache
def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def row_xml(r: int, values: list[object], styles: dict[str, str]) -> str:
    out = [f'<row r="{r}">']
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        letter = column_letter(i)
        style = f' s="{styles[letter]}"' if letter in styles else ""
        if isinstance(value, bool):
            value = yes_no(value)
        if isinstance(value, int | float):
            out.append(f'<c r="{letter}{r}"{style}><v>{value!r}</v></c>')
        else:
            out.append(f'<c r="{letter}{r}"{style} t="inlineStr"><is><t xml:space="preserve">{xml_text(str(value))}'
                       "</t></is></c>")
    out.append("</row>")
    return "".join(out)


# ================================================================ charts


def chart_images(c: Compiled) -> list[tuple[str, bytes]]:
    """(file name, PNG) of the three charts of the city report."""
    from qtx_report.write.charts import bar_chart

    ed = edition(c.edition)
    total = c.total.value("section3", "results_total", "total") or 0
    carried_out = c.total.value("section3", "carried_out", "total") or 0
    outcomes = [*outcome_counts(c.total, ed), (ed.section3.row("carried_out").label, carried_out)]
    handled = total + carried_out  # = 一 + 二 when the sums balance
    chart1 = bar_chart(f"图1 全市政府信息公开申请办理结果（{c.year}年度，共{handled}件）", outcomes,
                       whole=handled, note=f"占比：占本年新收与上年结转合计（{handled}件）的比例",
                       empty="本年度全市没有需要办理的申请")
    applications = sorted(((short_name(r.agency), r.new) for r in c.counted if isinstance(r.new, int | float)),
                          key=lambda item: (-item[1], item[0]))
    new = c.total.value("section3", "new", "total") or 0
    rest = len(applications) - TOP_N
    note = f"占比：占全市本年新收申请（{new}件）的比例" + (f"；另有{rest}个单位未列出" if rest > 0 else "")
    chart2 = bar_chart(f"图2 各单位本年新收申请（前{min(TOP_N, len(applications))}名）", applications[:TOP_N],
                       whole=new, note=note, empty="计入汇总的报告中没有新收申请")
    return list(zip(CHART_FILES, (chart1, chart2, share_chart_of(c)), strict=True))


def share_chart_of(c: Compiled) -> bytes:
    from qtx_report.write.charts import BAD, GOOD, NONE, WARN, Segment, share_chart

    on_time, balance = share_rows(c)
    colours = (GOOD, WARN, BAD, NONE)
    whole = len(c.roster.agencies) if c.has_roster else sum(on_time)
    return share_chart(f"图3 按时报送与勾稽平衡（{'应报' if c.has_roster else '报送'}单位{whole}个）", [
        ("按时报送", [Segment(label, n, colour) for label, n, colour in
                  zip(("按时", "逾期", "日期缺失或有误", "未报送"), on_time, colours, strict=True)]),
        ("勾稽平衡", [Segment(label, n, colour) for label, n, colour in
                  zip(("平衡", "不平衡", "无法读取", "未报送"), balance, colours, strict=True)]),
    ])


def short_name(name: str) -> str:
    return name.removeprefix(CITY) or name


def share_rows(c: Compiled) -> tuple[list[int], list[int]]:
    """Per agency (first file of the year counts): [按时, 逾期, 日期有误, 未报送], [平衡, 不平衡, 无法读取, 未报送]."""
    first: dict[tuple[str, str], StatusRow] = {}
    for row in c.rows:
        if row.state not in ("wrong_year", "unknown") and (row.agency, row.group) not in first:
            first[(row.agency, row.group)] = row
    rows = list(first.values())
    missing = sum(r.state == "missing" for r in rows)
    readable = [r for r in rows if r.state not in ("missing", "unreadable")]
    on_time = [sum(r.deadline == "on_time" for r in readable), sum(r.deadline == "late" for r in readable),
               sum(r.deadline in ("no_date", "bad_date") for r in readable) + sum(r.state == "unreadable" for r in rows),
               missing]
    balance = [sum(bool(r.balanced) for r in readable), sum(r.balanced is False for r in readable),
               sum(r.state == "unreadable" for r in rows), missing]
    return on_time, balance


# ================================================================ 全市汇总报告.docx


ANNEX_COLUMNS = (("序号", 10.0), ("单位名称", 42.0), ("分组", 18.0), ("状态", 18.0), ("成文日期", 22.0),
                 ("按时报送", 18.0), ("错误", 11.0), ("新收申请", 17.0))


ANNEX_MARKER = "QTX-ANNEX-TABLE"  # a paragraph replaced by the streamed status table


def write_docx(path: Path, c: Compiled, charts: list[tuple[str, bytes]]) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from qtx_report.write.report import render_docx

    draft = any(f.severity == "error" for f in c.sum_findings)
    doc = Document(io.BytesIO(render_docx(c.total, draft=draft)))
    annex_heading(doc, "附件1：各单位报送情况")
    doc.add_paragraph(ANNEX_MARKER)
    annex_heading(doc, "附件2：统计图表")
    for _, png in charts:
        picture = doc.add_paragraph()
        flush_left(picture)
        # Normal has an exact 28 pt line pitch, which would crop a picture to one line.
        picture.paragraph_format.line_spacing, picture.paragraph_format.space_after = 1.0, Mm(4)
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(png), width=Mm(150))
    props = doc.core_properties
    props.title = f"{CITY}{c.year}年政府信息公开工作年度报告（汇总草稿）"
    props.created = props.modified = datetime(*stamp_for(c.year)[:6])  # type: ignore[misc]
    buffer = io.BytesIO()
    doc.save(buffer)
    rows = (annex_row(i, r) for i, r in enumerate(c.rows, start=1))
    with atomic_path(path) as tmp:
        repack(buffer.getvalue(), tmp, stamp_for(c.year), {"word/document.xml": partial(write_annex, rows=rows)})


def annex_heading(doc, text: str) -> None:
    """附件 N on a new page, flush left (GB/T 9704: 附件 marker at the top left, 黑体)."""
    heading = doc.add_paragraph(text, style="Heading 1")
    heading.paragraph_format.page_break_before = True
    flush_left(heading)


def flush_left(paragraph) -> None:
    # The template's styles indent by w:firstLineChars, which wins over w:firstLine: set both.
    from docx.oxml.ns import qn

    indent = paragraph._p.get_or_add_pPr().get_or_add_ind()
    indent.set(qn("w:firstLineChars"), "0")
    indent.set(qn("w:firstLine"), "0")


def annex_row(number: int, r: StatusRow) -> list[str]:
    state = STATES[r.state] + ("（计入）" if r.counted and r.state == "invalid" else "")
    return [str(number), short_name(r.agency), r.group, state, r.report_date.isoformat() if r.report_date else "",
            r.deadline_text, str(r.errors) if r.file else "", format_number(r.new)]


def write_annex(out: IO[bytes], xml: bytes, rows: Iterator[list[str]]) -> None:
    """document.xml with the marker paragraph replaced by the status table, written row by row:
    a few thousand agencies as one lxml tree would take a hundred MB."""
    text = xml.decode("utf-8")
    marker = text.index(ANNEX_MARKER)
    start = max(text.rfind("<w:p>", 0, marker), text.rfind("<w:p ", 0, marker))
    end = text.index("</w:p>", marker) + len("</w:p>")
    out.write(text[:start].encode("utf-8"))
    widths = [round(mm / 25.4 * 1440) for _, mm in ANNEX_COLUMNS]
    out.write(annex_table_start(widths).encode("utf-8"))
    out.write(annex_tr([label for label, _ in ANNEX_COLUMNS], header=True).encode("utf-8"))
    write_chunked(out, (annex_tr(row) for row in rows))
    out.write(("</w:tbl>" + text[end:]).encode("utf-8"))


def annex_table_start(widths: list[int]) -> str:
    """Table properties as the report template's tables have them (borders, fixed layout)."""
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:left w:w="40" w:type="dxa"/><w:right w:w="40" w:type="dxa"/></w:tblCellMar>'
            "</w:tblPr><w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>")


def annex_tr(cells: list[str], header: bool = False) -> str:
    # The header row repeats on every page; the name column is left-aligned like the form's labels.
    props = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    bold = "<w:rPr><w:b/></w:rPr>" if header else ""
    out = [f"<w:tr>{props}"]
    for i, text in enumerate(cells):
        style = "TableLabel" if i == 1 and not header else "TableText"
        run = f'<w:r>{bold}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>' if text else ""
        out.append(f'<w:tc><w:tcPr><w:vAlign w:val="center"/></w:tcPr>'
                   f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{run}</w:p></w:tc>')
    out.append("</w:tr>")
    return "".join(out)


# ================================================================ 全市汇总.json


def write_json(path: Path, c: Compiled) -> None:
    """The summary for machines. Findings are streamed from the spool, not built in memory."""
    head = json.dumps(summary_json(c), ensure_ascii=False, indent=2)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as out:
        out.write(head[:-2] + ',\n  "findings": [')
        for n, row in enumerate(c.findings()):
            item = dict(zip(FINDING_KEYS, row, strict=True))
            out.write(("," if n else "") + "\n    " + json.dumps(item, ensure_ascii=False))
        out.write("\n  ]\n}\n")


def summary_json(c: Compiled) -> dict[str, object]:
    return {
        "version": JSON_VERSION,
        "year": c.year,
        "edition": c.edition,
        "roster": Path(c.roster.source).name if c.has_roster else None,
        "exit_code": c.exit_code,
        "counts": counts(c),
        "notes": c.notes,
        "agencies": [status_json(r) for r in c.rows],
        "missing": [{"agency": a.name, "group": a.group, "note": note} for a, note in c.missing],
        "sums": {"total": c.total.model_dump(mode="json"),
                 "groups": {g: r.model_dump(mode="json") for g, r in c.groups.items()}},
        "sum_findings": [f.to_dict() for f in c.sum_findings],
    }


def counts(c: Compiled) -> dict[str, int]:
    return {"roster": len(c.roster.agencies), "files": len(c.submissions), "counted": len(c.counted),
            **{state: c.count(state) for state in STATES},
            "late": sum(r.deadline == "late" for r in c.rows)}


def status_json(r: StatusRow) -> dict[str, object]:
    return {"agency": r.agency, "group": r.group, "file": r.file or None, "state": r.state,
            "state_text": STATES[r.state], "submitted": r.submitted, "counted": r.counted,
            "report_date": r.report_date.isoformat() if r.report_date else None,
            "deadline": r.deadline or None, "days_late": r.days_late, "errors": r.errors, "warnings": r.warnings,
            "infos": r.infos, "balanced": r.balanced, "new_requests": r.new,
            "granted_share": round(r.granted_share, 4) if r.granted_share is not None else None,
            "review_total": r.review, "suit_total": r.suits, "note": r.note}


def write_outputs(out: Path, c: Compiled, jobs: int = 1) -> list[Path]:
    """The tables (xlsx, JSON) and the report (charts, docx) are independent: with --jobs > 1
    the tables are written by a second process meanwhile (each half takes one to two seconds,
    mostly importing openpyxl or matplotlib)."""
    out.mkdir(parents=True, exist_ok=True)
    with side_task(write_tables, out, c, parallel=jobs > 1):
        charts = chart_images(c)
        for name, png in charts:
            write_bytes_atomic(out / CHART_DIR / name, png)
        write_docx(out / OUT_DOCX, c, charts)
    written = [out / OUT_XLSX, out / OUT_DOCX, out / OUT_JSON, out / CHART_DIR]
    if any(s.rendered for s in c.submissions):
        written.append(out / RENDER_DIR)
    return written


def write_tables(out: Path, c: Compiled) -> None:
    write_xlsx(out / OUT_XLSX, c)
    write_json(out / OUT_JSON, c)


_SIDE: tuple[Callable[..., None], tuple[Any, ...]] | None = None


def _run_side() -> tuple[str, str]:
    """In the side process: run the task; an error comes back as text (InputError does not pickle)."""
    assert _SIDE is not None
    func, args = _SIDE
    try:
        func(*args)
    except InputError as err:
        return "input", err.describe()
    except Exception as err:  # an internal error: re-raised in the main process
        return "internal", f"{type(err).__name__}: {err}"
    return "", ""


@contextmanager
def side_task(func: Callable[..., None], *args: Any, parallel: bool) -> Iterator[None]:
    """Run `func(*args)` beside the block (a forked process) or after it (no fork, or not parallel)."""
    global _SIDE
    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        yield
        func(*args)
        return
    _SIDE = (func, args)  # inherited by the forked child, never pickled
    with ProcessPoolExecutor(1, mp_context=pool_context()) as pool:
        future = pool.submit(_run_side)
        yield
        kind, problem = future.result()
    _SIDE = None
    if kind == "input":
        raise InputError(str(args[0]), problem)
    if kind:
        raise RuntimeError(problem)
