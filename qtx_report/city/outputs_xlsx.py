"""全市汇总.xlsx: the status of every file, the missing agencies, every finding and the group sums
beside the summed official tables. The long list sheets are streamed into the archive.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from qtx_report.city.roster import CITY
from qtx_report.city.status import STATES, Compiled, StatusRow
from qtx_report.form.editions import edition
from qtx_report.model.findings import SEVERITY_NAMES
from qtx_report.ooxml.sheetml import append_rows, column_letter
from qtx_report.ooxml.zips import office_text, repack
from qtx_report.write.files import atomic_path

STATUS_COLUMNS = (("单位名称", 30), ("分组", 10), ("文件", 24), ("是否报送", 9), ("状态", 10), ("计入汇总", 9),
                  ("成文日期", 12), ("按时报送", 11), ("错误", 7), ("警告", 7), ("提示", 7), ("勾稽平衡", 9),
                  ("新收申请", 9), ("予以公开占比", 12), ("行政复议总计", 12), ("行政诉讼总计", 12), ("说明", 50))
MISSING_COLUMNS = (("单位名称", 34), ("分组", 12), ("别名", 40), ("说明", 50))
# In `status.finding_row` order.
FINDING_COLUMNS = (("单位名称", 26), ("文件", 22), ("代码", 7), ("严重程度", 9), ("规则", 36), ("说明", 70),
                   ("部分", 20), ("行", 20), ("列", 12), ("工作表", 16), ("单元格", 10), ("应为", 10), ("实际", 10))
STATUS_SHEET, MISSING_SHEET, FINDINGS_SHEET, GROUPS_SHEET = "报送情况", "未报送单位", "问题清单", "分组汇总"
STREAMED_AFTER = 2  # the header and the first row go through openpyxl, which styles them


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
    save_streamed(wb, path, streams, c.stamp)


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

    ws = wb.create_sheet(title, position)
    for i, (label, width) in enumerate(columns, start=1):
        cell = ws.cell(1, i, label)
        cell.font = Font(name="宋体", bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[column_letter(i - 1)].width = width
    ws.freeze_panes = freeze
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ref = f"A1:{column_letter(len(columns) - 1)}{max(n_rows, 1) + 1}"
    ws.auto_filter.ref = ref
    first = next(rows, None)
    if first is not None:
        for i, value in enumerate(first, start=1):
            cell = ws.cell(STREAMED_AFTER, i, office_text(value) if isinstance(value, str) else value)
            cell.font = Font(name="宋体")
            if formats and i - 1 in formats:
                cell.number_format = formats[i - 1]
    return Stream(rows, ref)


def save_streamed(wb, path: Path, streams: dict[str, Stream], stamp: tuple[int, ...]) -> None:
    """Save `wb`, then append each streamed sheet's rows after its row 2 (same cell styles), with
    fixed timestamps. openpyxl would hold every cell of 100,000 finding rows in memory."""
    buffer = io.BytesIO()
    wb.save(buffer)
    writers = {wb[title].path.lstrip("/"): partial(append_rows, ref=stream.ref, rows=stream.rows, after=STREAMED_AFTER)
               for title, stream in streams.items()}
    with atomic_path(path) as tmp:
        repack(buffer.getvalue(), tmp, stamp, writers)

