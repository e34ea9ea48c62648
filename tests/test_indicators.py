"""The assessor's indicators (实质公开率, 纠错率, 无法提供占比; only from 30 cases on), the anomaly prompts
in the status sheet and the city report, and `city --previous --compare`'s pages."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtx_report import synth
from qtx_report.city import outputs, outputs_xlsx
from qtx_report.city.outputs import COMPARE_DIR
from qtx_report.cli.app import app
from qtx_report.cli.city import city_command
from qtx_report.form.editions import edition
from qtx_report.rules.indicators import MIN_CASES, NAMES, indicators, report_indicators

from .helpers import TEXT, balanced, write_filled
from .test_scoring import docx_text

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ED = edition("2021")


def cells(**values: int | None):
    """A report's cells: the given (grid.row.column with _ for dots) and 0 elsewhere."""
    given = {tuple(k.split("__")): v for k, v in values.items()}
    return lambda grid, row, column: given.get((grid, row, column), 0)


def test_shares_from_thirty_cases_on():
    value = cells(section3__granted__total=20, section3__partial__total=7, section3__unable_not_held__total=3,
                  section3__unable_create__total=3, section3__results_total__total=40,
                  section4__review__corrected=2, section4__review__total=20,
                  section4__direct_suit__corrected=1, section4__direct_suit__total=10)
    found = indicators(value, ED)
    assert found.substantive == pytest.approx(27 / 40) and found.unable == pytest.approx(6 / 40)
    assert found.correction == pytest.approx(3 / 30)
    assert [label for label, _ in found.shown()] == [label for _, label, _ in NAMES]


def test_fewer_than_thirty_cases_or_a_blank_gives_no_share():
    few = indicators(cells(section3__granted__total=29, section3__results_total__total=29,
                           section4__review__total=29), ED)
    assert few.substantive is None and few.correction is None and few.unable is None and few.shown() == []
    blank = indicators(cells(section3__granted__total=None, section3__results_total__total=50), ED)
    assert blank.substantive is None and blank.unable == 0


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 3), st.integers(1, 60))
def test_a_share_is_defined_exactly_from_min_cases_and_within_0_and_1(seed, size):
    report = synth.report("青铜峡市测试局", 2025, "2021", seed, size=size)
    found = report_indicators(report)
    results = report.value("section3", "results_total", "total")
    assert (found.substantive is None) == (results < MIN_CASES)
    for _, share in found.shown():
        assert 0 <= share <= 1


def test_city_shows_indicators_and_prompts(tmp_path):
    folder = tmp_path / "2025"
    folder.mkdir()
    many = synth.report("青铜峡市测试局", 2025, "2021", 1, size=60).model_copy(update=TEXT)
    write_filled(folder / "测试局.xlsx", many)
    lots = balanced(agency="青铜峡市清理局", seed=2)
    lots.section2["normative_docs"].update(issued=0, repealed=0, in_force=150)
    write_filled(folder / "清理局.xlsx", lots)
    out = tmp_path / "out"
    city_command(folder, output=out, jobs=1)
    summary = json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))
    rows = {r["agency"]: r for r in summary["agencies"]}
    expected = report_indicators(many)
    assert rows["青铜峡市测试局"]["indicators"]["substantive"] == round(expected.substantive, 4)
    assert rows["青铜峡市清理局"]["prompts"] == ["现行有效件数较多而本年没有废止"]
    sheet = openpyxl.load_workbook(out / outputs.OUT_XLSX, read_only=True)[outputs_xlsx.STATUS_SHEET]
    header, *values = list(sheet.iter_rows(values_only=True))
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in values}
    assert by_name["青铜峡市清理局"]["异常提示"] == "现行有效件数较多而本年没有废止"
    assert by_name["青铜峡市测试局"]["实质公开率"] == pytest.approx(expected.substantive)
    report = docx_text(out / outputs.OUT_DOCX)
    assert "附件3：指标与异常提示" in report and "全市实质公开率" in report and "现行有效件数较多而本年没有废止" in report


def test_samples_city_indicators_and_year_over_year_prompts(tmp_path):
    out = tmp_path / "out"
    city_command(SAMPLES / "2025", roster=SAMPLES / "名单.xlsx", previous=SAMPLES / "2024", output=out, jobs=1)
    summary = json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))
    total = summary["sums"]["total"]["section3"]
    granted, partial = total["granted"]["total"], total["partial"]["total"]
    assert summary["indicators"]["substantive"] == round((granted + partial) / total["results_total"]["total"], 4)
    assert all(all(v is None for v in r["indicators"].values()) for r in summary["agencies"])  # none has 30 cases
    rows = {r["agency"]: r for r in summary["agencies"]}
    assert rows["青铜峡市公安局"]["prompts"] == ["数字较上年变化5倍以上"]  # 行政许可 280 → 30, and others
    assert rows["青铜峡市人民政府办公室"]["prompts"] == ["上年较多，本年为0"]  # 规范性文件 制发 10 → 0


def test_compare_pages_one_per_agency_with_last_year(tmp_path):
    out = tmp_path / "out"
    code = city_command(SAMPLES / "2025", roster=SAMPLES / "名单.xlsx", previous=SAMPLES / "2024", output=out,
                        jobs=2, compare=True)
    assert code == 1
    pages = sorted(p.name for p in (out / COMPARE_DIR).iterdir())
    assert len(pages) == 35 and "瞿靖镇.html" in pages  # every 2025 report with a 2024 one (葡萄 has none)
    page = (out / COMPARE_DIR / "瞿靖镇.html").read_text(encoding="utf-8")
    assert "2025" in page and "2024" in page and "<script" not in page
    # 公安局's jumps are prompts, drawn apart from breaks of continuity
    police = (out / COMPARE_DIR / "市公安局.html").read_text(encoding="utf-8")
    assert police.count('class="v prompt"') == 3 and 'class="v break"' not in police


def test_compare_needs_previous(tmp_path):
    result = CliRunner().invoke(app, ["city", str(SAMPLES / "2025"), "--compare", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--previous" in result.output
