"""Writing a tally's sections 三 and 四 into a report: an agency workbook, where only the cells of
those sections change, or a report JSON, updated or created."""

from __future__ import annotations

from pathlib import Path

from qtx_report.ledger.tally import Tally
from qtx_report.model.findings import InputError
from qtx_report.model.report import Report
from qtx_report.read.load import load_report
from qtx_report.write.files import atomic_path, write_bytes_atomic


def write_report(output: Path, tally: Tally, agency: str, inputs: tuple[Path, ...]) -> None:
    """Into the report `output` names by its suffix; `inputs` are never overwritten."""
    if output.suffix.lower() == ".json":
        write_json_report(output, tally, agency, inputs)
    elif output.suffix.lower() in (".xlsx", ".xlsm"):
        if not output.exists():
            raise InputError(str(output), "填报工作簿不存在。请先用 qtx-report template 生成，或用 -o 报告.json。")
        write_workbook_report(output, tally, inputs)
    else:
        raise InputError(str(output), "输出文件须为填报工作簿（.xlsx）或报告 JSON（.json）。")


def _apply(report_data: dict[str, object], tally: Tally) -> dict[str, object]:
    data = dict(report_data)
    data["section3"] = tally.section3
    if tally.section4 is not None:
        data["section4"] = tally.section4
    return data


def write_json_report(output: Path, tally: Tally, agency: str, inputs: tuple[Path, ...]) -> None:
    """Update section 三/四 of an existing report JSON, or create a new report."""
    if output.exists():
        report = load_report(output).report
        _check_same_year(output, report.year, tally.year)
        data = _apply(report.model_dump(), tally)
    else:
        if not agency:
            raise InputError(str(output), "新建报告 JSON 需要单位名称，请加 --agency 单位名称。")
        data = _apply({"agency": agency, "year": tally.year, "edition": tally.edition}, tally)
    report = Report.model_validate(data)
    write_bytes_atomic(output, report.model_dump_json(indent=2).encode("utf-8"), inputs=inputs)


def _check_same_year(path: Path, report_year: int, year: int) -> None:
    if report_year != year:
        raise InputError(str(path), f"报告年度为{report_year}年，与 --year {year} 不一致。")


def report_edition(output: Path | None) -> str | None:
    """The edition of an existing output report, so the ledger's results are read against it."""
    if output is None or not output.exists():
        return None
    return load_report(output).report.edition


def write_workbook_report(output: Path, tally: Tally, inputs: tuple[Path, ...]) -> int:
    """Write the tallied numbers into the agency workbook, in the cells where the loader found each
    label; formulas (the workbook's own totals) and everything else the clerk wrote stay as they are."""
    from openpyxl import load_workbook

    loaded = load_report(output)
    _check_same_year(output, loaded.report.year, tally.year)
    wb = load_workbook(output)
    written = 0
    for section, grid in (("section3", tally.section3), ("section4", tally.section4)):
        for row_key, cells in (grid or {}).items():
            for col_key, value in cells.items():
                written += _write_cell(wb, loaded.locations, (section, row_key, col_key), value, output)
    with atomic_path(output, inputs=inputs) as tmp:
        wb.save(tmp)
    return written


def _write_cell(wb, locations, key: tuple[str, str, str], value: int, output: Path) -> int:
    where = locations.get(key)
    if where is None:
        if key[1] == "results_total" or key[2] == "total":
            return 0  # a total the workbook computes itself
        raise InputError(str(output), f"填报工作簿中找不到第三/四部分的单元格（{'/'.join(key)}），未写入。"
                                      "请使用 qtx-report template 生成的工作簿。")
    cell = wb[where.sheet][where.cell]
    if isinstance(cell.value, str) and cell.value.startswith("="):
        return 0  # keep the workbook's formula
    cell.value = value
    return 1
