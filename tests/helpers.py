"""Shared fixtures: balanced reports with real-looking text, and workbook helpers."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from qtx_report import synth
from qtx_report.model.loaded import Loaded
from qtx_report.model.report import Report
from qtx_report.read.load import load_report
from qtx_report.write.workbook import write_template

OVERVIEW = (
    "2025年，本局坚持以公开为常态、不公开为例外，围绕自然资源管理重点工作推进政务公开。"
    "全年通过门户网站主动公开规划许可、用地审批、矿业权出让等信息，及时更新机构职能和办事指南。"
    "依申请公开方面，严格执行登记、审核、答复、归档流程，所有申请均在法定期限内答复。"
    "政府信息管理方面，完成行政规范性文件清理，动态调整公开目录。平台建设方面，整合专栏，方便群众查阅。"
)
PROBLEMS = (
    "一是部分栏目更新不够及时，征地信息公开存在滞后；二是政策解读形式较单一。"
    "改进措施：明确专人每周核查栏目，征地批复在收到后5个工作日内公开；增加图解和视频解读。"
)


def balanced(edition: str = "2021", seed: int = 1, **changes: object) -> Report:
    report = synth.report("青铜峡市自然资源局", 2025, edition, seed, size=3)
    return report.model_copy(update={"overview": OVERVIEW, "problems": PROBLEMS, **changes})


def as_loaded(report: Report, path: str = "report.json") -> Loaded:
    return Loaded(path, report)


def write_filled(path: Path, report: Report) -> Loaded:
    """A blank template filled cell by cell with openpyxl, at the places the loader reads."""
    write_template(path, edition=report.edition, agency=report.agency, year=report.year)
    blank = load_report(path)
    book = openpyxl.load_workbook(path)
    for (grid, row, column), ref in blank.locations.items():
        book[ref.sheet][ref.cell] = report.value(grid, row, column)  # type: ignore[arg-type]
    book.save(path)
    return load_report(path)


def set_cell(path: Path, grid: str, row: str, column: str, value: object) -> None:
    """Overwrite one number cell of a workbook, as a clerk would in Excel."""
    ref = load_report(path).locations[(grid, row, column)]
    book = openpyxl.load_workbook(path)
    book[ref.sheet][ref.cell] = value
    book.save(path)


