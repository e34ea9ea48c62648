"""Every rule fires on its fixture and stays quiet on a clean report."""

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
from qtx_report.rules.core import RULES, catalogue_markdown, repeated_share, validate

from .helpers import OVERVIEW, PROBLEMS, as_loaded, balanced


def codes(report: Report, previous: Report | None = None) -> set[str]:
    found = validate(as_loaded(report), as_loaded(previous) if previous else None)
    return {f.code for f in found}


def with_cell(report: Report, grid: str, row: str, column: str, value: object) -> Report:
    data = report.model_dump()
    data[grid][row][column] = value
    return Report.model_validate(data)


@pytest.mark.parametrize("ed", ["2021", "2019"])
def test_clean_report_has_no_findings(ed: str) -> None:
    assert codes(balanced(ed)) == set()


def test_clean_report_against_its_own_next_year_is_quiet() -> None:
    last = balanced("2021", seed=1, year=2024, report_date=date(2025, 1, 10))
    this = balanced("2021", seed=2, overview=OVERVIEW.replace("2025", "2026") + "本年新增", problems="")
    data = this.model_dump()
    data["section3"]["carried_in"] = last.section3["carried_out"]
    assert "H701" not in codes(Report.model_validate(data), last)


# ------------------------------------------------------------------ one fixture per rule

def fire_I101() -> set[str]:
    return codes(with_cell(balanced(), "section3", "granted", "natural", None))


def fire_V301() -> set[str]:
    return codes(with_cell(balanced(), "section4", "review", "upheld", 1.5))


def fire_V302() -> set[str]:
    return codes(with_cell(balanced(), "section2", "licensing", "decisions", -2))


def fire_B401() -> set[str]:
    report = balanced()
    grid = report.model_dump()["section3"]
    grid["carried_out"]["natural"] += 1
    grid["carried_out"]["total"] += 1
    return codes(report.model_copy(update={"section3": grid}))


def fire_B402() -> set[str]:
    report = balanced()
    return codes(with_cell(report, "section3", "results_total", "legal",
                           report.section3["results_total"]["legal"] + 2))


def fire_B403() -> set[str]:
    report = balanced()
    return codes(with_cell(report, "section3", "new", "total", report.section3["new"]["total"] + 1))


def fire_B404() -> set[str]:
    return codes(with_cell(balanced(), "section4", "direct_suit", "total", 7))


def fire_T501() -> set[str]:
    return codes(balanced(problems="无。"))


def fire_T502() -> set[str]:
    report = balanced()
    stated = report.section3["new"]["total"] + 3
    return codes(report.model_copy(update={"overview": OVERVIEW + f"全年共收到政府信息公开申请{stated}件。"}))


def fire_T503() -> set[str]:
    last = balanced(year=2024, report_date=date(2025, 1, 9))
    return codes(balanced(overview=last.overview), last)


def fire_D601() -> set[str]:
    return codes(balanced(report_date=date(2026, 1, 20)))


def fire_D602() -> set[str]:
    return codes(balanced(report_date=None))


def fire_H701() -> set[str]:
    last = balanced(year=2024, report_date=date(2025, 1, 9))
    data = last.model_dump()
    data["section3"]["carried_out"]["natural"] += 4
    return codes(balanced(), Report.model_validate(data))


def fire_H702() -> set[str]:
    last = balanced(year=2024, report_date=date(2025, 1, 9))
    now = with_cell(balanced(), "section2", "regulations", "in_force", last.section2["regulations"]["in_force"] + 50)
    return codes(now, last)


def fire_H703() -> set[str]:
    last = balanced("2019", year=2024, report_date=date(2025, 1, 9))
    expected = last.section2["licensing"]["prev_items"] + last.section2["licensing"]["delta"]
    return codes(with_cell(balanced("2019"), "section2", "licensing", "prev_items", expected + 9), last)


RULE_FIXTURES = {name.removeprefix("fire_"): fn for name, fn in globals().items() if name.startswith("fire_")}


@pytest.mark.parametrize("code", sorted(RULE_FIXTURES))
def test_rule_fires_on_its_fixture(code: str) -> None:
    assert code in RULE_FIXTURES[code]()


def test_every_rule_function_has_a_fixture() -> None:
    assert {rule.code for rule in RULES} <= set(RULE_FIXTURES)


def test_every_code_is_exercised_by_some_test() -> None:
    """A code in the catalogue that no test names is a rule nobody made fire."""
    corpus = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    missing = [code for code in CODES if f'"{code}"' not in corpus and f"fire_{code}" not in corpus]
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


def test_amounts_are_quoted_as_written_not_in_exponent_form() -> None:
    report = with_cell(balanced(), "section2", "fees", "fee_amount", -1234567.89)
    finding = next(f for f in validate(as_loaded(report)) if f.code == "V302")
    assert "-1234567.89" in finding.message and finding.actual == "-1234567.89"
