"""全市汇总.xlsx: the status of every file, the missing agencies, every finding, the sections copied
across agencies (雷同) and the group sums beside the summed official tables; with 上级单位 on the roster, the sum under each parent (laid out
as the group sums) and each cell where a parent's own report differs from its children's sum. The
long list sheets are streamed into the archive.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from qtx_report.city.copying import COPY_SHEET
from qtx_report.city.hierarchy import CHECK_SHEET, Hierarchy
from qtx_report.city.reviews import (
    DECISION,
    DECISIONS,
    FINDINGS_SHEET,
    RESOLVED_SHEET,
    REVIEW_COLUMNS,
    Reviewed,
    review_cells,
)
from qtx_report.city.roster import CITY
from qtx_report.city.scoring import Score
from qtx_report.city.status import STATES, Compiled, StatusRow
from qtx_report.form.editions import edition
from qtx_report.model.findings import SEVERITY_NAMES
from qtx_report.model.report import Report
from qtx_report.ooxml.sheetml import append_rows, column_letter
from qtx_report.ooxml.zips import office_text, repack
from qtx_report.rules.indicators import NAMES as INDICATORS
from qtx_report.write.files import atomic_path

STATUS_COLUMNS = (("单位名称", 30), ("分组", 10), ("文件", 24), ("是否报送", 9), ("状态", 10), ("计入汇总", 9),
                  ("成文日期", 12), ("收件时间", 17), ("版本", 6), ("按时报送", 11), ("错误", 7), ("警告", 7),
                  ("提示", 7), ("勾稽平衡", 9),
                  ("新收申请", 9), *((label, 12) for _, label, _ in INDICATORS), ("行政复议总计", 12), ("行政诉讼总计", 12),
                  ("异常提示", 40), ("说明", 50))
SHARE_COLUMNS = {15 + i: "0.0%" for i in range(len(INDICATORS))}
MISSING_COLUMNS = (("单位名称", 34), ("分组", 12), ("别名", 40), ("说明", 50))
# In `status.finding_row` order (its fingerprint the first review column), then the office's decision.
FINDING_COLUMNS = (("单位名称", 26), ("文件", 22), ("代码", 7), ("严重程度", 9), ("规则", 36), ("说明", 70),
                   ("部分", 20), ("行", 20), ("列", 12), ("工作表", 16), ("单元格", 10), ("应为", 10), ("实际", 10),
                   *REVIEW_COLUMNS)
# Decisions whose finding is gone, with the finding as last seen (read back like 问题清单).
RESOLVED_COLUMNS = (("单位名称", 26), ("文件", 22), ("代码", 7), ("严重程度", 9), ("说明", 70), *REVIEW_COLUMNS)
# With --score: the score beside each status row, and every deduction with its evidence.
SCORE_COLUMNS = (("得分", 8), ("档次", 8))
DEDUCTION_COLUMNS = (("名次", 6), ("单位名称", 28), ("得分", 8), ("档次", 8), ("考核项目", 30), ("本项扣分", 9),
                     ("依据代码", 9), ("说明", 70), ("文件", 24), ("位置", 20))
DEDUCTION_SHEET = "考核扣分"
STATUS_SHEET, MISSING_SHEET, GROUPS_SHEET = "报送情况", "未报送单位", "分组汇总"
PARENTS_SHEET = "层级汇总"
CHECK_COLUMNS = (("上级单位", 26), ("表", 30), ("行", 40), ("列", 22), ("上级报告数值", 13), ("下级合计", 11),
                 ("差额", 9), ("未计入的下级单位", 50))
# One row per pair and section copied across agencies (`city.copying`).
COPY_COLUMNS = (("单位甲", 28), ("单位乙", 28), ("部分", 26), ("相同比例", 10), ("最长相同段落", 90))
STREAMED_AFTER = 2  # the header and the first row go through openpyxl, which styles them


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def status_values(row: StatusRow) -> list[object]:
    return [row.agency, row.group, row.file, yes_no(row.submitted), STATES[row.state], yes_no(row.counted),
            row.report_date.isoformat() if row.report_date else "",
            row.received.strftime("%Y-%m-%d %H:%M") if row.received else "", row.version, row.deadline_text,
            row.errors if row.file else None, row.warnings if row.file else None, row.infos if row.file else None,
            yes_no(row.balanced), row.new, *(getattr(row.indicators, key) for key, _, _ in INDICATORS), row.review,
            row.suits, "；".join(row.prompts), row.note]


def finding_values(row: list[object], reviews: Reviewed) -> list[object]:
    *shown, fp = row
    return [SEVERITY_NAMES.get(v, v) if i == 3 else v for i, v in enumerate(shown)] + review_cells(
        str(fp), reviews.get(str(fp)))


def resolved_rows(reviews: Reviewed) -> list[list[object]]:
    return [[r.agency, r.file, r.code, SEVERITY_NAMES.get(r.severity, ""), r.message,
             *review_cells(r.fingerprint, r)[:-1], status] for status, r in reviews.gone()]


def decision_choices(ws, columns, n_rows: int) -> None:
    """A drop-down of the decisions in the 处理意见 column, so a typo cannot be entered."""
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = column_letter([label for label, _ in columns].index(DECISION))
    choices = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle=DECISION,
                             error=f"只能选择“{DECISIONS[0]}”或“{DECISIONS[1]}”，或留空（尚未处理）。")
    choices.add(f"{letter}2:{letter}{max(n_rows, 1) + 1}")
    ws.add_data_validation(choices)


def write_xlsx(path: Path, c: Compiled, scores: list[Score] | None = None) -> None:
    from qtx_report.write.workbook import GUIDE_SHEET, build_workbook

    wb = build_workbook(report=c.total)
    del wb[GUIDE_SHEET]  # the clerk's guide has nothing to say about a summary
    wb.properties.title = f"{CITY}{c.year}年度政府信息公开工作年度报告汇总"
    streams: dict[str, Stream] = {}
    if scores is None:
        columns, status = STATUS_COLUMNS, (status_values(r) for r in c.rows)
    else:
        by_agency = {s.agency: s for s in scores}
        columns = STATUS_COLUMNS + SCORE_COLUMNS
        status = (status_values(r) + score_cells(by_agency.get(r.agency)) for r in c.rows)
    streams[STATUS_SHEET] = table_sheet(wb, STATUS_SHEET, columns, status, len(c.rows), 0, SHARE_COLUMNS,
                                         freeze="B2")  # the agency name stays in view
    missing = ([a.name, a.group, "、".join(a.aliases), note] for a, note in c.missing)
    streams[MISSING_SHEET] = table_sheet(wb, MISSING_SHEET, MISSING_COLUMNS, missing, len(c.missing), 1)
    n_findings = sum(r.errors + r.warnings + r.infos + r.explained + r.dismissed for r in c.rows) + len(c.sum_findings)
    findings = (finding_values(row, c.reviews) for row in c.findings())
    # Sheets that repeat official labels go after the official tables: the loader anchors on the
    # first label it meets, so `qtx-report check/build 全市汇总.xlsx` reads the summed tables.
    streams[FINDINGS_SHEET] = table_sheet(wb, FINDINGS_SHEET, FINDING_COLUMNS, findings, n_findings, None)
    decision_choices(wb[FINDINGS_SHEET], FINDING_COLUMNS, n_findings)
    gone = resolved_rows(c.reviews)  # carried on, so regenerating the workbook loses no decision
    streams[RESOLVED_SHEET] = table_sheet(wb, RESOLVED_SHEET, RESOLVED_COLUMNS, iter(gone), len(gone), None)
    decision_choices(wb[RESOLVED_SHEET], RESOLVED_COLUMNS, len(gone))
    if scores is not None:
        rows = deduction_rows(scores)
        streams[DEDUCTION_SHEET] = table_sheet(wb, DEDUCTION_SHEET, DEDUCTION_COLUMNS, iter(rows), len(rows), None,
                                               freeze="C2")
    copies = copy_rows(c)
    streams[COPY_SHEET] = table_sheet(wb, COPY_SHEET, COPY_COLUMNS, iter(copies), len(copies), None, {3: "0%"})
    columns, rows = group_table(c)
    streams[GROUPS_SHEET] = table_sheet(wb, GROUPS_SHEET, columns, iter(rows), len(rows), None)
    if c.hierarchy is not None:
        # Named in full, as 报送情况 names them: a parent's short name may say little (人民政府办公室).
        columns, rows = group_table(c, {check.name: c.hierarchy.sums[check.key] for check in c.hierarchy.checks})
        streams[PARENTS_SHEET] = table_sheet(wb, PARENTS_SHEET, columns, iter(rows), len(rows), None)
        rows = check_rows(c.hierarchy, c.edition)
        streams[CHECK_SHEET] = table_sheet(wb, CHECK_SHEET, CHECK_COLUMNS, iter(rows), len(rows), None, freeze="B2")
    wb.active = 0
    save_streamed(wb, path, streams, c.stamp)


def score_cells(s: Score | None) -> list[object]:
    return [s.score, s.level] if s else [None, ""]


def deduction_rows(scores: list[Score]) -> list[list[object]]:
    """One row per piece of evidence, in ranking order; an agency without deductions gets one row."""
    rows: list[list[object]] = []
    for s in scores:
        head = [s.rank, s.agency, s.score, s.level]
        rows += [[*head, d.item.name, d.points, e.code, e.message, e.file, e.place]
                 for d in s.deductions for e in d.evidence] or [[*head, "无扣分", 0, "", "", "", ""]]
    return rows


def copy_rows(c: Compiled) -> list[list[object]]:
    """A row per copied pair and section: the two agencies (with their files), the larger share,
    the longest shared passages."""
    ed = edition(c.edition)
    return [[f"{x.first.agency}（{x.first.file}）", f"{x.second.agency}（{x.second.file}）",
             ed.section(x.section).heading, round(x.share, 4), "；".join(f"“{p}”" for p in x.passages)]
            for x in c.copied]


def group_table(c: Compiled, sums: dict[str, Report] | None = None) -> tuple[tuple[tuple[str, float], ...],
                                                                                list[list[object]]]:
    """Every cell of the form, one row each, with a column per group (or per entry of `sums`:
    the parents) and the city total."""
    ed = edition(c.edition)
    sums = c.groups if sums is None else sums
    groups = list(sums)
    columns = (("部分", 30), ("行", 40), ("列", 22), *((g, 11) for g in groups), ("全市合计", 11))
    rows = []
    for cell in ed.cells.values():  # already in printed order
        rows.append([ed.heading_of(cell.grid), cell.row_label, cell.column_label,
                     *(sums[g].value(*cell.key) for g in groups),  # type: ignore[arg-type]
                     c.total.value(*cell.key)])  # type: ignore[arg-type]
    return columns, rows


def check_rows(hierarchy: Hierarchy, edition_name: str) -> list[list[object]]:
    """One row per cell where a parent's own report and its children's sum differ, in CHECK_COLUMNS order."""
    ed = edition(edition_name)
    rows = []
    for check in hierarchy.checks:
        missing = "、".join(f"{unit}（{why}）" for unit, why in check.missing)
        for d in check.differences:
            cell = ed.cells[d.cell]
            rows.append([check.name, ed.heading_of(cell.grid), cell.row_label, cell.column_label,
                         d.own, d.children, d.delta, missing])
    return rows


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

