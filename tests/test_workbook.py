"""The agency workbook: official labels, layout contract, formulas, protection, validation, files."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from datetime import date
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from qtx_report import synth
from qtx_report.form import editions as form
from qtx_report.form.grids import layouts
from qtx_report.model.findings import InputError
from qtx_report.model.report import Report, empty_grids
from qtx_report.write.workbook import GUIDE_SHEET, build_workbook, section_sheet_name, write_template

from .fill import fill_workbook, locate_cells, locate_meta, locate_texts, section_sheet, total_keys

EDITIONS = list(form.EDITIONS)
SECTION_KEYS = {"section2": "proactive", "section3": "requests", "section4": "appeals"}


# ---------------------------------------------------------------- report strategy

_HAN = "政府信息公开工作年度报告本机关依申请主动平台建设监督保障问题改进青铜峡市自然资源局"
# Texts are never blank here: a blank section has its own test (test_blank_text_sections_load_as_empty).
_TEXT = st.text(alphabet=_HAN + "0123456789，。、；：" + "\n", min_size=1, max_size=200).map(str.strip).filter(bool)


@st.composite
def reports(draw: st.DrawFn, edition_name: str, *, texts: st.SearchStrategy[str] = _TEXT) -> Report:
    """A valid report with random numbers that obey the form's arithmetic (totals are sums,
    一+二 = （七）+四 per column), so typed totals and formulas agree."""
    ed = form.edition(edition_name)
    grids = empty_grids(edition_name)
    for _table, row, column in ed.section2_cells():
        grids["section2"][row.key][column.key] = draw(_number(column.kind))
    _draw_section3(draw, ed.section3, grids["section3"])
    _draw_section4(draw, ed.section4, grids["section4"])
    year = draw(st.integers(2019, 2030))
    return Report(
        agency=draw(st.text(alphabet=_HAN, min_size=2, max_size=20)) + "局",  # never equal to a label
        year=year,
        edition=edition_name,
        report_date=draw(st.none() | st.dates(date(year + 1, 1, 1), date(year + 1, 3, 31))),
        contact_person=draw(st.text(alphabet=_HAN, max_size=4)),
        contact_phone=draw(st.just("") | st.from_regex(r"0953-[1-9][0-9]{6}", fullmatch=True)),
        overview=draw(texts), problems=draw(texts), other=draw(texts),
        **grids,
    )


def _number(kind: str) -> st.SearchStrategy[int | float]:
    if kind == "amount":
        return st.integers(0, 10**8).map(lambda cents: cents / 100)
    if kind == "delta":
        return st.integers(-500, 500)
    return st.integers(0, 100_000)


def _draw_section3(draw: st.DrawFn, s3: form.Section3, grid: dict) -> None:
    total_row = next(r for r in s3.rows if r.is_total)
    for column in s3.applicant_columns:
        for leaf in s3.leaves:
            grid[leaf.key][column.key] = draw(st.integers(0, 300))
        carried_out = grid["carried_out"][column.key] = draw(st.integers(0, 50))
        done = grid[total_row.key][column.key] = sum(grid[leaf.key][column.key] for leaf in s3.leaves)
        carried_in = grid["carried_in"][column.key] = draw(st.integers(0, done + carried_out))
        grid["new"][column.key] = done + carried_out - carried_in
    for row in s3.rows:
        grid[row.key][s3.total_column.key] = sum(grid[row.key][c.key] for c in s3.applicant_columns)


def _draw_section4(draw: st.DrawFn, s4: form.Section4, grid: dict) -> None:
    for group in s4.groups:
        for column in s4.part_columns:
            grid[group.key][column.key] = draw(st.integers(0, 40))
        grid[group.key][s4.total_column.key] = sum(grid[group.key][c.key] for c in s4.part_columns)


def example_report(edition_name: str) -> Report:
    """A fixed balanced report with every field filled (for the non-property tests)."""
    return synth.report("青铜峡市自然资源局", 2025, edition_name, seed=7, size=4).model_copy(update={
        "report_date": date(2026, 1, 12), "contact_person": "王芳", "contact_phone": "0953-3012345",
        "overview": "本年度主动公开信息1200条。\n依申请公开办理及时。", "problems": "栏目更新不及时。", "other": "未收取信息处理费。"})


# ---------------------------------------------------------------- helpers


@cache
def blank_template(edition_name: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "blank.xlsx"
        write_template(path, edition=edition_name, agency="青铜峡市自然资源局", year=2025)
        return path.read_bytes()


def blank_copy(edition_name: str, folder: Path, name: str = "blank.xlsx") -> Path:
    path = folder / name
    path.write_bytes(blank_template(edition_name))
    return path


def sheet_texts(ws: Worksheet) -> set[str]:
    return {c.value.strip() for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def official_labels(ed: form.Edition) -> dict[str, set[str]]:
    """Every official label of an edition, keyed by the section key of the sheet it belongs in."""
    s3, s4 = ed.section3, ed.section4
    s2 = {t.caption for t in ed.section2} | {t.row_header for t in ed.section2}
    s2 |= {r.label for t in ed.section2 for r in t.rows} | {c.label for t in ed.section2 for c in t.columns}
    s3_labels = {s3.note, s3.applicant_header} | {c.label for c in s3.columns} | {c.group for c in s3.columns}
    s3_labels |= {r.title for r in s3.rows} | {h.title for h in s3.header_rows}
    s4_labels = {g.label for g in s4.groups} | {g.parent for g in s4.groups} | {c.label for c in s4.columns}
    return {"section2": s2, "section3": s3_labels - {""}, "section4": s4_labels - {""}}


def column_of(ed: form.Edition, key: tuple[str, str, str]) -> form.Column:
    section, row, column = key
    if section == "section2":
        table, _ = ed.section2_row(row)
        return next(c for c in table.columns if c.key == column)
    columns = ed.section3.columns if section == "section3" else ed.section4.columns
    return next(c for c in columns if c.key == column)


def validation_of(ws: Worksheet, coordinate: str):
    found = [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) <= 1, f"{ws.title}!{coordinate} has {len(found)} validations"
    return found[0] if found else None


def evaluate(ws: Worksheet, value: object) -> float:
    """The value of a cell as Excel shows it: numbers as typed, our =SUM(...) formulas computed."""
    if value is None:
        return 0
    if not (isinstance(value, str) and value.startswith("=")):
        return value  # type: ignore[return-value]
    assert value.startswith("=SUM(") and value.endswith(")"), value
    total = 0
    for part in value[5:-1].split(","):
        cells = ws[part]
        rows = cells if isinstance(cells, tuple) else ((cells,),)
        for row in rows:
            for cell in row if isinstance(row, tuple) else (row,):
                total += evaluate(ws, cell.value)
    return total


def assert_same_report(loaded: Report, expected: Report) -> None:
    for field in ("agency", "year", "edition", "report_date", "contact_person", "contact_phone",
                  "overview", "problems", "other"):
        assert getattr(loaded, field) == getattr(expected, field), field
    ed = form.edition(expected.edition)
    for section, row, column in _all_keys(ed):
        got, want = loaded.value(section, row, column), expected.value(section, row, column)
        assert got == want, f"{section}.{row}.{column}: loaded {got!r}, expected {want!r}"


def _all_keys(ed: form.Edition) -> list[tuple[str, str, str]]:
    keys = [("section2", r.key, c.key) for _t, r, c in ed.section2_cells()]
    keys += [("section3", r.key, c.key) for r in ed.section3.rows for c in ed.section3.columns]
    keys += [("section4", g.key, c.key) for g in ed.section4.groups for c in ed.section4.columns]
    return keys


# ---------------------------------------------------------------- labels and layout


@pytest.mark.parametrize("edition", EDITIONS)
def test_sheets_are_named_after_the_form(edition: str) -> None:
    ed = form.edition(edition)
    wb = build_workbook(edition)
    expected = [GUIDE_SHEET, form.META_SHEET, form.TEXT_SHEET] + [section_sheet_name(ed, k)
                                                                    for k in SECTION_KEYS.values()]
    assert wb.sheetnames == expected
    for name in wb.sheetnames:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    for key in SECTION_KEYS.values():
        assert section_sheet_name(ed, key) == ed.section(key).heading  # all headings fit, none cut


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_official_label_is_in_its_sheet(edition: str) -> None:
    ed = form.edition(edition)
    other = form.edition("2019" if edition == "2021" else "2021")
    wb = build_workbook(edition)
    assert [wb[form.META_SHEET].cell(r, 1).value for r in range(2, 2 + len(form.META_FIELDS))] == \
        [label for _f, label in form.META_FIELDS]
    assert [wb[form.TEXT_SHEET].cell(r, 1).value for r in range(2, 2 + len(form.TEXT_SECTIONS))] == \
        [s.heading for s in form.TEXT_SECTIONS]
    mine, theirs = official_labels(ed), official_labels(other)
    for section, key in SECTION_KEYS.items():
        texts = sheet_texts(wb[section_sheet_name(ed, key)])
        assert mine[section] <= texts, mine[section] - texts
        assert not (theirs[section] - mine[section]) & texts, "a label of the other edition"


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("common_grid", (True, False), ids=("word", "workbook"))
def test_grids_place_every_form_cell_once(edition: str, common_grid: bool) -> None:
    """Both grids of a table (the Word template's, shared by the editions, and the workbook's own)
    hold each number of the form in one cell, in printed order, and tile the table without overlap."""
    ed = form.edition(edition)
    for grid, layout in layouts(ed, common_grid=common_grid).items():
        assert list(layout.value_cells) == [key for key in ed.cells if key[0] == grid]
        covered = [(r, c) for cell in layout.cells for r in range(cell.row, cell.row + cell.rowspan)
                   for c in range(cell.col, cell.col + cell.colspan)]
        assert sorted(covered) == [(r, c) for r in range(layout.n_rows) for c in range(layout.n_cols)], grid
        assert all(cell.text for cell in layout.cells if cell.key is None), grid


@pytest.mark.parametrize("edition", EDITIONS)
def test_section2_tables_follow_the_official_layout(edition: str) -> None:
    ed = form.edition(edition)
    wb = build_workbook(edition)
    ws = section_sheet(wb, ed, "proactive")
    row = 1
    for table in ed.section2:
        assert ws.cell(row, 1).value == table.caption
        assert f"A{row}:{openpyxl.utils.get_column_letter(ws.max_column)}{row}" in ws.merged_cells
        assert ws.cell(row + 1, 1).value == table.row_header
        assert [ws.cell(row + 2 + i, 1).value for i in range(len(table.rows))] == [r.label for r in table.rows]
        row += 2 + len(table.rows)


@pytest.mark.parametrize("edition", EDITIONS)
def test_section3_most_specific_label_is_rightmost(edition: str) -> None:
    """The loader's contract: in each data row, the rightmost text left of the numbers is the row's own title."""
    ed = form.edition(edition)
    wb = build_workbook(edition)
    ws = section_sheet(wb, ed, "requests")
    cells = locate_cells(wb, edition)
    first_data = min(cells["section3", r.key, c.key].column for r in ed.section3.rows for c in ed.section3.columns)
    assert first_data == 4  # D: A:C hold the nested labels
    for row in ed.section3.rows:
        r = cells["section3", row.key, ed.section3.columns[0].key].row
        texts = [ws.cell(r, c).value for c in range(1, first_data) if isinstance(ws.cell(r, c).value, str)]
        assert texts[-1] == row.title


@pytest.mark.parametrize("edition", EDITIONS)
def test_section3_merges_match_the_official_form(edition: str) -> None:
    ed = form.edition(edition)
    s3 = ed.section3
    wb = build_workbook(edition)
    ws = section_sheet(wb, ed, "requests")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == s3.note and "A1:C3" in merged
    assert ws["D1"].value == s3.applicant_header and "D1:J1" in merged
    assert ws["E2"].value == form.LEGAL_PERSON and "E2:I2" in merged
    assert ws["D2"].value == s3.columns[0].label and "D2:D3" in merged  # 自然人 spans both header rows
    row_of = {r.key: 4 + i for i, r in enumerate(s3.rows)}
    headers = {h.key: h for h in s3.header_rows}
    for depth, column in ((0, "A"), (1, "B")):
        for key in {r.groups[depth] for r in s3.rows if len(r.groups) > depth}:
            rows = [row_of[r.key] for r in s3.rows if len(r.groups) > depth and r.groups[depth] == key]
            assert ws[f"{column}{rows[0]}"].value == headers[key].title
            assert f"{column}{rows[0]}:{column}{rows[-1]}" in merged, headers[key].title
    for row in s3.rows:
        col = "ABC"[len(row.groups)]
        assert ws[f"{col}{row_of[row.key]}"].value == row.title
        if col != "C":
            assert f"{col}{row_of[row.key]}:C{row_of[row.key]}" in merged, row.title


@pytest.mark.parametrize("edition", EDITIONS)
def test_section4_header_rows(edition: str) -> None:
    ed = form.edition(edition)
    s4 = ed.section4
    ws = section_sheet(build_workbook(edition), ed, "appeals")
    merged = {str(r) for r in ws.merged_cells.ranges}
    review, direct, after = s4.groups
    assert (ws["A1"].value, ws["F1"].value) == (review.label, direct.parent)
    assert {"A1:E1", "F1:O1", "F2:J2", "K2:O2"} <= merged
    assert (ws["F2"].value, ws["K2"].value) == (direct.label, after.label)
    labels = [c.label for c in s4.columns]
    assert [ws.cell(2, c).value for c in range(1, 6)] == labels
    assert {f"{openpyxl.utils.get_column_letter(c)}2:{openpyxl.utils.get_column_letter(c)}3"
            for c in range(1, 6)} <= merged
    assert [ws.cell(3, c).value for c in range(6, 16)] == labels * 2
    cells = locate_cells(ws.parent, edition)
    assert {cells[k].row for k in cells if k[0] == "section4"} == {4}


# ---------------------------------------------------------------- formulas, protection, validation


@pytest.mark.parametrize("edition", EDITIONS)
def test_totals_are_live_formulas_that_add_up(edition: str, tmp_path: Path) -> None:
    ed = form.edition(edition)
    report = example_report(edition)
    path = blank_copy(edition, tmp_path)
    fill_workbook(path, report)
    wb = openpyxl.load_workbook(path)
    cells = locate_cells(wb, edition)
    for key in total_keys(ed):
        cell = cells[key]
        assert isinstance(cell.value, str) and cell.value.startswith("=SUM("), key
        assert evaluate(cell.parent, cell.value) == report.value(*key), key  # type: ignore[arg-type]


@pytest.mark.parametrize("edition", EDITIONS)
def test_blank_template_has_no_numbers_and_locks_all_but_inputs(edition: str) -> None:
    ed = form.edition(edition)
    wb = build_workbook(edition, agency="青铜峡市自然资源局", year=2025)
    totals = total_keys(ed)
    for key, cell in locate_cells(wb, edition).items():
        if key in totals:
            assert cell.protection.locked, key
        else:
            assert cell.value is None, f"{key} prefilled with {cell.value!r}"  # never prefill 0
            assert not cell.protection.locked, key
    for ws in wb.worksheets:
        assert ws.protection.sheet and ws.protection.password is None, ws.title
        assert ws.protection.formatColumns is False and ws.protection.formatRows is False  # resizing allowed
    inputs = {c.coordinate for c in locate_meta(wb).values()}
    for key in SECTION_KEYS.values():
        for cell in (c for row in section_sheet(wb, ed, key).iter_rows() for c in row):
            if isinstance(cell.value, str):
                assert cell.protection.locked, f"label {cell.value!r} is not locked"
    for ws_name, unlocked in ((form.META_SHEET, inputs), (form.TEXT_SHEET, {c.coordinate for c in
                                                                              locate_texts(wb).values()})):
        for row in wb[ws_name].iter_rows():
            for cell in row:
                assert cell.protection.locked is (cell.coordinate not in unlocked), (ws_name, cell.coordinate)


EXPECTED_RULES = {
    "count": ("whole", "greaterThanOrEqual", "0"),
    "delta": ("whole", "between", "-1000000000"),
    "amount": ("decimal", "greaterThanOrEqual", "0"),
}


@pytest.mark.parametrize("edition", EDITIONS)
def test_number_cells_are_validated_by_kind(edition: str) -> None:
    ed = form.edition(edition)
    wb = build_workbook(edition)
    totals = total_keys(ed)
    kinds = set()
    for key, cell in locate_cells(wb, edition).items():
        dv = validation_of(cell.parent, cell.coordinate)
        if key in totals:
            assert dv is None, key
            continue
        kind = column_of(ed, key).kind
        kinds.add(kind)
        assert (dv.type, dv.operator, dv.formula1) == EXPECTED_RULES[kind], key
        assert dv.showErrorMessage and dv.errorStyle == "stop" and dv.errorTitle and dv.error, key
        assert dv.showInputMessage and dv.prompt and "0" in dv.prompt, key
        assert dv.allow_blank  # blanks are the validator's business, with a reason
    assert kinds == ({"count", "amount", "delta"} if edition == "2019" else {"count", "amount"})


def test_meta_cells_have_types_formats_and_prompts() -> None:
    wb = build_workbook("2019", agency="青铜峡市自然资源局", year=2024)
    meta = locate_meta(wb)
    ws = wb[form.META_SHEET]
    assert (meta["agency"].value, meta["year"].value, meta["edition"].value) == ("青铜峡市自然资源局", 2024, "2019")
    assert meta["report_date"].value is None and meta["report_date"].number_format == "yyyy-mm-dd"
    assert meta["edition"].number_format == "@" and meta["contact_phone"].number_format == "@"
    assert validation_of(ws, meta["edition"].coordinate).type == "list"
    assert validation_of(ws, meta["edition"].coordinate).formula1 == '"2021,2019"'
    assert validation_of(ws, meta["year"].coordinate).type == "whole"
    assert validation_of(ws, meta["report_date"].coordinate).type == "date"
    assert validation_of(ws, meta["agency"].coordinate).prompt


def test_text_hints_are_prompts_not_values() -> None:
    wb = build_workbook("2021")
    ws = wb[form.TEXT_SHEET]
    for section in form.TEXT_SECTIONS:
        cell = locate_texts(wb)[section.key]
        assert cell.value is None and cell.alignment.wrap_text
        assert section.hint in validation_of(ws, cell.coordinate).prompt
        assert ws.row_dimensions[cell.row].height >= 100
    assert ws.column_dimensions["B"].width >= 60


def test_guide_sheet_explains_the_rules() -> None:
    ws = build_workbook("2021", year=2025)[GUIDE_SHEET]
    text = "\n".join(sheet_texts(ws))
    s3 = form.EDITION_2021.section3
    for needle in ("填写 0", "qtx-report check", "1月15日", "1月31日", "共同被告", s3.row("partial").title,
                   f"一＋二＝{s3.row('results_total').title}＋四", form.S3_NOTE):
        assert needle in text, needle


@pytest.mark.parametrize("edition", EDITIONS)
def test_nothing_that_makes_excel_offer_a_repair(edition: str) -> None:
    """Excel repairs (and drops) validations whose texts exceed its limits, and overlapping merges."""
    wb = build_workbook(report=example_report(edition))
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32, ws.title
            assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 225, ws.title
        covered: set[tuple[int, int]] = set()
        for merged in ws.merged_cells.ranges:
            cells = set(merged.cells)
            assert not cells & covered, f"{ws.title}: {merged} overlaps another merge"
            covered |= cells
        for row in ws.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and len(cell.value) > 32767)


# ---------------------------------------------------------------- values from a report


@pytest.mark.parametrize("edition", EDITIONS)
def test_report_values_are_written(edition: str) -> None:
    ed = form.edition(edition)
    report = example_report(edition)
    wb = build_workbook(report=report)
    totals = total_keys(ed)
    for key, cell in locate_cells(wb, edition).items():
        if key in totals:
            assert cell.value.startswith("=SUM("), key  # consistent totals stay live
        else:
            assert cell.value == report.value(*key), key  # type: ignore[arg-type]
    for field, cell in locate_meta(wb).items():
        assert cell.value == (getattr(report, field) or None), field
    for field, cell in locate_texts(wb).items():
        assert cell.value == (getattr(report, field) or None), field


def test_a_wrong_total_in_the_report_is_written_as_typed() -> None:
    report = example_report("2021")
    wrong = report.model_copy(deep=True)
    wrong.section3["new"]["total"] = report.section3["new"]["total"] + 1
    wrong.section3["results_total"]["natural"] = report.section3["results_total"]["natural"] + 2
    wrong.section4["review"]["total"] = report.section4["review"]["total"] + 3
    cells = locate_cells(build_workbook(report=wrong), "2021")
    for key in (("section3", "new", "total"), ("section3", "results_total", "natural"),
                ("section4", "review", "total")):
        assert cells[key].value == wrong.value(*key), key  # type: ignore[arg-type]
    assert cells["section3", "carried_in", "total"].value.startswith("=SUM(")


# ---------------------------------------------------------------- files


def test_refuses_to_overwrite_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    write_template(path)
    first = path.read_bytes()
    with pytest.raises(InputError):
        write_template(path, edition="2019")
    assert path.read_bytes() == first
    write_template(path, edition="2019", overwrite=True)
    assert locate_meta(openpyxl.load_workbook(path))["edition"].value == "2019"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["模板.xlsx"]


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_save(self: object, filename: object) -> None:
        Path(str(filename)).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError):
        write_template(tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_calamine_reads_every_sheet(edition: str, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    path = blank_copy(edition, tmp_path)
    book = CalamineWorkbook.from_path(str(path))
    ed = form.edition(edition)
    assert book.sheet_names == build_workbook(edition).sheetnames
    rows = book.get_sheet_by_name(section_sheet_name(ed, "requests")).to_python()
    assert rows[3][0] == ed.section3.rows[0].title


def test_cli_template_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from qtx_report.cli.app import app

    path = tmp_path / "局.xlsx"
    result = CliRunner().invoke(app, ["template", str(path), "--edition", "2019", "--agency", "青铜峡市林业局",
                                      "--year", "2023"])
    assert result.exit_code == 0, result.output
    meta = locate_meta(openpyxl.load_workbook(path))
    assert (meta["agency"].value, meta["year"].value, meta["edition"].value) == ("青铜峡市林业局", 2023, "2019")
    again = CliRunner().invoke(app, ["template", str(path)])
    assert again.exit_code == 2


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


def soffice_convert(path: Path, target: str, out: Path) -> Path:
    out.mkdir(exist_ok=True)
    profile = (path.parent / "lo-profile").as_uri()  # own profile: runs beside other LibreOffice instances
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    return out / f"{path.stem}.{target}"


@needs_soffice
def test_libreoffice_opens_and_prints_the_template(tmp_path: Path) -> None:
    pdf = soffice_convert(blank_copy("2021", tmp_path), "pdf", tmp_path / "out").read_bytes()
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert pdf.startswith(b"%PDF") and len(pages) == 6  # one page per sheet: every table fits its width


@needs_soffice
def test_a_workbook_saved_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    """Saved by an office suite, the totals carry cached results; the loader reads them as they are."""
    from qtx_report.read.load import load_report

    report = example_report("2019")
    path = blank_copy("2019", tmp_path)
    fill_workbook(path, report)
    resaved = soffice_convert(path, "xlsx", tmp_path / "out")
    loaded = load_report(resaved)
    assert_same_report(loaded.report, report)
    assert not loaded.computed
    wb = openpyxl.load_workbook(resaved)
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert locate_cells(wb, "2019")["section3", "new", "total"].value.startswith("=SUM(")


# ---------------------------------------------------------------- round trip through the loader

ROUND_TRIP = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("edition", EDITIONS)
def test_round_trip_fill_then_load(edition: str) -> None:
    from qtx_report.read.load import load_report

    @ROUND_TRIP
    @given(report=reports(edition))
    def check(report: Report) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = blank_copy(edition, Path(tmp), "单位.xlsx")
            fill_workbook(path, report)
            assert_same_report(load_report(path).report, report)

    check()


def test_typed_totals_are_read_as_typed(tmp_path: Path) -> None:
    from qtx_report.read.load import load_report

    report = example_report("2021")
    wrong = report.model_copy(deep=True)
    wrong.section3["granted"]["total"] = report.section3["granted"]["total"] + 5
    path = blank_copy("2021", tmp_path)
    fill_workbook(path, wrong, type_totals=True)
    loaded = load_report(path)
    assert_same_report(loaded.report, wrong)
    assert not loaded.computed  # every total was typed, none computed by the loader


@pytest.mark.parametrize("edition", EDITIONS)
def test_blank_text_sections_load_as_empty(edition: str, tmp_path: Path) -> None:
    from qtx_report.read.load import load_report

    report = example_report(edition).model_copy(update={"overview": "", "problems": "", "other": ""})
    path = blank_copy(edition, tmp_path)
    fill_workbook(path, report)
    assert_same_report(load_report(path).report, report)


@pytest.mark.parametrize("edition", EDITIONS)
def test_round_trip_written_report_then_load(edition: str) -> None:
    from qtx_report.read.load import load_report

    @ROUND_TRIP
    @given(report=reports(edition))
    def check(report: Report) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "单位.xlsx"
            write_template(path, report=report)
            assert_same_report(load_report(path).report, report)

    check()
