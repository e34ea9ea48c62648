"""Review decisions that last (`city.reviews`): the office's 处理意见 written into 全市汇总.xlsx as a
person would, read back by the next `city` run, carried to the same finding, kept when the workbook
is regenerated, resolved when the agency fixes its file."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtx_report.city import outputs, outputs_xlsx, reviews
from qtx_report.city.reviews import Review, finding_fingerprints, fingerprint, read_reviews, settle
from qtx_report.city.roster import agency_key
from qtx_report.cli.app import app
from qtx_report.cli.city import city_command
from qtx_report.model.findings import Finding, InputError
from qtx_report.model.places import SheetCell

from .helpers import set_cell

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = SAMPLES / "名单.xlsx"
HOUSING, LABOUR, XIAKOU = "市住房和城乡建设局.xlsx", "市人力资源和社会保障局.xlsx", "峡口镇.xlsx"


def run(folder: Path, out: Path, capsys=None, **options) -> tuple[int, dict, str]:
    code = city_command(folder, roster=ROSTER, output=out, jobs=1, overwrite=True, **options)
    printed = capsys.readouterr().out if capsys else ""
    return code, json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8")), printed


def header(ws) -> dict[str, int]:
    return {cell.value: cell.column for cell in ws[1]}


def find_row(ws, file: str, code: str, cell: str = "") -> int:
    """The sheet row (1-based) of one finding, found as a person finds it: by file, code and cell."""
    col = header(ws)
    for r in range(2, ws.max_row + 1):
        if (ws.cell(r, col["文件"]).value == file and ws.cell(r, col["代码"]).value == code
                and (not cell or ws.cell(r, col["单元格"]).value == cell)):
            return r
    raise AssertionError(f"no {code} of {file} at {cell!r}")


def decide(path: Path, *decisions: tuple[str, str, str, str, str]) -> None:
    """Fill 处理意见, 理由, 处理人 and 日期 in 问题清单 with openpyxl, as the office would in Excel."""
    book = openpyxl.load_workbook(path)
    ws = book[outputs_xlsx.FINDINGS_SHEET]
    col = header(ws)
    for file, code, cell, decision, reason in decisions:
        r = find_row(ws, file, code, cell)
        ws.cell(r, col["处理意见"], decision)
        ws.cell(r, col["理由"], reason or None)
        ws.cell(r, col["处理人"], "王科长")
        ws.cell(r, col["日期"], datetime(2026, 2, 3))
    book.save(path)


def finding(summary: dict, file: str, code: str, cell: str = "") -> dict:
    return next(f for f in summary["findings"] if f["file"] == file and f["code"] == code
                and (not cell or f["cell"] == cell))


def agency_row(summary: dict, file: str) -> dict:
    return next(row for row in summary["agencies"] if row["file"] == file)


DECISIONS = (
    (HOUSING, "B401", "D27", "确认", ""),
    (XIAKOU, "D601", "", "不予采纳", "纸质报告1月14日已送达，电子版晚交"),
    (LABOUR, "B403", "J6", "不予采纳", "串行已在纸质报告中更正"),
    (LABOUR, "B403", "J7", "不予采纳", "串行已在纸质报告中更正"),
)


@pytest.fixture(scope="module")
def rounds(tmp_path_factory) -> dict[str, object]:
    """Three runs into one output folder: plain; with the office's decisions (--reviews); after
    住建局 fixed its file, without --reviews (the kept file carries the decisions)."""
    base = tmp_path_factory.mktemp("reviews")
    folder, out = base / "2025", base / "2025全市"
    shutil.copytree(SAMPLES / "2025", folder)
    first = run(folder, out)
    decide(out / outputs.OUT_XLSX, *DECISIONS)
    filled = base / "已填写.xlsx"
    shutil.copy(out / outputs.OUT_XLSX, filled)
    second = run(folder, out, reviews=out / outputs.OUT_XLSX)
    second_book = base / "second.xlsx"
    shutil.copy(out / outputs.OUT_XLSX, second_book)
    kept = (out / outputs.OUT_REVIEWS).read_text(encoding="utf-8")
    for column in ("natural", "total"):  # the 结转 counted twice (samples/README.md #4), corrected
        set_cell(folder / HOUSING, "section3", "carried_out", column, 0)
    third = run(folder, out)
    return {"folder": folder, "out": out, "first": first, "second": second, "second_book": second_book,
            "kept": kept, "third": third, "filled": filled}


# ---------------------------------------------------------------- decisions applied


def test_every_finding_has_a_fingerprint_and_is_pending_at_first(rounds):
    _, summary, _ = rounds["first"]
    assert summary["findings"] and all(reviews.is_fingerprint(f["fingerprint"]) for f in summary["findings"])
    assert {f["review"]["status"] for f in summary["findings"]} == {"待处理"}
    assert summary["reviews"]["applied"] == 0 and summary["reviews"]["resolved"] == []


def test_a_dismissed_warning_is_shown_and_no_longer_counts(rounds):
    _, before, _ = rounds["first"]
    _, after, _ = rounds["second"]
    assert agency_row(before, XIAKOU)["warnings"] == 1
    row = agency_row(after, XIAKOU)
    assert (row["warnings"], row["dismissed"]) == (0, 1) and "1 处警告或提示已不予采纳" in row["note"]
    review = finding(after, XIAKOU, "D601")["review"]
    assert review == {"status": "已不予采纳", "decision": "不予采纳", "reason": "纸质报告1月14日已送达，电子版晚交",
                      "reviewer": "王科长", "date": "2026-02-03"}


def test_an_error_dismissed_with_a_reason_is_explained_still_listed_and_does_not_block(rounds):
    _, before, _ = rounds["first"]
    _, after, _ = rounds["second"]
    assert agency_row(before, LABOUR)["state"] == "invalid" and not agency_row(before, LABOUR)["counted"]
    row = agency_row(after, LABOUR)
    assert (row["state"], row["errors"], row["explained"], row["counted"]) == ("valid", 0, 2, True)
    assert "2 处错误已说明" in row["note"]
    for cell in ("J6", "J7"):
        assert finding(after, LABOUR, "B403", cell)["review"]["status"] == "已说明"


def test_a_confirmed_error_still_counts(rounds):
    _, after, _printed = rounds["second"]
    row = agency_row(after, HOUSING)
    assert (row["state"], row["errors"]) == ("invalid", 2)
    assert finding(after, HOUSING, "B401", "D27")["review"]["status"] == "已确认"
    assert finding(after, HOUSING, "B401", "J27")["review"]["status"] == "待处理"
    assert after["reviews"] | {"resolved": None} == {"applied": 4, "confirmed": 1, "dismissed": 1, "explained": 2,
                                                      "resolved": None, "unmatched": []}


def test_the_sums_errors_from_explained_numbers_can_be_explained_too(rounds, tmp_path, capsys):
    _, after, printed = rounds["second"]
    sum_errors = [f for f in after["findings"] if f["file"].startswith("全市汇总") and f["severity"] == "error"]
    assert sum_errors and {f["code"] for f in sum_errors} == {"B403"}  # 人社局's numbers, counted as they are
    path = tmp_path / "全市汇总.xlsx"
    shutil.copy(rounds["second_book"], path)
    book = openpyxl.load_workbook(path)
    ws = book[outputs_xlsx.FINDINGS_SHEET]
    col = header(ws)
    for r in range(2, ws.max_row + 1):
        if str(ws.cell(r, col["文件"]).value).startswith("全市汇总") and ws.cell(r, col["严重程度"]).value == "错误":
            ws.cell(r, col["处理意见"], "不予采纳")
            ws.cell(r, col["理由"], "人社局串行，总数无误")
    book.save(path)
    # The samples as they were (in `rounds` 住建局 has since fixed its file, which changes the sums).
    _, summary, printed = run(SAMPLES / "2025", tmp_path / "out", capsys, reviews=path)
    assert "汇总表校验：通过。" in printed and summary["reviews"]["explained"] == 2 + len(sum_errors)
    assert {f["review"]["status"] for f in summary["findings"]
            if f["file"].startswith("全市汇总") and f["severity"] == "error"} == {"已说明"}


def test_decisions_are_written_back_into_the_new_workbook(rounds):
    book = openpyxl.load_workbook(rounds["second_book"])
    ws = book[outputs_xlsx.FINDINGS_SHEET]
    col = header(ws)
    for file, code, cell, decision, reason in DECISIONS:
        r = find_row(ws, file, code, cell)
        assert ws.cell(r, col["处理意见"]).value == decision
        assert (ws.cell(r, col["理由"]).value or "") == reason
        assert (ws.cell(r, col["处理人"]).value, ws.cell(r, col["日期"]).value) == ("王科长", "2026-02-03")
    assert ws.cell(find_row(ws, XIAKOU, "D601"), col["处理状态"]).value == "已不予采纳"
    choices = ws.data_validations.dataValidation
    assert len(choices) == 1 and choices[0].formula1 == '"确认,不予采纳"'
    assert str(choices[0].sqref) == f"O2:O{ws.max_row}"


def test_the_kept_file_holds_every_decision(rounds):
    kept = json.loads(rounds["kept"])
    assert kept["year"] == 2025
    assert sorted((d["file"], d["code"], d["decision"], d["status"]) for d in kept["decisions"]) == sorted(
        (file, code, decision, status) for (file, code, _, decision, _), status
        in zip(DECISIONS, ("已确认", "已不予采纳", "已说明", "已说明"), strict=True))


# ---------------------------------------------------------------- fixed, regenerated


def test_a_decision_whose_finding_was_fixed_is_reported_resolved(rounds):
    _, summary, _ = rounds["third"]
    assert agency_row(summary, HOUSING)["state"] == "valid"
    assert not [f for f in summary["findings"] if f["file"] == HOUSING and f["code"] == "B401"]
    resolved = summary["reviews"]["resolved"]
    assert [(r["agency"], r["code"], r["decision"], r["status"]) for r in resolved] == [
        ("青铜峡市住房和城乡建设局", "B401", "确认", "已解决")]
    assert "第三部分" in resolved[0]["message"]  # the finding as last seen
    book = openpyxl.load_workbook(rounds["out"] / outputs.OUT_XLSX)
    ws = book[reviews.RESOLVED_SHEET]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    col = {name: i for i, name in enumerate(next(ws.iter_rows(max_row=1, values_only=True)))}
    assert len(rows) == 1 and rows[0][col["处理状态"]] == "已解决" and rows[0][col["代码"]] == "B401"


def test_a_regenerated_workbook_without_reviews_keeps_every_decision(rounds, tmp_path, capsys):
    _, summary, _ = rounds["third"]
    assert summary["reviews"]["applied"] == 3  # the other three, from 审核意见.json
    assert finding(summary, XIAKOU, "D601")["review"]["status"] == "已不予采纳"
    kept = json.loads((rounds["out"] / outputs.OUT_REVIEWS).read_text(encoding="utf-8"))
    assert len(kept["decisions"]) == 4 and {d["status"] for d in kept["decisions"]} == {"已不予采纳", "已说明", "已解决"}
    # Once more, with the workbook as filled in the first round: the resolved decision stays resolved,
    # and a regenerated 已解决 sheet read back loses nothing either.
    _code, again, printed = run(rounds["folder"], rounds["out"], capsys, reviews=rounds["filled"])
    assert again["reviews"]["applied"] == 3 and len(again["reviews"]["resolved"]) == 1
    assert "审核意见：3 条已沿用到本次的问题（已不予采纳 1、已说明 2）；1 条对应的问题已不存在（已解决）" in printed
    assert read_reviews(rounds["out"] / outputs.OUT_XLSX).keys() == read_reviews(rounds["out"] / outputs.OUT_REVIEWS).keys()
    assert len(read_reviews(rounds["out"] / outputs.OUT_XLSX)) == 4


def test_sorted_rows_and_added_columns_still_read(rounds, tmp_path):
    expected = read_reviews(rounds["filled"])
    assert len(expected) == 4
    book = openpyxl.load_workbook(rounds["filled"])
    ws = book[outputs_xlsx.FINDINGS_SHEET]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    for r, values in enumerate(reversed(rows), start=2):  # sorted the other way round
        for c, value in enumerate(values, start=1):
            ws.cell(r, c).value = value  # ws.cell(r, c, None) would leave the old value
    ws.insert_cols(1)
    ws.cell(1, 1, "备注")
    ws.cell(2, 1, "已电话联系")
    ws.auto_filter.ref = f"A1:T{ws.max_row}"
    changed = tmp_path / "改过.xlsx"
    book.save(changed)
    assert read_reviews(changed) == expected


# ---------------------------------------------------------------- bad reviews


def bad_case(rounds, tmp_path, edit) -> tuple[Path, int]:
    path = tmp_path / "全市汇总.xlsx"
    shutil.copy(rounds["filled"], path)
    book = openpyxl.load_workbook(path)
    ws = book[outputs_xlsx.FINDINGS_SHEET]
    r = edit(ws, header(ws))
    book.save(path)
    return path, r


@pytest.mark.parametrize("kind", ["decision", "reason", "fingerprint"])
def test_bad_reviews_are_refused_naming_sheet_and_row_and_nothing_is_written(rounds, tmp_path, kind):
    def edit(ws, col):
        if kind == "decision":
            r = find_row(ws, XIAKOU, "D601")
            ws.cell(r, col["处理意见"], "同意")
        elif kind == "reason":
            r = find_row(ws, HOUSING, "B401", "J27")
            ws.cell(r, col["处理意见"], "不予采纳")
        else:
            r = find_row(ws, LABOUR, "B403", "J6")
            ws.cell(r, col["指纹"], "12345")
        return r

    path, r = bad_case(rounds, tmp_path, edit)
    out = rounds["out"]
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = CliRunner().invoke(app, ["city", str(rounds["folder"]), "--roster", str(ROSTER), "-o", str(out),
                                      "--overwrite", "--reviews", str(path)])
    assert result.exit_code == 2, result.output
    assert f"工作表“问题清单”，单元格 第{r}行" in result.output and "Traceback" not in result.output
    expected = {"decision": "处理意见“同意”无法识别", "reason": "不予采纳时须在“理由”列写明理由",
                "fingerprint": "指纹“12345”不是本程序生成的指纹"}[kind]
    assert expected in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before  # nothing recorded is lost
    fresh = tmp_path / "新输出"
    result = CliRunner().invoke(app, ["city", str(rounds["folder"]), "--roster", str(ROSTER), "-o", str(fresh),
                                      "--reviews", str(path)])
    assert result.exit_code == 2 and not fresh.exists()


def test_an_unknown_fingerprint_is_a_resolved_decision_not_an_error(rounds, tmp_path):
    def edit(ws, col):
        r = ws.max_row + 1  # a row a person added by hand, for a finding this compile does not have
        for name, value in (("单位名称", "青铜峡市财政局"), ("代码", "T503"), ("指纹", "0123abcd0123abcd"),
                            ("处理意见", "不予采纳"), ("说明", "与上年重复")):
            ws.cell(r, col[name], value)
        return r

    path, _ = bad_case(rounds, tmp_path, edit)
    _, summary, _ = run(rounds["folder"], tmp_path / "out", reviews=path)
    assert "0123abcd0123abcd" in [r["fingerprint"] for r in summary["reviews"]["resolved"]]


def test_a_reviews_file_of_another_kind_is_refused(tmp_path):
    other = tmp_path / "意见.txt"
    other.write_text("确认", encoding="utf-8")
    with pytest.raises(InputError, match="--reviews"):
        read_reviews(other)
    broken = tmp_path / reviews.REVIEWS_FILE
    broken.write_text('{"decisions": [{"fingerprint": "zz", "decision": "确认", "code": "B401"}]}', encoding="utf-8")
    with pytest.raises(InputError, match="第1条审核意见"):
        read_reviews(broken)


def test_a_workbook_without_the_findings_sheet_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "别的表"
    path = tmp_path / "别的.xlsx"
    book.save(path)
    with pytest.raises(InputError, match="问题清单"):
        read_reviews(path)


# ---------------------------------------------------------------- the model


def test_a_decision_of_an_agency_without_a_readable_report_stays_unmatched():
    gone = Review("0" * 16, "确认", agency="青铜峡市水务局", code="B401")
    fixed = Review("1" * 16, "确认", agency="青铜峡市财政局", code="B401")
    met = Review("2" * 16, "不予采纳", reason="已核实", agency="青铜峡市财政局", code="B401")
    settled = settle({r.fingerprint: r for r in (gone, fixed, met)}, {met.fingerprint: met}, {agency_key("财政局")})
    assert (settled.resolved, settled.unmatched, list(settled.applied)) == ((fixed,), (gone,), [met.fingerprint])
    assert met.status == "已说明" and fixed.status == "已确认"
    assert Review("3" * 16, "不予采纳", code="D601").status == "已不予采纳"


def test_repeated_findings_of_one_file_get_distinct_fingerprints():
    twice = [Finding("T503", "重复", section="五、存在的主要问题及改进情况")] * 2
    prints = finding_fingerprints("青铜峡市财政局", twice)
    assert len(set(prints)) == 2


texts = st.text(min_size=0, max_size=12)


@settings(max_examples=200, deadline=None)
@given(agency=st.text(min_size=1, max_size=12), code=st.sampled_from(["B401", "D601", "T503", "I101"]),
       row=st.integers(0, 200), column=st.integers(0, 30), expected=texts, actual=texts,
       files=st.tuples(texts, texts), messages=st.tuples(texts, texts), other=texts)
def test_fingerprint_ignores_file_and_message_and_follows_the_values(agency, code, row, column, expected, actual,
                                                                     files, messages, other):
    place = SheetCell("三、收到和处理政府信息公开申请情况", row, column)
    one, two = (Finding(code, message, file=file, place=place, expected=expected, actual=actual)
                for file, message in zip(files, messages, strict=True))
    assert finding_fingerprints(agency, [one]) == finding_fingerprints(agency, [two])
    if other.strip() != expected.strip():
        changed = Finding(code, messages[0], file=files[0], place=place, expected=other, actual=actual)
        assert finding_fingerprints(agency, [changed]) != finding_fingerprints(agency, [one])
    moved = Finding(code, messages[0], file=files[0], place=SheetCell(place.sheet, row + 1, column),
                    expected=expected, actual=actual)
    assert finding_fingerprints(agency, [moved]) != finding_fingerprints(agency, [one])
    assert reviews.is_fingerprint(fingerprint(agency, code, sheet=place.sheet, cell=place.cell))


def test_review_json_round_trips_through_the_kept_file(tmp_path):
    review = Review("abcdef0123456789", "不予采纳", "已核实", "王科长", "2026-02-03", "B403", "青铜峡市财政局",
                    "总计不符", "市财政局.xlsx")
    path = tmp_path / reviews.REVIEWS_FILE
    reviews.write_kept(path, reviews.Reviewed({review.fingerprint: review}), 2025)
    assert read_reviews(path) == {review.fingerprint: review}
    assert json.loads(path.read_text(encoding="utf-8"))["decisions"][0]["status"] == "已说明"
