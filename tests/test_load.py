"""Reading workbooks: numbers by label, what people type in number cells, and files that are not reports."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from qtx_report.model.findings import InputError
from qtx_report.model.numbers import chinese_numeral, parse_number
from qtx_report.read.load import load_report
from qtx_report.rules.registry import validate

from .helpers import balanced, set_cell, write_filled


def codes_at(loaded, code: str) -> list:
    return [f for f in validate(loaded) if f.code == code]


@pytest.mark.parametrize("ed", ["2021", "2019"])
def test_filled_workbook_reads_back_every_number(tmp_path: Path, ed: str) -> None:
    report = balanced(ed)
    loaded = write_filled(tmp_path / "a.xlsx", report)
    assert loaded.report.edition == ed
    assert (loaded.report.section2, loaded.report.section3, loaded.report.section4) == \
        (report.section2, report.section3, report.section4)
    assert [f for f in validate(loaded) if f.severity == "error"] == []


def test_formula_totals_without_cached_values_are_computed(tmp_path: Path) -> None:
    report = balanced()
    path = tmp_path / "a.xlsx"
    loaded = write_filled(path, report)
    book = openpyxl.load_workbook(path)
    for (grid, row, column), ref in loaded.locations.items():
        if loaded.report.value(grid, row, column) is not None and _is_total(loaded, grid, row, column):
            book[ref.sheet][ref.cell] = None  # as if a formula had never been calculated
    book.save(path)
    again = load_report(path)
    assert again.report.section3 == report.section3
    assert again.report.section4 == report.section4
    notes = [f for f in again.findings if f.code == "I105"]
    assert sum(int(f.expected) for f in notes) == len(again.computed) > 25
    assert all("已按分项相加计算" in f.message and f.cell for f in notes)


def _is_total(loaded, grid: str, row: str, column: str) -> bool:
    from qtx_report.form.editions import edition

    return edition(loaded.report.edition).is_total(grid, row, column)


def test_typed_total_is_kept_and_checked(tmp_path: Path) -> None:
    report = balanced()
    path = tmp_path / "a.xlsx"
    write_filled(path, report)
    set_cell(path, "section3", "new", "total", report.section3["new"]["total"] + 5)
    found = codes_at(load_report(path), "B403")
    assert found and found[0].cell and found[0].sheet
    assert found[0].expected == str(report.section3["new"]["total"])


@pytest.mark.parametrize(("typed", "value", "code", "hint"), [
    ("十二", None, "I102", "是否为 12"),
    ("约10", None, "I102", "阿拉伯数字"),
    ("12件", 12, "I103", "单位"),
    ("—", 0, "I103", "0"),
    ("/", 0, "I103", "0"),
    ("１２", 12, "I103", "全角"),
    ("12", 12, "I103", "文本"),
])
def test_what_people_type_in_number_cells(tmp_path: Path, typed: str, value, code: str, hint: str) -> None:
    path = tmp_path / "a.xlsx"
    write_filled(path, balanced())
    set_cell(path, "section3", "granted", "natural", typed)
    loaded = load_report(path)
    assert loaded.report.section3["granted"]["natural"] == value
    found = [f for f in loaded.findings if f.code == code]
    assert len(found) == 1 and hint in found[0].message and found[0].cell and found[0].sheet


@pytest.mark.parametrize(("typed", "code"), [(None, "I101"), (1.5, "V301"), (-1, "V302")])
def test_blank_decimal_negative(tmp_path: Path, typed, code: str) -> None:
    path = tmp_path / "a.xlsx"
    write_filled(path, balanced())
    set_cell(path, "section4", "review", "upheld", typed)
    found = codes_at(load_report(path), code)
    assert len(found) == 1 and found[0].column == "结果维持"


def test_chinese_numerals_are_only_suggested() -> None:
    assert chinese_numeral("十二") == 12
    assert chinese_numeral("一百零五") == 105
    assert chinese_numeral("abc") is None
    assert parse_number("十二")[0] is None


def _relabel(path: Path, old: str, new: str) -> None:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = new
    book.save(path)


def test_label_variants_are_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    report = balanced()
    write_filled(path, report)
    _relabel(path, "7.属于行政执法案卷", "7.属于行政执法案件")
    _relabel(path, "现行有效件数", "先行有效件数")
    loaded = load_report(path)
    assert loaded.report.section3 == report.section3
    assert loaded.report.section2 == report.section2
    assert len([f for f in loaded.findings if f.code == "I104"]) >= 2


def test_a_2019_row_in_a_2021_report_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    write_filled(path, balanced())
    _relabel(path, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）其他处理")
    found = codes_at(load_report(path), "S202")
    assert found and "2021" in found[0].message


def test_rows_out_of_order(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    write_filled(path, balanced())
    _relabel(path, "2.重复申请", "__tmp__")
    _relabel(path, "3.要求提供公开出版物", "2.重复申请")
    _relabel(path, "__tmp__", "3.要求提供公开出版物")
    assert codes_at(load_report(path), "S203")


def test_missing_section_sheet(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    loaded = write_filled(path, balanced())
    book = openpyxl.load_workbook(path)
    del book[loaded.locations[("section4", "review", "total")].sheet]
    book.save(path)
    found = codes_at(load_report(path), "S201")
    assert any("第四部分" in f.message for f in found)


def test_meta_year_must_be_a_number(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    write_filled(path, balanced())
    _relabel(path, 2025, "二〇二五")
    found = [f for f in load_report(path).findings if f.code == "I106"]
    assert found and found[0].row == "报告年度"


# ------------------------------------------------------------------ files that are not reports

def _error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_report(path)
    return caught.value.describe()


def test_csv_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_text("单位,年度\n某局,2025\n", encoding="utf-8")
    assert "CSV" in _error(path)


def test_old_xls_or_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    message = _error(path)
    assert ".xls" in message and "密码" in message


def test_truncated_workbook(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    write_filled(good, balanced())
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:3000])
    assert "损坏" in _error(bad)


def test_docx_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "xl/workbook.xml" in _error(path)


def _bomb(path: Path, part: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", part)
    return path


def _no_inflating(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("a part was opened: the guard must decide from the zip directory alone")


@pytest.mark.parametrize("size_mb", (300, 150), ids=("over the budget", "compressed like a bomb"))
def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size_mb: int) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", b"0" * (size_mb * 1024 * 1024))
    monkeypatch.setattr(zipfile.ZipFile, "open", _no_inflating)
    message = _error(path)
    assert "停止读取" in message and "恶意" not in message


def test_long_repetitive_text_that_compresses_well_is_not_refused(tmp_path: Path) -> None:
    from qtx_report.read.guard import guard_zip

    paragraph = "本机关坚持以公开为常态、不公开为例外，持续推进政务公开标准化规范化建设。".encode()
    path = _bomb(tmp_path / "long.xlsx", paragraph * (48 * 1024 * 1024 // len(paragraph)))
    guard_zip(path, "xl/workbook.xml", "Excel 工作簿（.xlsx）")  # raises InputError when refused


def test_xml_bomb_does_not_expand(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    write_filled(good, balanced())
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY l0 "lol">{lol}]>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b"")
                data = bomb.encode() + data.replace(b"<t>", b"<t>&l9;", 1)
            target.writestr(item, data)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    try:
        loaded = load_report(path)
    except InputError:
        return  # refused: fine
    longest = max(len(str(v)) for s in (loaded.report.overview, loaded.report.agency) for v in [s])
    assert longest < 10_000  # entities were not expanded a billion times


def test_a_workbook_that_is_not_a_report(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "编号"
    book.save(path)
    assert "找不到年度报告的任何表格" in _error(path)


def _without_meta(path: Path, title: str | None) -> None:
    book = openpyxl.load_workbook(path)
    del book["基本信息"]
    if title:
        book.create_sheet("标题", 0)["A1"] = title
    book.save(path)


def test_pasted_workbook_takes_agency_and_year_from_its_title(tmp_path: Path) -> None:
    path = tmp_path / "粘贴.xlsx"
    write_filled(path, balanced())
    _without_meta(path, "青铜峡市水务局 2024年政府信息公开工作年度报告")
    loaded = load_report(path)
    assert (loaded.report.agency, loaded.report.year) == ("青铜峡市水务局", 2024)
    found = [f for f in loaded.findings if f.code == "I107"]
    assert len(found) == 1 and found[0].sheet == "标题" and found[0].cell == "A1"


def test_workbook_without_meta_or_title_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "无标题.xlsx"
    write_filled(path, balanced())
    _without_meta(path, None)
    found = [f for f in validate(load_report(path)) if f.code == "I106"]
    assert found and "单位名称、报告年度" in found[0].message
