"""The agency workbook (填报工作簿): the official form as an .xlsx a clerk fills in.

Why openpyxl: it is already a dependency and writes everything the template needs (merged
cells, data validation with Chinese prompts, sheet protection, print setup). xlsxwriter could
also store cached results for the total formulas, but that would be a second Excel library for
one thing the loader already covers (an uncached total is computed while reading, code I105).

Layout contract with `read.load`, which finds everything by label (every label comes from `form.editions`):
- 基本信息: META_FIELDS label in column A, value in column B; row 1 is a title.
- 文字部分: section heading in column A, its text in column B; row 1 is a title.
- 二、… 三、… 四、…: each table of `form.grids` from A1, every label, merge and number cell where the
  grid puts it (section 二 on the edition's own column grid); a merged input keeps its value in its
  left cell. What the loader relies on: in 二 per table a caption row, a header row (row_header in A,
  column labels), one row per form row (label in A); in 三 data columns from D, and in every data row
  the most specific label is the rightmost non-empty text cell left of D; in 四 three header rows
  (group / suit group / column labels), then the 15 numbers.
Totals are live SUM formulas unless the report deliberately types a different number.

Pre-filled from last year's report (`previous`): what this year's report carries over is typed in as
values (上年结转 per column from 结转下年度, H701; in the 2019 edition 上一年项目数量, H703) on a pale green
fill with a comment naming last year's file; last year's 现行有效 is only a comment on the 本年 cell (H702),
and last year's section 五 a locked list below the text rows. Comments and that list are never read as
the report: calamine reads no comments, and a text is only the cell right of its own heading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from math import ceil
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from qtx_report.form import editions as form
from qtx_report.form.editions import Column, Edition, ValueKind
from qtx_report.form.grids import Cell as GridCell
from qtx_report.form.grids import CellKey, Part, TableLayout, layouts
from qtx_report.model.loaded import Loaded
from qtx_report.model.numbers import format_number
from qtx_report.model.report import Number, Report
from qtx_report.model.text import paragraphs
from qtx_report.ooxml.zips import CORE_PROPERTY_LIMIT, office_text
from qtx_report.write.files import atomic_path

GUIDE_SHEET = "填写说明"
FONT_NAME = "宋体"  # the font of the official template; Excel/WPS have it, LibreOffice substitutes a CJK font
LINE_HEIGHT = 15.0  # points per wrapped line of 11 pt 宋体, with a little air
MAX_ROW_HEIGHT = 409.0  # Excel's limit
EXCEL_TEXT_LIMIT = 32767
GUIDE_WIDTH = 80  # LibreOffice ignores fit-to-width when one column alone is wider than the page
TEXT_WIDTH = 80

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL_INPUT = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: type here
_FILL_TOTAL = PatternFill("solid", fgColor="E7E6E6")  # grey: computed, locked
_FILL_CAPTION = PatternFill("solid", fgColor="DDEBF7")  # the blue caption bar of the official section 二
_FILL_CARRIED = PatternFill("solid", fgColor="E2EFDA")  # pale green: typed in from last year's report
_FONT = Font(name=FONT_NAME, size=11)
_FONT_BOLD = Font(name=FONT_NAME, size=11, bold=True)
_FONT_TITLE = Font(name=FONT_NAME, size=14, bold=True)


# ---------------------------------------------------------------- public entry point


def write_template(
    path: Path,
    edition: str = form.DEFAULT_EDITION,
    agency: str = "",
    year: int = date.today().year - 1,
    report: Report | None = None,
    overwrite: bool = False,
    inputs: tuple[Path, ...] = (),
    previous: Loaded | None = None,
) -> None:
    """Write the agency workbook for `edition`. With `report`, its edition, meta, texts and numbers
    are filled in (export, samples, tests); without, every input cell is blank (a blank is never 0).
    With `previous` (last year's report, no `report`), what carries over is pre-filled (see above)."""
    workbook = build_workbook(edition, agency=agency, year=year, report=report, previous=previous)
    with atomic_path(Path(path), overwrite=overwrite, inputs=inputs) as tmp:
        workbook.save(tmp)


def build_workbook(edition: str = form.DEFAULT_EDITION, *, agency: str = "", year: int | None = None,
                   report: Report | None = None, previous: Loaded | None = None) -> Workbook:
    """The workbook in memory (tests look at it without a file). A report's own edition, agency
    and year win over the arguments, so its keys always match the layout."""
    ed = form.edition(report.edition if report else edition)
    year = report.year if report else (year if year is not None else date.today().year - 1)
    meta = _meta_values(ed, agency, year, report)
    last = previous.report if previous is not None and report is None else None
    carried = carried_over(ed, last) if last is not None else {}
    numbers = _seed(ed, year, carried, last) if last is not None else report
    source = Path(previous.path).name if previous is not None else ""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "qtx-report"
    title = form.REPORT_TITLE.format(agency=office_text(str(meta["agency"] or "")), year=year)
    wb.properties.title = title[:CORE_PROPERTY_LIMIT]
    extra = prefilled_paragraphs(ed, year, source, carried) if last is not None else []
    _write_guide(_new_sheet(wb, GUIDE_SHEET), ed, year, extra)
    _write_meta(_new_sheet(wb, form.META_SHEET), meta)
    texts = _new_sheet(wb, form.TEXT_SHEET)
    _write_texts(texts, report)
    if last is not None:
        _write_last_problems(texts, year - 1, source, last.problems)
    for grid, layout in grid_layouts(ed).items():
        wide = grid == "section4"  # fifteen columns fit across a landscape page only
        sheet = _new_sheet(wb, section_sheet_name(ed, form.GRID_SECTIONS[grid]), landscape=wide)
        _SECTION_WRITERS[grid](sheet, ed, layout, numbers)
    if last is not None:
        _mark_previous(wb, ed, source, carried, last)
    wb.active = 0
    return wb


def section_sheet_name(ed: Edition, section_key: str) -> str:
    """The tab of a numeric section: its full heading (all fit Excel's 31-character limit)."""
    name = ed.section(section_key).heading
    for bad in "[]:*?/\\":
        name = name.replace(bad, "、")
    return name[:31]


# ---------------------------------------------------------------- cell writing


@dataclass(frozen=True)
class _Rule:
    """One data-validation rule; cells sharing a rule share one <dataValidation> element."""

    type: str | None
    operator: str | None = None
    formula1: str | None = None
    formula2: str | None = None
    prompt_title: str = ""
    prompt: str = ""
    error_title: str = ""
    error: str = ""


class _Sheet:
    """A worksheet plus the helpers every layout uses: styled (merged) labels, input cells, totals."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._validations: dict[_Rule, DataValidation] = {}

    def widths(self, widths: Sequence[float]) -> None:
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def label(self, row: int, col: int, text: str, *, bottom: int | None = None, right: int | None = None,
              align: str = "center", bold: bool = False, fill: PatternFill | None = None) -> None:
        """A locked label cell, merged down to `bottom` and across to `right`."""
        bottom, right = bottom or row, right or col
        alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        self._style_range(row, col, bottom, right, font=_FONT_BOLD if bold else _FONT,
                          alignment=alignment, fill=fill)
        self.ws.cell(row, col, text)
        self._merge(row, col, bottom, right)
        self.fit_height(row, bottom, text, self.span_width(col, right))

    def number(self, row: int, col: int, value: Number, column: Column, *, right: int | None = None) -> None:
        """An unlocked input cell for one number, validated by the column's kind."""
        right = right or col
        self._style_range(row, col, row, right, font=_FONT, fill=_FILL_INPUT, locked=False,
                          alignment=Alignment(horizontal="center", vertical="center"))
        self.ws.cell(row, col, value)
        self._merge(row, col, row, right)
        self.validate(self.ws.cell(row, col).coordinate, number_rule(column))

    def total(self, row: int, col: int, formula: str, parts: Iterable[Number], typed: Number) -> Number:
        """A locked total: the live SUM formula, or the report's own number where it disagrees with
        the sum of its parts (so deliberately wrong samples can be made). Returns what the cell shows."""
        computed = sum(v for v in parts if v is not None)
        shown, content = (typed, typed) if typed is not None and typed != computed else (computed, f"={formula}")
        self._style_range(row, col, row, col, font=_FONT_BOLD, fill=_FILL_TOTAL,
                          alignment=Alignment(horizontal="center", vertical="center"))
        self.ws.cell(row, col, content)
        return shown

    def text_input(self, row: int, col: int, value: object, *, number_format: str = "General",
                   align: str = "left", vertical: str = "center") -> None:
        if isinstance(value, str):  # what a clerk typed or passed: only what a cell can hold
            value = office_text(value)[:EXCEL_TEXT_LIMIT]
        cell = self.ws.cell(row, col, value)
        self._style_range(row, col, row, col, font=_FONT, fill=_FILL_INPUT, locked=False,
                          alignment=Alignment(horizontal=align, vertical=vertical, wrap_text=True))
        cell.number_format = number_format

    def validate(self, coordinate: str, rule: _Rule) -> None:
        if rule not in self._validations:
            self._validations[rule] = _data_validation(rule)
            self.ws.add_data_validation(self._validations[rule])
        self._validations[rule].add(coordinate)

    def span_width(self, left: int, right: int) -> float:
        dims = self.ws.column_dimensions
        return sum(dims[get_column_letter(c)].width or 9.0 for c in range(left, right + 1))

    def fit_height(self, top: int, bottom: int, text: str, width: float) -> None:
        """Raise row heights so wrapped text shows in full: Excel does not re-measure rows on open."""
        needed = min(text_lines(text, width) * LINE_HEIGHT + 4, MAX_ROW_HEIGHT * (bottom - top + 1))
        rows = range(top, bottom + 1)
        current = sum(self.ws.row_dimensions[r].height or LINE_HEIGHT for r in rows)
        if current < needed:
            extra = (needed - current) / len(rows)
            for r in rows:
                self.ws.row_dimensions[r].height = round((self.ws.row_dimensions[r].height or LINE_HEIGHT) + extra, 1)

    def _style_range(self, top: int, left: int, bottom: int, right: int, *, font: Font, alignment: Alignment,
                     fill: PatternFill | None = None, locked: bool = True) -> None:
        # Every cell of a merged range gets the border, or Excel/LibreOffice draw it only on the anchor.
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                cell = self.ws.cell(r, c)
                cell.font, cell.alignment, cell.border = font, alignment, _BORDER
                cell.protection = Protection(locked=locked)
                if fill is not None:
                    cell.fill = fill

    def _merge(self, top: int, left: int, bottom: int, right: int) -> None:
        if (top, left) != (bottom, right):
            self.ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)


def _data_validation(rule: _Rule) -> DataValidation:
    return DataValidation(
        type=rule.type, operator=rule.operator, formula1=rule.formula1, formula2=rule.formula2,
        allow_blank=True,  # a blank is reported by the validator, with its reason, not refused while typing
        showInputMessage=bool(rule.prompt), promptTitle=rule.prompt_title or None, prompt=rule.prompt or None,
        showErrorMessage=rule.type is not None, errorStyle="stop" if rule.type else None,
        errorTitle=rule.error_title or None, error=rule.error or None,
    )


def number_rule(column: Column) -> _Rule:
    """The data validation for a number cell of `column`: what is allowed comes from its value kind;
    the prompts say it in the clerk's words."""
    kind, unit = column.kind, column.unit
    kind_type = "decimal" if kind.fraction else "whole"
    bounds = ("between", "-1000000000", "1000000000") if kind.negative else ("greaterThanOrEqual", "0", None)
    return _Rule(kind_type, *bounds, *_PROMPTS[kind](unit))  # type: ignore[arg-type]


_PROMPTS: dict[ValueKind, Callable[[str], tuple[str, str, str, str]]] = {
    ValueKind.AMOUNT: lambda unit: ("填写金额", f"单位：{unit}，可以有小数，不能为负数。没有请填 0，不要留空。",
                                    "金额有误", f"这里填写金额（单位：{unit}），只能是 0 或正数，不能填文字。"),
    ValueKind.DELTA: lambda unit: ("填写增减数", f"单位：{unit}，填写整数：增加填正数，减少填负数（如 -2），没有变化填 0。",
                                   "只能填写整数", f"这里填写整数（单位：{unit}），减少用负数表示，不能填小数或文字。"),
    ValueKind.COUNT: lambda unit: ("填写件数", f"单位：{unit}，填写 0 或正整数。没有发生请填 0，不要留空。",
                                   "只能填写整数", f"这里填写 0 或正整数（单位：{unit}），不能填小数、负数或文字。"),
}


def text_lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a cell `width` characters wide (CJK counts double)."""
    usable = max(width - 1.5, 1.0)
    lines = 0
    for paragraph in str(text).split("\n"):
        units = sum(2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in paragraph)
        lines += max(1, ceil(units / usable))
    return lines


def _sum_formula(cells: Sequence[tuple[int, int]]) -> str:
    """SUM over cells in one column or one row, written with ranges where they are contiguous."""
    refs = []
    for _, run in groupby(enumerate(sorted(cells)), key=lambda item: _run_key(item, cells)):
        run_cells = [cell for _, cell in run]
        first, last = run_cells[0], run_cells[-1]
        refs.append(_ref(first) if first == last else f"{_ref(first)}:{_ref(last)}")
    return f"SUM({','.join(refs)})"


def _run_key(item: tuple[int, tuple[int, int]], cells: Sequence[tuple[int, int]]) -> tuple[int, int]:
    # Consecutive cells share (position - index) along the axis that varies.
    index, (row, col) = item
    same_column = len({c for _, c in cells}) == 1
    return (col, row - index) if same_column else (row, col - index)


def _ref(cell: tuple[int, int]) -> str:
    return f"{get_column_letter(cell[1])}{cell[0]}"


# ---------------------------------------------------------------- sheets


def _new_sheet(wb: Workbook, title: str, *, landscape: bool = False) -> _Sheet:
    ws = wb.create_sheet(title)
    ws.sheet_view.zoomScale = 100
    ws.protection.sheet = True  # no password: protection only guards labels and formulas from slips
    ws.protection.formatColumns = False  # False = allowed: clerks may widen columns and rows
    ws.protection.formatRows = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddHeader.center.text = title
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    return _Sheet(ws)


def _write_guide(sh: _Sheet, ed: Edition, year: int, extra: Sequence[str] = ()) -> None:
    sh.widths([GUIDE_WIDTH])
    sh.ws.cell(1, 1, GUIDE_SHEET).font = _FONT_TITLE
    sh.ws.row_dimensions[1].height = 24
    for offset, paragraph in enumerate([*guide_paragraphs(ed, year), *extra], start=2):
        cell = sh.ws.cell(offset, 1, paragraph)
        cell.font = _FONT
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        sh.fit_height(offset, offset, paragraph, GUIDE_WIDTH)


def guide_paragraphs(ed: Edition, year: int) -> list[str]:
    """The 填写说明 text. Official labels are quoted from form.py, never retyped."""
    s3, s4 = ed.section3, ed.section4
    sheets = "、".join([form.META_SHEET, form.TEXT_SHEET] + [section_sheet_name(ed, k)
                                                              for k in ("proactive", "requests", "appeals")])
    balance = "＋".join(s3.row(k).number.rstrip("、") for k in ("new", "carried_in"))
    balance += "＝" + s3.row("results_total").title + "＋" + s3.row("carried_out").number.rstrip("、")
    columns = [c for t in ed.section2 for c in t.columns]
    amounts = "、".join(dict.fromkeys(f"“{c.label}”" for c in columns if c.kind.fraction))
    deltas = "、".join(dict.fromkeys(f"“{c.label}”" for c in columns if c.kind.negative))
    paragraphs = [
        f"1. 本工作簿按{ed.basis}规定的{ed.name}版格式生成，依次填写：{sheets}。统计期为{year}年1月1日至12月31日。",
        "2. 只在浅黄色单元格中填写。标签和合计单元格已锁定（工作表保护未设密码）；请不要改动标签文字，"
        "也不要插入、删除或调换行列，否则无法自动校验。",
        "3. 空白不等于0：没有发生的事项请填写 0。留空的单元格在校验时会作为错误列出，以免漏填。",
        "4. 件数只能填写整数。" + (f"{amounts}以万元为单位，可以有小数。" if amounts else "")
        + (f"{deltas}可以填写负数。" if deltas else ""),
        f"5. 灰色单元格是自动计算的合计，不需要填写：第三部分的“{s3.total_column.label}”列和"
        f"“{s3.row('results_total').title}”行，第四部分每组的“{s4.total_column.label}”。",
        f"6. 第三部分每一列都必须平衡：{balance}，即表格左上角的说明{s3.note}。",
        f"7. “{s3.row('partial').title}”：同一件申请部分公开、部分不公开的，只在这一行计一次，"
        "不再计入其他办理结果；每件申请在办理结果中只计一次。",
        "8. 第四部分：复议机关作为共同被告的行政诉讼案件，只由作出原行政行为的机关统计，复议机关不重复统计。",
        f"9. {form.TEXT_SHEET}：在B列对应格内直接写正文，单元格内换行按 Alt+Enter（WPS 相同）。"
        "问题和改进措施要写具体，不能与往年雷同。",
        f"10. {form.META_SHEET}：成文日期请填写日期，如 {year + 1}-01-10；格式版本请不要改动。",
        "11. 填好后检查：在命令行运行  qtx-report check 文件.xlsx  ，会列出空白、非整数、勾稽关系不平衡等问题及所在单元格。",
        f"12. 期限：请于{year + 1}年1月15日前报送市政府办公室（市政府信息公开领导小组办公室）；"
        f"依照《中华人民共和国政府信息公开条例》第四十九条，县级以上人民政府部门应于{year + 1}年1月31日前"
        "向社会公布本机关上一年度的年度报告。",
    ]
    return paragraphs


def _meta_values(ed: Edition, agency: str, year: int, report: Report | None) -> dict[str, object]:
    if report is not None:
        values = {field: getattr(report, field) for field, _ in form.META_FIELDS}
    else:
        values = {"agency": agency, "year": year, "edition": ed.name}
    return {field: values.get(field) if values.get(field) != "" else None for field, _ in form.META_FIELDS}


# Number formats: edition and phone as text so "2021" and a leading 0 survive retyping.
_META_FORMATS = {"year": "0", "edition": "@", "report_date": "yyyy-mm-dd", "contact_phone": "@"}


def _write_meta(sh: _Sheet, values: dict[str, object]) -> None:
    sh.widths([16, 44])
    sh.ws.cell(1, 1, form.META_SHEET).font = _FONT_TITLE
    sh.ws.row_dimensions[1].height = 24
    for row, (field, label) in enumerate(form.META_FIELDS, start=2):
        sh.label(row, 1, label, bold=True)
        sh.text_input(row, 2, values[field], number_format=_META_FORMATS.get(field, "General"))
        sh.ws.row_dimensions[row].height = 22
        sh.validate(f"B{row}", _meta_rule(field))


def _meta_rule(field: str) -> _Rule:
    description = Report.model_fields[field].description or ""
    prompt = description.split("，", 1)[1] if "，" in description else ""
    if field == "year":
        low, high = _year_bounds()
        return _Rule("whole", "between", str(low), str(high), "填写年份", f"四位数年份，如 {date.today().year - 1}。",
                     "年份有误", f"报告年度应为 {low} 至 {high} 之间的四位数年份。")
    if field == "edition":
        return _Rule("list", None, '"' + ",".join(form.EDITIONS) + '"', None, "格式版本",
                     "由模板生成时确定，请不要改动。", "格式版本有误", "只能选择：" + "、".join(form.EDITIONS))
    if field == "report_date":
        low, high = _year_bounds()
        first, last = int(to_excel(date(low, 1, 1))), int(to_excel(date(high + 1, 12, 31)))
        return _Rule("date", "between", str(first), str(last), "填写日期", "如 2026-01-10（年-月-日）。",
                     "日期有误", "请填写日期，如 2026-01-10。")
    return _Rule(None, prompt_title="填写说明", prompt=prompt or "请填写。")


def _year_bounds() -> tuple[int, int]:
    # The model's own limits for `year` (ge/le), so the workbook never accepts what the model refuses.
    metadata = Report.model_fields["year"].metadata
    low = next(m.ge for m in metadata if hasattr(m, "ge"))
    high = next(m.le for m in metadata if hasattr(m, "le"))
    return low, high


_TEXT_GUIDANCE = {
    "overview": "写明主动公开、依申请公开、政府信息管理、平台建设、监督保障等情况。",
    "problems": "问题和改进措施要具体，不得与往年雷同。",
    "other": "",
}


def _write_texts(sh: _Sheet, report: Report | None) -> None:
    sh.widths([24, TEXT_WIDTH])
    sh.ws.cell(1, 1, form.TEXT_SHEET).font = _FONT_TITLE
    sh.ws.cell(1, 2, "在B列各格内填写正文，单元格内换行按 Alt+Enter。").font = _FONT
    sh.ws.row_dimensions[1].height = 24
    for row, section in enumerate(form.TEXT_SECTIONS, start=2):
        text = getattr(report, section.key) if report else ""
        sh.label(row, 1, section.heading, bold=True, align="left")
        sh.text_input(row, 2, text or None, vertical="top")
        sh.ws.row_dimensions[row].height = 160
        if text:
            sh.fit_height(row, row, text, TEXT_WIDTH)
        prompt = f"{section.hint}{_TEXT_GUIDANCE.get(section.key, '')}单元格内换行按 Alt+Enter。"
        sh.validate(f"B{row}", _Rule("textLength", "lessThanOrEqual", str(EXCEL_TEXT_LIMIT), None,
                                     section.heading[:32], prompt, "文字过长",
                                     f"一个单元格最多 {EXCEL_TEXT_LIMIT} 个字。"))


def _value(report: Report | None, key: CellKey) -> Number:
    return report.value(*key) if report else None  # type: ignore[arg-type]


def grid_layouts(ed: Edition) -> dict[str, TableLayout]:
    """The three tables as the workbook draws them, each on its own sheet from A1 (no title rows, so
    the headers stand where the form has them): section 二 on the edition's own column grid."""
    return layouts(ed, common_grid=False)


def grid_address(cell: GridCell) -> tuple[int, int]:
    """(row, column) of a grid cell's top-left corner, counted from 1 as openpyxl does."""
    return cell.row + 1, cell.col + 1


@dataclass(frozen=True)
class _Look:
    bold: bool = False
    align: str = "center"
    fill: PatternFill | None = None


# How a label looks here, by the part it plays in the form (where it sits comes from the layout).
_LOOKS: dict[Part, _Look] = {
    "caption": _Look(align="left", fill=_FILL_CAPTION),
    "corner": _Look(bold=True),
    "note": _Look(),
    "column_group": _Look(bold=True),
    "column": _Look(bold=True),
    "row_group": _Look(),
    "row": _Look(),
    "total_row": _Look(bold=True, align="left"),
}
# Where a section differs: 三's row titles, a numbered list, stand flush left; 四's column labels,
# repeated under every group, are not bold so the group labels above them stand out.
_LOOKS_IN = {("section3", "row"): _Look(align="left"), ("section4", "column"): _Look()}


def _draw_grid(sh: _Sheet, ed: Edition, layout: TableLayout, report: Report | None) -> None:
    """Every label, input and total of one table where its layout puts it. A total is the SUM of its
    parts as `Edition.totals` lists them, addressed through the layout."""
    totals = [t for t in ed.totals if t.cell[0] == layout.key]
    total_cells = {t.cell for t in totals}
    shown: dict[CellKey, Number] = {}
    for cell in layout.cells:
        row, col = grid_address(cell)
        bottom, right = row + cell.rowspan - 1, col + cell.colspan - 1
        if cell.key is None:
            look = _LOOKS_IN.get((layout.key, cell.part), _LOOKS[cell.part])
            sh.label(row, col, cell.text, bottom=bottom, right=right, align=look.align, bold=look.bold,
                     fill=look.fill)
        elif cell.key not in total_cells:
            assert cell.column is not None
            shown[cell.key] = _value(report, cell.key)
            sh.number(row, col, shown[cell.key], cell.column, right=right)
    at = {key: grid_address(cell) for key, cell in layout.value_cells.items()}
    # Parts come before their totals in Edition.totals. （七）总计 × 总计 is listed twice (a results and a
    # row total); the later, its row sum, is the formula kept, as both hold whenever the parts do.
    for total in totals:
        parts = [shown[part] for part in total.parts]
        formula = _sum_formula([at[part] for part in total.parts])
        shown[total.cell] = sh.total(*at[total.cell], formula, parts, _value(report, total.cell))


def _write_section2(sh: _Sheet, ed: Edition, layout: TableLayout, report: Report | None) -> None:
    """Captioned tables stacked down the sheet, as the official section 二; the value columns of every
    table share the width of the sheet's grid columns."""
    sub = layout.n_cols - 1
    sh.widths([26] + [60 / sub] * sub)
    _draw_grid(sh, ed, layout, report)
    for r in range(1, layout.n_rows + 1):
        sh.ws.row_dimensions[r].height = max(sh.ws.row_dimensions[r].height or 0, 20)


def _write_section3(sh: _Sheet, ed: Edition, layout: TableLayout, report: Report | None) -> None:
    label_widths = [10, 13, 38]  # 三、本年度办理结果 / （三）… groups / 1.… sub-rows
    sh.widths(label_widths + [11] * (layout.n_cols - len(label_widths)))
    _draw_grid(sh, ed, layout, report)
    first_value = next(iter(layout.value_cells.values()))
    sh.ws.freeze_panes = sh.ws.cell(*grid_address(first_value))  # the labels stay in view while scrolling
    sh.ws.print_title_rows = f"1:{layout.header_rows}"


def _write_section4(sh: _Sheet, ed: Edition, layout: TableLayout, report: Report | None) -> None:
    sh.widths([7.5] * layout.n_cols)
    _draw_grid(sh, ed, layout, report)
    for r in {grid_address(cell)[0] for cell in layout.value_cells.values()}:
        sh.ws.row_dimensions[r].height = 30


_SECTION_WRITERS = {"section2": _write_section2, "section3": _write_section3, "section4": _write_section4}


# ---------------------------------------------------------------- pre-filled from last year's report


def carried_over(ed: Edition, last: Report) -> dict[CellKey, Number]:
    """The cells of this year's form that last year's report determines, with their values: 上年结转
    per column is last year's 结转下年度 (H701); in the 2019 edition 上一年项目数量 is last year's count
    plus its change (H703, which compares only 2019 with 2019). A blank stays blank."""
    cells: dict[CellKey, Number] = {("section3", "carried_in", c.key): last.value("section3", "carried_out", c.key)
                                    for c in ed.section3.columns}
    if ed.name == last.edition == "2019":
        for grid, row, column in ed.cells:
            if grid == "section2" and column == "prev_items":
                parts = (last.value(grid, row, "prev_items"), last.value(grid, row, "delta"))
                cells[(grid, row, column)] = None if None in parts else parts[0] + parts[1]  # type: ignore[operator]
    return cells


def _seed(ed: Edition, year: int, carried: dict[CellKey, Number], last: Report) -> Report:
    # A report holding only the carried cells, so the grids are drawn by the one code path that fills numbers.
    grids: dict[str, dict[str, dict[str, Number]]] = {}
    for (grid, row, column), value in carried.items():
        grids.setdefault(grid, {}).setdefault(row, {})[column] = value
    return Report(agency=last.agency, year=year, edition=ed.name, **grids)  # type: ignore[arg-type]


def _origin(ed: Edition, key: CellKey) -> str:
    """Where in last year's report a carried cell's value comes from, in the form's labels."""
    grid, row, column = key
    if grid == "section3":
        return f"“{ed.cell_labels(grid, 'carried_out', column)[0]}”"
    return "“" + "”＋“".join(ed.cell_labels(grid, row, c)[1] for c in ("prev_items", "delta")) + "”"


def prefilled_paragraphs(ed: Edition, year: int, source: str, carried: dict[CellKey, Number]) -> list[str]:
    """The guide's paragraph on what was taken from last year's report, numbered after the others."""
    names = "、".join(dict.fromkeys(f"“{ed.cell_labels(*key)[0 if key[0] == 'section3' else 1]}”" for key in carried))
    problems = form.TEXT_SECTIONS[[s.key for s in form.TEXT_SECTIONS].index("problems")].heading
    number = len(guide_paragraphs(ed, year)) + 1
    return [f"{number}. 本工作簿已按上年度报告（{source}）预填：浅绿色单元格{names}照抄上年度报告（单元格批注写明出处），"
            "请核对，上年报告有误的请改正并在正文说明。现行有效件数等单元格的批注是上年度的数字，只供对照，不会读入报告。"
            f"“{form.TEXT_SHEET}”下方列出上年度报告的“{problems}”，请在“{problems}”格内逐条写明本年度的改进情况，"
            "不要照抄上年文字。"]


def _comment(text: str) -> Comment:
    return Comment(office_text(text), "qtx-report", width=320, height=120)


def _mark_previous(wb: Workbook, ed: Edition, source: str, carried: dict[CellKey, Number], last: Report) -> None:
    """A comment on every carried cell naming last year's file (and a green fill), and on each 现行有效
    cell last year's figure: notes for the clerk that no reader takes as a number."""
    layout_of = grid_layouts(ed)

    def cell(key: CellKey):  # type: ignore[no-untyped-def]
        sheet = wb[section_sheet_name(ed, form.GRID_SECTIONS[key[0]])]
        return sheet.cell(*grid_address(layout_of[key[0]].value_cells[key]))

    totals = {total.cell for total in ed.totals}  # a carried total stays a grey, locked SUM
    for key, value in carried.items():
        target = cell(key)
        if key not in totals:
            target.fill = _FILL_CARRIED
        target.comment = _comment(f"取自上年度报告（{source}）{_origin(ed, key)}：{format_number(value) or '空白'}。"
                                  "请核对；上年报告有误的请改正并在正文说明。")
    if ed.name == last.edition == "2021":  # H702 holds only between two 2021 reports
        for grid, row, column in ed.cells:
            if grid == "section2" and column == "in_force":
                issued, repealed = (ed.cell_labels(grid, row, c)[1] for c in ("issued", "repealed"))
                figure = format_number(last.value(grid, row, column)) or "空白"
                cell((grid, row, column)).comment = _comment(
                    f"上年度报告（{source}）{ed.cell_labels(grid, row, column)[1]}：{figure}。本年应为上年数＋“{issued}”"
                    f"－“{repealed}”；如有清理、修改，请在正文说明。本批注只供对照，不会读入报告。")


def problem_points(text: str) -> list[str]:
    """A section 五 as the points it makes: its sentences and semicolon clauses (一是…；二是…；)."""
    return [part.strip() for paragraph in paragraphs(text) for part in re.split(r"(?<=[。；;！？])", paragraph)
            if part.strip()]


def _write_last_problems(sh: _Sheet, last_year: int, source: str, problems: str) -> None:
    """Last year's section 五 as numbered points, locked, below the text rows: points to report on. The
    reader takes a text only from the cell right of its own heading, so none of this is this year's text."""
    heading = form.TEXT_SECTIONS[[s.key for s in form.TEXT_SECTIONS].index("problems")].heading
    top = len(form.TEXT_SECTIONS) + 3  # one empty row under the text rows
    sh.label(top, 1, "上年度报告所列问题", bold=True, align="left", fill=_FILL_TOTAL)
    points = problem_points(problems)
    intro = (f"以下是{last_year}年度报告（{source}）“{heading}”所列的问题，供对照：请在上方“{heading}”格内"
             "逐条写明本年度的改进情况，不要照抄；本栏不作为正文读取，也不会写入报告。")
    sh.label(top, 2, intro if points else f"{last_year}年度报告（{source}）没有填写“{heading}”。", align="left",
             fill=_FILL_TOTAL)
    for offset, point in enumerate(points, start=1):
        sh.label(top + offset, 2, office_text(f"上年问题{offset}：{point}")[:EXCEL_TEXT_LIMIT], align="left",
                 fill=_FILL_TOTAL)
