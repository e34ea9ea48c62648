"""Report JSON as people and programs get it wrong: missing rows are blank cells, text in a number
cell is read as a workbook cell is, every other problem is listed in Chinese by the form's labels,
and no file, however large or deep, costs more than a real one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qtx_report import synth
from qtx_report.cli.app import app
from qtx_report.form.editions import edition
from qtx_report.model.findings import InputError
from qtx_report.model.report import Report, grid_keys
from qtx_report.read.json_report import MAX_CELL_TEXT, MAX_JSON, MAX_LISTED, read_json
from qtx_report.rules.registry import validate

from .fuzz.harness import run_cli

runner = CliRunner()
ENGLISH = ("Input should", "Field required", "Extra inputs", "Expecting", "valid", "Traceback")


def report_data(edition_name: str = "2021") -> dict:
    return synth.report("青铜峡市自然资源局", 2025, edition_name, 1, size=3).model_dump(mode="json")


def write(tmp_path: Path, data: object, name: str = "r.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_json(path)
    message = caught.value.describe()
    assert not any(word in message for word in ENGLISH), message
    return message


def test_the_model_completes_its_grids_and_still_refuses_foreign_keys() -> None:
    report = Report.model_validate({"agency": "某局", "year": 2025, "section3": {"new": {"natural": 3}}})
    for grid, rows in grid_keys("2021").items():
        assert list(getattr(report, grid)) == list(rows)
        assert all(list(getattr(report, grid)[row]) == list(columns) for row, columns in rows.items())
    assert report.section3["new"] == {"natural": 3, **dict.fromkeys(list(grid_keys("2021")["section3"]["new"])[1:])}
    with pytest.raises(ValueError, match="other"):
        Report.model_validate({"agency": "某局", "year": 2025, "section3": {"other": {}}})  # a 2019 row


@pytest.mark.parametrize("edition_name", ["2021", "2019"])
def test_missing_rows_and_cells_are_blank_cells_for_every_rule(tmp_path: Path, edition_name: str) -> None:
    data = report_data(edition_name)
    del data["section3"]["new"], data["section2"]["regulations"], data["section4"]
    del data["section3"]["carried_in"]["total"], data["section2"]["normative_docs"]
    path = write(tmp_path, data)
    other = write(tmp_path, {"agency": "青铜峡市自然资源局", "year": 2024, "edition": "2019" if edition_name == "2021" else "2021"},
                  "last.json")
    loaded = read_json(path)
    assert loaded.report.section3["new"]["natural"] is None and loaded.report.section4["review"]["total"] is None
    for previous in (None, read_json(other), read_json(write(tmp_path, {"agency": "a", "year": 2024}, "bare.json"))):
        codes = {f.code for f in validate(loaded, previous)}
        assert "I101" in codes
    assert runner.invoke(app, ["check", str(path), "--previous", str(other)]).exit_code == 1


def test_a_bare_report_builds_as_a_draft(tmp_path: Path) -> None:
    path = write(tmp_path, {"agency": "某局", "year": 2025})
    result = runner.invoke(app, ["build", str(path), "-o", str(tmp_path / "r.docx"), "--html", "--force"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.docx").is_file() and (tmp_path / "r.html").is_file()


def test_text_in_a_number_cell_is_read_as_a_workbook_cell(tmp_path: Path) -> None:
    data = report_data()
    data["section3"]["new"].update(natural="十二", business="12件", research="5", nonprofit=True, legal=1e300,
                                   other="x" * (MAX_CELL_TEXT + 1))
    data["section2"]["regulations"]["issued"] = "—"
    loaded = read_json(write(tmp_path, data))
    found = {f.key: f for f in loaded.findings}
    new = {column: found[("section3", "new", column)] for column in ("natural", "business", "research", "nonprofit",
                                                                      "legal", "other")}
    assert {k: f.code for k, f in new.items()} == {"natural": "I102", "business": "I103", "research": "I103",
                                                   "nonprofit": "I102", "legal": "I102", "other": "I102"}
    assert found[("section2", "regulations", "issued")].code == "I103"
    natural = new["natural"]
    assert (natural.section, natural.row, natural.column) == (
        "三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量", "自然人")
    assert "是否为 12" in natural.message and natural.cell == "section3.new.natural"
    assert "去掉引号" in new["research"].message and "过大" in new["legal"].message
    assert f"共 {MAX_CELL_TEXT + 1} 字" in new["other"].message
    s3 = loaded.report.section3["new"]
    assert (s3["natural"], s3["business"], s3["research"], s3["nonprofit"], s3["legal"]) == (None, 12, 5, None, None)
    assert loaded.report.section2["regulations"]["issued"] == 0
    result = runner.invoke(app, ["check", str(tmp_path / "r.json")])
    assert result.exit_code == 1 and "I102" in result.output and "“自然人”列的内容“十二”" in result.output


def test_huge_integer_literals_in_cells_are_unreadable_cells(tmp_path: Path) -> None:
    data = report_data()
    data["section3"]["new"].update(natural="BIG", business="MINUS")
    text = json.dumps(data).replace('"BIG"', "9" * 5000).replace('"MINUS"', "-1e999")
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    unread = [f for f in read_json(path).findings if f.code == "I102"]
    assert len(unread) == 2 and all("过大" in f.message and len(f.message) < 200 for f in unread)


def test_every_field_problem_is_listed_in_chinese_by_its_label(tmp_path: Path) -> None:
    data = {"agency": "", "year": "二〇二五", "edition": 2021, "report_date": "2025-02-30", "contact_phone": 13800000000,
            "agncy": "x", "schema_version": 2, "overview": ["a"]}
    message = refusal(write(tmp_path, data))
    assert "共 8 处" in message
    for expected in ("“单位名称”（agency）不能为空", "“报告年度”（year）应为整数，文件中是文字“二〇二五”",
                     "“格式版本”（edition）取值不在允许范围内，文件中是数字 2021", "“成文日期”（report_date）不是有效日期",
                     "“联系电话”（contact_phone）应为文字", "多余的字段“agncy”", "是否为“agency”",
                     "“格式版本号”（schema_version）", "“一、总体情况”（overview）应为文字，文件中是列表"):
        assert expected in message, expected


@pytest.mark.parametrize(("data", "expected"), [
    ({}, ["缺少“单位名称”（agency）", "缺少“报告年度”（year）"]),
    ({"agency": "某局", "year": 1900}, ["应在 2008 到 2100 之间"]),
    ({"agency": "某局", "year": 2025.5}, ["不能有小数"]),
    ({"agency": "某局", "year": True}, ["不能是逻辑值"]),
    ({"agency": "某局", "year": 2025, "report_date": 20260110}, ["“成文日期”（report_date）应为日期"]),
])
def test_field_types_and_ranges(tmp_path: Path, data: dict, expected: list[str]) -> None:
    message = refusal(write(tmp_path, data))
    assert all(e in message for e in expected), message


def test_grid_structure_problems_are_named_by_the_form(tmp_path: Path) -> None:
    data = report_data()
    data["section3"]["neww"] = {}
    data["section3"]["other"] = {"natural": 1}
    data["section3"]["granted"]["naturall"] = 1
    data["section3"]["partial"] = 7
    data["section4"]["review"]["upheld"] = [1]
    data["section2"] = "x"
    message = refusal(write(tmp_path, data))
    heading = edition("2021").heading_of("section3")
    for expected in (f"“{heading}”没有行键“neww”（是否为“new”？）", "这是 2019 版格式的行",
                     "“（一）予以公开”行没有列键“naturall”（是否为“natural”？）",
                     "“（二）部分公开（区分处理的，只计这一情形，不计其他情形）”行（partial）应为对象",
                     "“行政复议”行“结果维持”列（section4.review.upheld）应为数字或 null，文件中却是列表",
                     "（section2）应为对象，文件中却是文字“x”"):
        assert expected in message, expected


def test_a_wrong_edition_is_told_before_its_rows(tmp_path: Path) -> None:
    data = report_data()
    data["edition"] = "2020"
    message = refusal(write(tmp_path, data))
    assert "共 1 处" in message and "“格式版本”（edition）" in message


@pytest.mark.parametrize(("content", "expected"), [
    (b"[1, 2]", "文件中却是列表"),
    (b'"report"', "文件中却是文字“report”"),
    (b"null", "文件中却是空值 null"),
    (b"12", "文件中却是数字 12"),
    (b"   \n", "文件是空的"),
    (b'{"agency": "a",\n "year": 2025,}', "第 2 行第 15 列，字段名须用英文双引号括起来"),
    (b'{"agency": "a" "year": 2025}', "第 1 行第 16 列，缺少逗号"),
    (b'{"agency": "a}', "文字缺少结尾的英文双引号"),
    (b'{"agency": "a"} x', "后面还有多余内容"),
    (b'{"agency": "\xff"}', "不是 UTF-8 编码"),
    (b"[" * 100_000 + b"]" * 100_000, "嵌套层数过多"),
])
def test_what_is_not_a_report_object(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(content)
    assert expected in refusal(path)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"agency": "某局", "year": 2025}).encode())
    assert read_json(path).report.agency == "某局"


def test_bombs_are_bounded(tmp_path: Path) -> None:
    many = refusal(write(tmp_path, {"agency": "某局", "year": 2025, **{f"k{i}": [i] for i in range(50_000)}}))
    assert "共 50000 处" in many and f"另有 {50_000 - MAX_LISTED} 处未列出" in many and len(many) < 3000
    rows = refusal(write(tmp_path, {"agency": "某局", "year": 2025, "section3": {"长" * 2000 + str(i): {} for i in range(500)}}))
    assert "共 500 处" in rows and len(rows) < 3000
    long_text = refusal(write(tmp_path, {"agency": "局" * 10_000, "year": 2025, "overview": "字" * 200_000}))
    assert "共 2 处" in long_text and "10000 字" in long_text and len(long_text) < 1000
    big = tmp_path / "big.json"
    big.write_bytes(b'{"agency": "' + b"a" * MAX_JSON + b'"}')
    assert "超过" in refusal(big)
    year = tmp_path / "year.json"
    year.write_text('{"agency": "某局", "year": 1' + "0" * 5000 + "}", encoding="utf-8")
    assert "超出范围的数字" in refusal(year)


def test_a_deep_document_in_the_real_command(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"agency": "某局", "year": 2025, "overview": ' + "[" * 50_000 + "]" * 50_000 + "}", encoding="utf-8")
    outcome = run_cli("check", str(path), inputs=(path,))
    assert outcome.code == 2 and "嵌套层数过多" in outcome.stdout


def test_export_of_unreadable_cells_writes_blanks_and_says_so(tmp_path: Path) -> None:
    data = report_data()
    data["section3"]["new"]["natural"] = "十二"
    data["section3"]["new"]["business"] = "3件"
    source = write(tmp_path, data)
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["export", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert "I102" in result.output and "“自然人”列的内容“十二”" in result.output and "I103" in result.output
    assert "导出为空白" in result.output
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["section3"]["new"]["natural"] is None and exported["section3"]["new"]["business"] == 3
    again = runner.invoke(app, ["export", str(out), "-o", str(tmp_path / "again.json")])
    assert again.exit_code == 0 and "错误" not in again.output
