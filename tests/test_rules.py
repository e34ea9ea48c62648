"""The rules beyond their case files: clean reports of both editions, messages, and what any change does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qtx_report import synth
from qtx_report.form.editions import edition
from qtx_report.model.findings import CODES
from qtx_report.model.report import Report
from qtx_report.rules.casebook import load_cases
from qtx_report.rules.catalogue import catalogue_markdown
from qtx_report.rules.registry import validate
from qtx_report.rules.text import repeated_share

from .helpers import OVERVIEW, PROBLEMS, as_loaded, balanced


def codes(report: Report, previous: Report | None = None) -> set[str]:
    found = validate(as_loaded(report), as_loaded(previous) if previous else None)
    return {f.code for f in found}


def with_cell(report: Report, grid: str, row: str, column: str, value: object) -> Report:
    data = report.model_dump()
    data[grid][row][column] = value
    return Report.model_validate(data)


# What a complete text adds to the shared fixture: 监督保障 in 总体情况 (T507), the 信息处理费 in 六 (T506).
COMPLETE = {"overview": OVERVIEW + "监督保障方面，将政务公开纳入年度考核，组织业务培训。", "other": "本年度未收取信息处理费。"}


@pytest.mark.parametrize("ed", ["2021", "2019"])
def test_clean_report_has_no_findings(ed: str) -> None:
    assert codes(balanced(ed, **COMPLETE)) == set()


def test_clean_report_against_its_own_next_year_is_quiet() -> None:
    last = balanced("2021", seed=1, year=2024, report_date=date(2025, 1, 10))
    this = balanced("2021", seed=2, overview=OVERVIEW.replace("2025", "2026") + "本年新增", problems="")
    data = this.model_dump()
    data["section3"]["carried_in"] = last.section3["carried_out"]
    assert "H701" not in codes(Report.model_validate(data), last)


# One case per rule, as data: qtx_report/rules/cases/<CODE>.toml, run by tests/test_rule_cases.py.


def test_every_code_is_exercised_by_some_test() -> None:
    """A code in the catalogue that no test names, and no case file makes fire, is a rule nobody made fire."""
    corpus = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    missing = [code for code in CODES if f'"{code}"' not in corpus and code not in load_cases()]
    assert missing == []


def test_balance_message_states_both_sides() -> None:
    report = balanced()
    grid = report.model_dump()["section3"]
    grid["carried_out"]["natural"] += 1
    grid["carried_out"]["total"] += 1
    finding = next(f for f in validate(as_loaded(report.model_copy(update={"section3": grid})))
                   if f.code == "B401" and f.column == "自然人")
    g = report.section3
    left = g["new"]["natural"] + g["carried_in"]["natural"]
    right = g["results_total"]["natural"] + g["carried_out"]["natural"] + 1
    assert f"一({g['new']['natural']})+二({g['carried_in']['natural']})={left}" in finding.message
    assert f"={right}，相差1" in finding.message


def test_repeated_share_measures_copying() -> None:
    assert repeated_share(PROBLEMS, PROBLEMS) == 1.0
    assert repeated_share("今年重点推进了农村集体三资信息公开，新建村务公开栏四十二块。", PROBLEMS) < 0.1


def test_rules_doc_is_generated_from_catalogue() -> None:
    doc = Path(__file__).parent.parent / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == catalogue_markdown()


# ------------------------------------------------------------------ properties

@st.composite
def balanced_reports(draw: st.DrawFn) -> Report:
    ed = draw(st.sampled_from(["2021", "2019"]))
    seed = draw(st.integers(0, 10_000))
    size = draw(st.floats(0.1, 30))
    return synth.report("青铜峡市某局", 2025, ed, seed, size=size).model_copy(
        update={"overview": OVERVIEW, "problems": PROBLEMS})


@settings(max_examples=60, deadline=None)
@given(balanced_reports())
def test_every_balanced_report_passes(report: Report) -> None:
    errors = [f for f in validate(as_loaded(report)) if f.severity == "error"]
    assert errors == []


@settings(max_examples=150, deadline=None)
@given(balanced_reports(), st.data())
def test_any_single_change_in_sections_3_and_4_is_an_error(report: Report, data: st.DataObject) -> None:
    ed = edition(report.edition)
    cells = [("section3", r.key, c.key) for r in ed.section3.rows if not r.is_total
             for c in ed.section3.applicant_columns]
    cells += [("section4", g.key, c.key) for g in ed.section4.groups for c in ed.section4.part_columns]
    grid, row, column = data.draw(st.sampled_from(cells))
    delta = data.draw(st.integers(1, 50))
    changed = with_cell(report, grid, row, column, report.value(grid, row, column) + delta)
    errors = {f.code for f in validate(as_loaded(changed)) if f.severity == "error"}
    assert errors & {"B401", "B402", "B403", "B404"}


def balance_findings(report: Report) -> set[tuple[str, tuple[str, str, str] | None]]:
    return {(f.code, f.key) for f in validate(as_loaded(report)) if f.code.startswith("B")}


def leaves_and_columns(report: Report) -> list[tuple[str, str]]:
    s3 = edition(report.edition).section3
    return [(leaf.key, c.key) for leaf in s3.leaves for c in s3.applicant_columns]


@settings(max_examples=60, deadline=None)
@given(balanced_reports(), st.data())
def test_a_leaf_changed_alone_breaks_its_row_and_its_column(report: Report, data: st.DataObject) -> None:
    """（七）总计 no longer sums its column (B402) and the row's 总计 its applicants (B403); 一+二 =
    （七）+四 reads only the totals, which did not move, so B401 stays quiet."""
    row, column = data.draw(st.sampled_from(leaves_and_columns(report)))
    k = data.draw(st.integers(1, 50))
    changed = with_cell(report, "section3", row, column, report.section3[row][column] + k)
    assert balance_findings(changed) == {("B402", ("section3", "results_total", column)),
                                         ("B403", ("section3", row, "total"))}


@settings(max_examples=60, deadline=None)
@given(balanced_reports(), st.data())
def test_a_leaf_carried_through_its_totals_breaks_only_the_balance(report: Report, data: st.DataObject) -> None:
    """Every 总计 agrees again, so what is left is 一+二 ≠ （七）+四 in that column and the 总计 column."""
    row, column = data.draw(st.sampled_from(leaves_and_columns(report)))
    k = data.draw(st.integers(1, 50))
    changed = report
    for r, c in ((row, column), (row, "total"), ("results_total", column), ("results_total", "total")):
        changed = with_cell(changed, "section3", r, c, changed.section3[r][c] + k)
    assert balance_findings(changed) == {("B401", ("section3", "results_total", column)),
                                         ("B401", ("section3", "results_total", "total"))}


def test_amounts_are_quoted_as_written_not_in_exponent_form() -> None:
    report = with_cell(balanced(), "section2", "fees", "fee_amount", -1234567.89)
    finding = next(f for f in validate(as_loaded(report)) if f.code == "V302")
    assert "-1234567.89" in finding.message and finding.actual == "-1234567.89"
