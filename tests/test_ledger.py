"""The request ledger: template, reading by label, the tally of sections 三/四, deadlines."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.form import editions as form
from qtx_report.ledger.columns import (
    CASE_COLUMNS,
    CASE_SHEET,
    HELP_SHEET,
    LIST_SHEET,
    REQUEST_COLUMNS,
    REQUEST_SHEET,
    YES,
    applicant_choices,
    case_kind_choices,
    case_result_choices,
    result_choices,
)
from qtx_report.ledger.deadlines import clock, open_items
from qtx_report.ledger.read import Request, read_ledger
from qtx_report.ledger.tally import tally_requests
from qtx_report.ledger.template import write_ledger_template
from qtx_report.ledger.workdays import add_workdays
from qtx_report.model.findings import CODES, InputError
from qtx_report.model.places import SheetCell

S3 = form.EDITION_2021.section3
YEAR = 2024
TODAY = date(2025, 1, 10)
runner = CliRunner()


# ---------------------------------------------------------------- helpers


def printed(key: str, edition: str = "2021") -> str:
    return next(text for text, k in result_choices(edition) if k == key)


def applicant(key: str) -> str:
    return next(text for text, k in applicant_choices("2021") if k == key)


def label(key: str, columns=REQUEST_COLUMNS) -> str:
    return next(c.label for c in columns if c.key == key)


def row(number: str, received: object, who: str = "natural", answered: object = None, result: str | None = None,
        **more: object) -> dict[str, object]:
    cells = {"number": number, "received": received, "applicant": applicant(who), "answered": answered,
             "result": _result_text(result)}
    return cells | more


def _result_text(result: str | None) -> str | None:
    """A row key → the drop-down text; anything else is what the clerk typed."""
    keys = {k for _, k in result_choices("2021")}
    return printed(result) if result in keys else result


def write_ledger(path: Path, rows: list[dict[str, object]], cases: list[dict[str, object]] | None = None,
                 edition: str = "2021") -> Path:
    """A ledger written by our template, filled as a clerk would: by column label."""
    write_ledger_template(path, edition=edition)
    wb = openpyxl.load_workbook(path)
    for sheet, columns, data in ((REQUEST_SHEET, REQUEST_COLUMNS, rows), (CASE_SHEET, CASE_COLUMNS, cases or [])):
        ws = wb[sheet]
        keys = [next(c.key for c in columns if c.label == cell.value) for cell in ws[1]]
        for values in data:
            ws.append([values.get(k) for k in keys])
    wb.save(path)
    return path


def request(number: str, received: date | None, answered: date | None = None, result: str | None = "granted",
            who: str = "natural", **more: object) -> Request:
    return Request(file="台账.xlsx", sheet=REQUEST_SHEET, row=int(number) + 1 if number.isdigit() else 2,
                   number=number, received=received, applicant=who, answered=answered,
                   result=result if answered else None, **more)  # type: ignore[arg-type]


def codes(findings) -> list[str]:
    return sorted(f.code for f in findings)


def balanced(grid: dict[str, dict[str, int]], edition: str = "2021") -> None:
    """The identities the validator checks (B401–B403), asserted directly."""
    s3 = form.edition(edition).section3
    for col in s3.columns:
        c = col.key
        results = sum(grid[leaf.key][c] for leaf in s3.leaves)
        assert grid["results_total"][c] == results
        assert grid["new"][c] + grid["carried_in"][c] == grid["results_total"][c] + grid["carried_out"][c]
    for r in s3.rows:
        assert grid[r.key]["total"] == sum(grid[r.key][c.key] for c in s3.applicant_columns)


# ---------------------------------------------------------------- the template


def test_template_columns_lists_and_help(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    write_ledger_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [REQUEST_SHEET, CASE_SHEET, HELP_SHEET, LIST_SHEET]
    ws = wb[REQUEST_SHEET]
    assert [c.value for c in ws[1]] == [c.label for c in REQUEST_COLUMNS]
    assert ws.freeze_panes == "B2"
    assert wb[LIST_SHEET].sheet_state == "hidden"
    lists = {ws_cell.value: [c.value for c in col[1:] if c.value] for col in wb[LIST_SHEET].iter_cols()
             for ws_cell in col[:1]}
    result_list = next(v for k, v in lists.items() if k.endswith(label("result")))
    assert result_list == [t for t, _ in result_choices("2021")]
    assert len(result_list) == len(form.EDITION_2021.section3.leaves) == 21
    assert "（三）1.属于国家秘密" in result_list  # the group stays visible
    applicant_list = next(v for k, v in lists.items() if k.endswith(label("applicant")))
    assert applicant_list == [c.label for c in form.EDITION_2021.section3.applicant_columns]
    validated = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
    for i, col in enumerate(REQUEST_COLUMNS):
        letter = openpyxl.utils.get_column_letter(i + 1)
        assert (f"{letter}2" in validated) == (col.kind != "text"), col.label
    help_text = "\n".join(str(c.value) for r in wb[HELP_SHEET].iter_rows() for c in r if c.value)
    for col in (*REQUEST_COLUMNS, *CASE_COLUMNS):
        assert col.label in help_text
    assert "{choices}" not in help_text


def test_template_2019_has_19_results(tmp_path: Path) -> None:
    assert len(result_choices("2019")) == 19
    path = tmp_path / "台账.xlsx"
    write_ledger_template(path, edition="2019")
    assert read_ledger(path, "2019").requests == ()


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    write_ledger_template(path)
    with pytest.raises(InputError):
        write_ledger_template(path)
    write_ledger_template(path, overwrite=True)


def test_blank_template_tallies_to_zero(tmp_path: Path) -> None:
    ledger = read_ledger(write_ledger(tmp_path / "台账.xlsx", []))
    result = tally_requests(ledger.requests, YEAR, cases=ledger.cases, today=TODAY)
    assert result.complete and result.findings == ()
    assert all(v == 0 for cells in result.section3.values() for v in cells.values())
    assert result.section4 is not None and all(v == 0 for c in result.section4.values() for v in c.values())


def test_ledger_codes_are_catalogued() -> None:
    ledger_codes = [c for c, code in CODES.items() if code.category == "ledger"]
    assert ledger_codes and all(c.startswith("L8") for c in ledger_codes)


# ---------------------------------------------------------------- counts


def test_known_counts_across_the_year_boundary(tmp_path: Path) -> None:
    rows = [
        row("1", date(2023, 11, 2), "natural", date(2023, 11, 20), "granted"),  # closed before: not counted
        row("2", date(2023, 12, 20), "business", date(2024, 1, 8), "partial"),  # 二 → （二）
        row("3", date(2023, 12, 28), "legal"),  # 二 → 四, still open
        row("4", date(2024, 1, 2), "natural", date(2024, 1, 2), "refused_secret"),  # on the spot
        row("5", date(2024, 6, 3), "research", date(2024, 6, 20), "unable_not_held"),
        row("6", date(2024, 12, 30), "natural", date(2025, 1, 6), "granted"),  # 一 → 四 (answered next year)
        row("7", date(2024, 12, 31), "other"),  # 一 → 四
        row("8", date(2025, 1, 3), "natural"),  # next year: not counted
        row("9", "2024年3月5日", "nonprofit", "2024/3/20", "unable_unclear"),  # dates typed as text
        row("10", date(2024, 4, 1), "natural", date(2024, 4, 8), S3.row("nh_repeat").label),  # bare label
    ]
    ledger = read_ledger(write_ledger(tmp_path / "台账.xlsx", rows))
    result = tally_requests(ledger.requests, YEAR, cases=ledger.cases, today=date(2024, 12, 31))
    s3 = result.section3
    assert result.complete and result.counted == 8
    assert s3["new"] == {"natural": 3, "business": 0, "research": 1, "nonprofit": 1, "legal": 0, "other": 1,
                         "total": 6}
    assert s3["carried_in"]["business"] == 1 and s3["carried_in"]["legal"] == 1 and s3["carried_in"]["total"] == 2
    assert s3["partial"]["business"] == 1
    assert s3["refused_secret"]["natural"] == 1
    assert s3["unable_not_held"]["research"] == 1
    assert s3["unable_unclear"]["nonprofit"] == 1
    assert s3["nh_repeat"]["natural"] == 1
    assert s3["results_total"]["total"] == 5
    assert s3["carried_out"] == {"natural": 1, "business": 0, "research": 0, "nonprofit": 0, "legal": 1,
                                 "other": 1, "total": 3}
    balanced(s3)


def test_next_years_carried_in_equals_this_years_carried_out() -> None:
    requests = [request("1", date(2023, 12, 1)), request("2", date(2024, 5, 1), date(2025, 2, 1)),
                request("3", date(2024, 7, 1), None, who="business"),
                request("4", date(2024, 8, 1), date(2024, 8, 5))]
    this, following = tally_requests(requests, 2024, today=TODAY), tally_requests(requests, 2025, today=TODAY)
    assert this.section3["carried_out"] == following.section3["carried_in"]


def test_previous_ledger_supplies_carried_in(tmp_path: Path) -> None:
    previous = write_ledger(tmp_path / "2023.xlsx", [
        row("1", date(2023, 12, 25), "natural"),  # open at the end of 2023
        row("2", date(2023, 12, 26), "natural", date(2024, 1, 5), "granted"),  # copied into this year's too
    ])
    current = write_ledger(tmp_path / "2024.xlsx", [
        row("2", date(2023, 12, 26), "natural", date(2024, 1, 5), "granted"),
        row("3", date(2024, 2, 1), "natural", date(2024, 2, 5), "granted"),
    ])
    out = tmp_path / "report.json"
    alone = runner.invoke(app, ["tally", str(current), "--year", "2024"])
    assert "L810" not in alone.output  # row 2 was received in 2023, so the ledger does reach back
    res = runner.invoke(app, ["tally", str(current), "--year", "2024", "--previous-ledger", str(previous),
                              "-o", str(out), "--agency", "青铜峡市自然资源局"])
    assert res.exit_code == 0, res.output
    s3 = json.loads(out.read_text("utf-8"))["section3"]
    assert s3["carried_in"]["natural"] == 2  # row 2 counted once, not twice
    assert s3["new"]["natural"] == 1 and s3["carried_out"]["natural"] == 1


def test_warns_when_ledger_has_no_earlier_requests() -> None:
    result = tally_requests([request("1", date(2024, 3, 1))], 2024, today=TODAY)
    assert "L810" in codes(result.findings) and result.complete


def test_cases_sheet_fills_section_4(tmp_path: Path) -> None:
    kind = dict((k, t) for t, k in case_kind_choices("2021"))
    res = dict((k, t) for t, k in case_result_choices("2021"))
    cases = [
        {"number": "复1", "kind": kind["review"], "received": date(2024, 3, 1), "result": res["upheld"],
         "concluded": date(2024, 5, 1)},
        {"number": "复2", "kind": "复议", "received": date(2024, 9, 1), "result": "纠正",  # short words accepted
         "concluded": date(2025, 1, 20)},  # concluded next year → 尚未审结 in 2024
        {"number": "诉1", "kind": kind["direct_suit"], "received": date(2024, 10, 1), "result": res["pending"]},
        {"number": "诉2", "kind": kind["suit_after_review"], "received": date(2023, 10, 1), "result": res["other"]},
    ]
    ledger = read_ledger(write_ledger(tmp_path / "台账.xlsx", [], cases))
    s4 = tally_requests(ledger.requests, YEAR, cases=ledger.cases, today=TODAY).section4
    assert s4 is not None
    assert s4["review"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
    assert s4["direct_suit"]["pending"] == 1 and s4["direct_suit"]["total"] == 1
    assert s4["suit_after_review"]["total"] == 0  # received in 2023


def test_2019_edition_maps_2021_other_rows() -> None:
    from qtx_report.ledger.read import _result_index

    index = _result_index(form.edition("2019"))
    from qtx_report.model import labels

    assert index[labels.key(printed("other_no_correction"))] == "other"
    assert index[labels.key("（六）其他处理")] == "other"


def test_reordered_and_extra_columns_and_a_title_row(tmp_path: Path) -> None:
    path = tmp_path / "自制台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2024年"
    ws.append(["某局2024年依申请公开登记台账"])
    ws.append([])
    order = ["result", "answered", "remark", "applicant", "received", "number"]
    ws.append([label(k) for k in order[:2]] + ["经办人"] + [label(k) for k in order[3:]])
    ws.append([printed("granted"), date(2024, 3, 8), "李四", applicant("natural"), date(2024, 3, 1), "A-1"])
    wb.save(path)
    ledger = read_ledger(path)
    assert ledger.cases is None
    (q,) = ledger.requests
    assert (q.row, q.number, q.received, q.result, q.applicant) == (4, "A-1", date(2024, 3, 1), "granted", "natural")
    result = tally_requests(ledger.requests, YEAR, cases=ledger.cases, today=TODAY)
    assert result.section3["granted"]["total"] == 1 and result.section4 is None


# ---------------------------------------------------------------- malformed rows: reported, not dropped


def test_malformed_rows_are_reported_with_row_numbers(tmp_path: Path) -> None:
    rows = [
        row("1", None, "natural", date(2024, 3, 1), "granted"),  # L801 missing receipt (row 2)
        row("2", date(2024, 3, 1), "natural", date(2024, 3, 5), "已答复"),  # L802: not a result label
        row("3", date(2024, 3, 10), "natural", date(2024, 3, 5), "granted"),  # L803 answer before receipt
        row("4", date(2024, 4, 1), "natural"),  # L804 (row 5) with row 6
        row("4", date(2024, 4, 2), "natural"),
        row("5", date(2024, 4, 3), "natural") | {"applicant": "公民"},  # L805
        row("6", date(2024, 4, 4), "natural", date(2024, 4, 8)),  # L802: answered, no result
        row("7", date(2024, 4, 4), "natural", None, "granted"),  # L802: result, no answer date
        row("8", date(2024, 4, 9), "natural", date(2024, 4, 10), "granted"),  # fine
    ]
    ledger = read_ledger(write_ledger(tmp_path / "台账.xlsx", rows))
    assert len(ledger.requests) == 9  # nothing dropped
    result = tally_requests(ledger.requests, YEAR, today=TODAY)
    errors = sorted((f.code, f.cell) for f in result.findings if f.severity == "error")
    assert errors == sorted([("L801", "B2"), ("L802", "Q3"), ("L802", "P9"), ("L802", "Q8"), ("L803", "P4"),
                             ("L804", "A5"), ("L804", "A6"), ("L805", "E7")])
    assert all(f"第{f.cell[1:]}行" in f.message for f in result.findings if f.severity == "error")
    assert not result.complete and result.uncountable == 8 and result.counted == 1
    balanced(result.section3)  # the countable rows still balance


def test_defect_outside_the_year_is_a_warning() -> None:
    from qtx_report.ledger.read import Defect

    bad = Request("台账.xlsx", REQUEST_SHEET, 2, "1", date(2022, 3, 1), None, date(2022, 3, 5), "granted",
                  defects=(Defect("L805", "申请人类型未填", SheetCell(REQUEST_SHEET, 1, 4)),))
    result = tally_requests([bad, request("2", date(2024, 1, 3))], YEAR, today=TODAY)
    assert "L809" in codes(result.findings) and result.complete


def test_unreadable_date_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    path = write_ledger(tmp_path / "台账.xlsx", [row("1", "2024-02-30"), row("2", date(2024, 3, 1))])
    out = tmp_path / "report.json"
    res = runner.invoke(app, ["tally", str(path), "--year", "2024", "-o", str(out), "--agency", "某局"])
    assert res.exit_code == 2
    assert "L800" in res.output and "登记台账!B2" in res.output and "2024-02-30" in res.output
    assert not out.exists()


def test_uncountable_rows_exit_1_and_write_nothing(tmp_path: Path) -> None:
    path = write_ledger(tmp_path / "台账.xlsx", [row("1", date(2024, 3, 1)), row("1", date(2024, 3, 2))])
    out = tmp_path / "report.json"
    res = runner.invoke(app, ["tally", str(path), "--year", "2024", "-o", str(out), "--agency", "某局"])
    assert res.exit_code == 1 and "L804" in res.output and "未写入" in res.output
    assert not out.exists()


def test_missing_header_column_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = REQUEST_SHEET
    wb.active.append([label("number"), label("received"), label("applicant"), label("answered")])
    wb.save(path)
    res = runner.invoke(app, ["tally", str(path), "--year", "2024"])
    assert res.exit_code == 2
    assert label("result") in res.output and REQUEST_SHEET in res.output


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_text("编号,收到日期\n", encoding="utf-8")
    res = runner.invoke(app, ["ledger-status", str(path)])
    assert res.exit_code == 2 and "Excel" in res.output
    csv = tmp_path / "台账.csv"
    csv.write_text("x", encoding="utf-8")
    assert runner.invoke(app, ["tally", str(csv), "--year", "2024"]).exit_code == 2


# ---------------------------------------------------------------- deadlines


def test_answer_within_20_workdays_across_spring_festival() -> None:
    received = date(2024, 1, 31)
    due = add_workdays(received, 20)
    assert due == date(2024, 3, 4)
    on_time = request("1", received, due)
    late = request("2", received, date(2024, 3, 5))
    result = tally_requests([on_time, late], YEAR, today=TODAY)
    late_findings = [f for f in result.findings if f.code == "L811"]
    assert [f.cell for f in late_findings] == ["A3"] and "逾期1个工作日" in late_findings[0].message


def test_extension_adds_20_workdays_across_national_day() -> None:
    received = date(2024, 8, 26)
    # 中秋 9月15日—17日 (9月14日 Saturday works), 国庆 10月1日—7日 (9月29日 and 10月12日 work)
    q = request("1", received, date(2024, 10, 23), extended=True)
    assert clock(q).answer_due == add_workdays(received, 40) == date(2024, 10, 25)
    assert clock(request("2", received, None)).answer_due == date(2024, 9, 24)
    result = tally_requests([q, request("2", received, date(2024, 10, 23))], YEAR, today=TODAY)
    assert [f.cell for f in result.findings if f.code == "L811"] == ["A3"]


def test_correction_restarts_the_period_and_notice_is_due_in_7_workdays() -> None:
    received = date(2024, 3, 1)
    notice, completed = date(2024, 3, 8), date(2024, 4, 1)
    q = request("1", received, date(2024, 4, 26), correction=True, correction_notice=notice,
                correction_done=completed)
    c = clock(q)
    assert c.notice_due == date(2024, 3, 12)
    # 清明 4月4日—6日 and the make-up Sundays 4月7日 and 4月28日 (劳动节)
    assert c.answer_due == add_workdays(completed, 20) == date(2024, 4, 29)
    assert not [f for f in tally_requests([q], YEAR, today=TODAY).findings if f.code in ("L811", "L812")]
    late_notice = request("2", received, date(2024, 4, 26), correction=True, correction_notice=date(2024, 3, 13),
                          correction_done=completed)
    assert "L812" in codes(tally_requests([late_notice], YEAR, today=TODAY).findings)


def test_waiting_for_correction_stops_the_clock() -> None:
    q = request("1", date(2024, 11, 1), None, correction=True, correction_notice=date(2024, 11, 5))
    (item,) = open_items([q], date(2024, 12, 31))
    assert item.due is None and item.state == "等待补正"
    # given up: 逾期不补正, answered without a completed correction: no lateness to check
    done = request("2", date(2024, 3, 1), date(2024, 6, 3), "other_no_correction", correction=True,
                   correction_notice=date(2024, 3, 5))
    assert clock(done).answer_due is None


def test_consultation_days_do_not_count() -> None:
    received = date(2024, 3, 1)
    q = request("1", received, date(2024, 4, 3), consulted=True, consult_from=date(2024, 3, 5),
                consult_to=date(2024, 3, 8))
    assert clock(q).answer_due == date(2024, 4, 7)
    assert "L811" not in codes(tally_requests([q], YEAR, today=TODAY).findings)
    open_consultation = request("2", received, None, consulted=True, consult_from=date(2024, 3, 5))
    assert clock(open_consultation).waiting == "征求意见中"


def test_open_requests_overdue_and_due_soon() -> None:
    today = date(2024, 12, 20)
    overdue = request("1", date(2024, 11, 1))
    soon = request("2", add_workdays(date(2024, 11, 25), 0))  # due 12-23: within 5 working days
    later = request("3", date(2024, 12, 18))
    notice_overdue = request("4", date(2024, 12, 2), None, correction=True)
    items = {i.request.number: i for i in open_items([overdue, soon, later, notice_overdue], today)}
    assert items["1"].state == "已逾期" and items["1"].workdays_left < 0
    assert items["2"].state == "即将到期" and items["2"].due == date(2024, 12, 23)
    assert items["3"].state == "未到期"
    assert items["4"].task == "补正告知" and items["4"].state == "已逾期"
    result = tally_requests([overdue, soon, later, notice_overdue], YEAR, today=today)
    assert codes(f for f in result.findings if f.code in ("L811", "L812", "L813", "L814")) == ["L812", "L813", "L814"]


def test_unknown_holidays_are_warned_about() -> None:
    result = tally_requests([request("1", date(2099, 3, 2), date(2099, 3, 10))], 2099, today=date(2099, 12, 31))
    assert any(f.code == "L815" and "2099" in f.message for f in result.findings)


def test_ledger_status_command(tmp_path: Path) -> None:
    path = write_ledger(tmp_path / "台账.xlsx", [
        row("1", date(2024, 11, 1), "natural"),
        row("2", date(2024, 12, 18), "business"),
        row("3", date(2024, 11, 1), "natural", date(2024, 11, 5), "granted"),
        row("4", date(2024, 12, 19), "natural", correction=YES),
    ])
    res = runner.invoke(app, ["ledger-status", str(path), "--today", "2024-12-20"])
    assert res.exit_code == 1, res.output  # something is overdue
    assert "已逾期" in res.output and "未到期" in res.output and "L813" in res.output
    assert "补正告知" in res.output
    calm = runner.invoke(app, ["ledger-status", str(path), "--today", "2024-11-04"])
    assert calm.exit_code == 0, calm.output
    assert runner.invoke(app, ["ledger-status", str(path), "--today", "20241220x"]).exit_code == 2


# ---------------------------------------------------------------- writing the report


def test_tally_into_new_and_existing_json(tmp_path: Path) -> None:
    path = write_ledger(tmp_path / "台账.xlsx", [row("1", date(2023, 12, 1), "natural", date(2024, 1, 5), "granted"),
                                                row("2", date(2024, 5, 1), "business")])
    out = tmp_path / "report.json"
    assert runner.invoke(app, ["tally", str(path), "--year", "2024", "-o", str(out)]).exit_code == 2  # no agency
    res = runner.invoke(app, ["tally", str(path), "--year", "2024", "-o", str(out), "--agency", "某局"])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text("utf-8"))
    assert data["agency"] == "某局" and data["section3"]["granted"]["natural"] == 1
    data["overview"] = "总体情况的文字。"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(app, ["tally", str(path), "--year", "2024", "-o", str(out)])
    assert res.exit_code == 0, res.output
    again = json.loads(out.read_text("utf-8"))
    assert again["overview"] == "总体情况的文字。" and again["section4"]["review"]["total"] == 0
    wrong_year = runner.invoke(app, ["tally", str(path), "--year", "2023", "-o", str(out)])
    assert wrong_year.exit_code == 2 and "2024" in wrong_year.output


def test_tally_into_agency_workbook_keeps_the_rest(tmp_path: Path) -> None:
    from qtx_report.read.load import load_report
    from qtx_report.rules.registry import validate
    from qtx_report.write.workbook import write_template

    workbook = tmp_path / "自然资源局.xlsx"
    write_template(workbook, agency="青铜峡市自然资源局", year=YEAR)
    before = load_report(workbook)
    ref = before.locations[("section2", "regulations", "issued")]
    book = openpyxl.load_workbook(workbook)
    book[ref.sheet][ref.cell] = 3  # something the clerk wrote elsewhere
    book.save(workbook)
    ledger = write_ledger(tmp_path / "台账.xlsx", [
        row("1", date(2023, 12, 28), "legal", date(2024, 1, 10), "refused_internal"),
        row("2", date(2024, 3, 1), "natural", date(2024, 3, 8), "granted"),
        row("3", date(2024, 12, 30), "business"),
    ], [{"number": "复1", "kind": "复议", "received": date(2024, 5, 1), "result": "维持", "concluded": date(2024, 7, 1)}])
    ledger_bytes = ledger.read_bytes()
    res = runner.invoke(app, ["tally", str(ledger), "--year", str(YEAR), "-o", str(workbook)])
    assert res.exit_code == 0, res.output
    assert ledger.read_bytes() == ledger_bytes  # the ledger is never modified
    after = load_report(workbook)
    report = after.report
    assert report.agency == "青铜峡市自然资源局" and report.value("section2", "regulations", "issued") == 3
    assert report.value("section3", "refused_internal", "legal") == 1
    assert report.value("section3", "new", "total") == 2 and report.value("section3", "carried_out", "business") == 1
    assert report.value("section4", "review", "upheld") == 1 and report.value("section4", "review", "total") == 1
    assert not [f for f in validate(after) if f.code.startswith("B4")]
    same_file = runner.invoke(app, ["tally", str(ledger), "--year", str(YEAR), "-o", str(ledger)])
    assert same_file.exit_code == 2 and ledger.read_bytes() == ledger_bytes


# ---------------------------------------------------------------- random ledgers balance


_APPLICANTS = [k for _, k in applicant_choices("2021")]
_RESULTS = [k for _, k in result_choices("2021")]
_days = st.dates(min_value=date(2022, 6, 1), max_value=date(2025, 6, 30))


@st.composite
def ledgers(draw) -> list[Request]:
    out = []
    for i in range(draw(st.integers(0, 40))):
        received = draw(_days)
        answered = draw(st.one_of(st.none(), st.dates(min_value=received, max_value=date(2025, 12, 31))))
        out.append(request(str(i + 1), received, answered, draw(st.sampled_from(_RESULTS)),
                           draw(st.sampled_from(_APPLICANTS)), extended=draw(st.booleans())))
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests=ledgers(), year=st.integers(2023, 2025))
def test_random_ledgers_give_balanced_reports(requests: list[Request], year: int) -> None:
    from qtx_report.model.loaded import Loaded
    from qtx_report.model.report import Report
    from qtx_report.rules.registry import validate

    result = tally_requests(requests, year, cases=[], today=date(2025, 12, 31))
    assert result.complete
    balanced(result.section3)
    report = Report(agency="某局", year=year, section3=result.section3, section4=result.section4)
    assert not [f for f in validate(Loaded("report.json", report)) if f.code.startswith("B4")]
    following = tally_requests(requests, year + 1, cases=[], today=date(2025, 12, 31))
    assert following.section3["carried_in"] == result.section3["carried_out"]


def test_incomplete_deadline_data_is_a_warning_not_an_error(tmp_path: Path) -> None:
    rows = [
        row("1", date(2024, 3, 1), "natural", date(2024, 3, 20), "granted", consulted=YES),  # no start date
        row("2", date(2024, 3, 1), "natural", date(2024, 3, 20), "granted", extended="也许"),  # not 是/否
        row("3", date(2024, 3, 8), "natural", date(2024, 3, 20), "granted", correction=YES,
            correction_notice=date(2024, 3, 4), correction_done=date(2024, 3, 12)),  # notice before receipt
        row("", date(2024, 3, 8), "natural", date(2024, 3, 20), "granted"),  # no 编号
    ]
    ledger = read_ledger(write_ledger(tmp_path / "台账.xlsx", rows))
    result = tally_requests(ledger.requests, YEAR, today=TODAY)
    found = sorted((f.code, f.cell) for f in result.findings if f.code in ("L806", "L807"))
    assert found == [("L806", "I4"), ("L806", "L2"), ("L806", "N3"), ("L807", "A5")]
    assert result.complete and result.counted == 4


def test_case_rows_that_cannot_be_counted(tmp_path: Path) -> None:
    cases = [
        {"number": "复1", "kind": "申诉", "received": date(2024, 3, 1), "result": "维持"},  # unknown type
        {"number": "复2", "kind": "复议", "received": date(2024, 3, 1), "result": "驳回"},  # unknown result
        {"number": "复3", "kind": "复议", "received": date(2024, 3, 1), "result": "维持"},
        {"number": "复3", "kind": "复议", "received": date(2024, 4, 1), "result": "维持"},  # duplicate 案号
        {"number": "复4", "kind": "复议", "received": None, "result": "维持"},  # no date
        {"number": "复5", "kind": "申诉", "received": date(2022, 3, 1), "result": "维持"},  # another year
    ]
    ledger = read_ledger(write_ledger(tmp_path / "台账.xlsx", [], cases))
    result = tally_requests(ledger.requests, YEAR, cases=ledger.cases, today=TODAY)
    assert sorted(f.cell for f in result.findings if f.code == "L808") == ["A4", "A5", "B2", "C6", "D3"]
    assert [f.cell for f in result.findings if f.code == "L809"] == ["B7"]
    assert not result.complete
    assert all(f.sheet == CASE_SHEET for f in result.findings if f.code in ("L808", "L809"))


def test_extension_across_spring_festival_and_year_end() -> None:
    # 元旦 1月1日 off; 2025 春节: 1月28日—2月4日 off, 1月26日 (Sunday) and 2月8日 (Saturday) work.
    received = date(2024, 12, 27)
    due = add_workdays(received, 40)
    assert due == date(2025, 2, 28)
    on_time = request("1", received, due, extended=True)
    late = request("2", received, date(2025, 3, 3), extended=True)
    result = tally_requests([on_time, late], 2025, today=date(2025, 6, 30))
    assert [f.cell for f in result.findings if f.code == "L811"] == ["A3"]
    assert result.section3["carried_in"]["total"] == 2 and result.section3["granted"]["total"] == 2
