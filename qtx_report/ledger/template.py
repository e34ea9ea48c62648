"""The ledger template: 登记台账 and 复议诉讼 with drop-down lists and date checks, a 说明 sheet
written from the column definitions, and a hidden 选项 sheet. openpyxl is imported inside the
functions, so commands that only read a ledger do not load it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from qtx_report.form.editions import DEFAULT_EDITION
from qtx_report.ledger.columns import (
    CASE_COLUMNS,
    CASE_SHEET,
    DELIVERIES,
    GENERAL_HELP,
    HELP_SHEET,
    LIST_SHEET,
    METHODS,
    NO,
    REQUEST_COLUMNS,
    REQUEST_SHEET,
    YES,
    LedgerColumn,
    applicant_choices,
    case_kind_choices,
    case_result_choices,
    result_choices,
)
from qtx_report.model.text import display_width
from qtx_report.write.files import atomic_path

_TEMPLATE_ROWS = 5000  # data validation reaches this far; Excel users rarely go beyond in a year


def write_ledger_template(path: Path, edition: str = DEFAULT_EDITION, overwrite: bool = False) -> None:
    """A ledger workbook: 登记台账 (one row per request), 复议诉讼, 说明, and a hidden 选项 sheet
    holding the drop-down lists (Excel limits an inline list to 255 characters)."""
    from openpyxl import Workbook

    lists = _template_lists(edition)
    wb = Workbook()
    requests = wb.active
    requests.title = REQUEST_SHEET
    _template_sheet(requests, REQUEST_COLUMNS, lists)
    _template_sheet(wb.create_sheet(CASE_SHEET), CASE_COLUMNS, lists)
    _help_sheet(wb.create_sheet(HELP_SHEET), lists, edition)
    _list_sheet(wb.create_sheet(LIST_SHEET), lists)
    for ws in wb.worksheets:  # printed on landscape pages, all columns on one page width
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1" if ws.title in (REQUEST_SHEET, CASE_SHEET) else None
    with atomic_path(Path(path), overwrite=overwrite) as tmp:
        wb.save(tmp)


def _template_lists(edition_name: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(sheet, column key) → drop-down values."""
    def texts(pairs: Iterable[tuple[str, str]]) -> tuple[str, ...]:
        return tuple(t for t, _ in pairs)

    flags = (YES, NO)
    return {
        (REQUEST_SHEET, "applicant"): texts(applicant_choices(edition_name)),
        (REQUEST_SHEET, "method"): METHODS,
        (REQUEST_SHEET, "correction"): flags,
        (REQUEST_SHEET, "consulted"): flags,
        (REQUEST_SHEET, "extended"): flags,
        (REQUEST_SHEET, "result"): texts(result_choices(edition_name)),
        (REQUEST_SHEET, "delivery"): DELIVERIES,
        (CASE_SHEET, "kind"): texts(case_kind_choices(edition_name)),
        (CASE_SHEET, "result"): texts(case_result_choices(edition_name)),
    }


def _list_range(lists: dict[tuple[str, str], tuple[str, ...]], wanted: tuple[str, str]) -> str:
    from openpyxl.utils import get_column_letter

    for i, (key, values) in enumerate(lists.items()):
        if key == wanted:
            col = get_column_letter(i + 1)
            return f"'{LIST_SHEET}'!${col}$2:${col}${len(values) + 1}"
    raise KeyError(wanted)


def _template_sheet(ws, columns: Sequence[LedgerColumn], lists: dict[tuple[str, str], tuple[str, ...]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    ws.append([c.label for c in columns])
    for i, col in enumerate(columns):
        letter = get_column_letter(i + 1)
        head = ws[f"{letter}1"]
        head.font, head.fill = bold, fill
        head.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[letter].width = col.width
        area = f"{letter}2:{letter}{_TEMPLATE_ROWS}"
        if col.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
            dv = DataValidation(type="date", operator="between", formula1="36526", formula2="73415", allow_blank=True,
                                error="请填写日期，如 2024-03-05", errorTitle=col.label, showErrorMessage=True)
        elif col.kind in ("choice", "flag"):
            dv = DataValidation(type="list", formula1=_list_range(lists, (ws.title, col.key)), allow_blank=True,
                                showErrorMessage=col.strict, error="请从下拉列表选择", errorTitle=col.label)
        else:
            continue
        dv.add(area)
        ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "B2"


def _help_sheet(ws, lists: dict[tuple[str, str], tuple[str, ...]], edition_name: str) -> None:
    from openpyxl.styles import Alignment, Font

    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([f"依申请公开登记台账 使用说明（年度报告格式：{edition_name}版）"])
    ws["A1"].font = Font(bold=True, size=14)
    for line in GENERAL_HELP:
        ws.append([line])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=3)
        ws.cell(ws.max_row, 1).alignment = wrap
        ws.row_dimensions[ws.max_row].height = _wrapped_height(line, 115)
    for sheet, columns in ((REQUEST_SHEET, REQUEST_COLUMNS), (CASE_SHEET, CASE_COLUMNS)):
        ws.append([])
        ws.append([f"工作表“{sheet}”", "必填", "说明"])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for col in columns:
            choices = "、".join(lists.get((sheet, col.key), ()))
            text = col.help.format(choices=choices)
            ws.append([col.label, YES if col.required else "", text])
            for cell in ws[ws.max_row]:
                cell.alignment = wrap
            ws.row_dimensions[ws.max_row].height = _wrapped_height(text, 105)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 6
    ws.column_dimensions["C"].width = 90


def _wrapped_height(text: str, width: int) -> float:
    """Row height (points) for wrapped text in a cell `width` characters wide: openpyxl does not
    compute it, and Excel/LibreOffice keep one line otherwise."""
    return 16.0 * max(1, -(-display_width(text) // width))


def _list_sheet(ws, lists: dict[tuple[str, str], tuple[str, ...]]) -> None:
    for i, ((sheet, key), values) in enumerate(lists.items()):
        columns = REQUEST_COLUMNS if sheet == REQUEST_SHEET else CASE_COLUMNS
        label = next(c.label for c in columns if c.key == key)
        ws.cell(1, i + 1, f"{sheet}·{label}")
        for r, value in enumerate(values, start=2):
            ws.cell(r, i + 1, value)
    ws.sheet_state = "hidden"
