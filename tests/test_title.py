"""One reading of a report's title (`form.editions.parse_title`), as every reader takes it."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qtx_report.form.editions import REPORT_TITLE, REPORT_YEARS, parse_title

years = st.integers(REPORT_YEARS.start, REPORT_YEARS.stop - 1)
# Any name a clerk could type: letters, digits, punctuation, full-width forms, spaces inside.
names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


def folded(name: str) -> str:
    """The agency as parse_title gives it back: NFKC, whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


@given(st.text(st.characters(whitelist_categories=("Lo", "Nd", "Lu", "Ll", "Pd", "Ps", "Pe")), min_size=1, max_size=30)
       .filter(lambda name: folded(name) == name), years)
def test_any_agency_and_year_come_back_from_the_official_title(agency: str, year: int) -> None:
    assert parse_title(REPORT_TITLE.format(agency=agency, year=year)) == (agency, year)


@given(names.filter(lambda name: folded(name) != ""), years)
def test_any_name_comes_back_in_its_folded_form(agency: str, year: int) -> None:
    assert parse_title(REPORT_TITLE.format(agency=agency, year=year)) == (folded(agency), year)


@pytest.mark.parametrize(("text", "expected"), [
    ("青铜峡市自然资源局2025年政府信息公开工作年度报告", ("青铜峡市自然资源局", 2025)),
    ("青铜峡市自然资源局2025年度政府信息公开工作年度报告", ("青铜峡市自然资源局", 2025)),  # 年度 for 年
    (" 青铜峡市 水务局\u3000 2024 年政府信息公开\n工作年度报告 ", ("青铜峡市水务局", 2024)),  # spaces, a wrapped line
    ("青铜峡市水务局２０２４年政府信息公开工作年度报告", ("青铜峡市水务局", 2024)),  # full-width digits
    ("青铜峡市人民政府（办公室）2024年政府信息公开工作年度报告", ("青铜峡市人民政府(办公室)", 2024)),
    ("青铜峡市自然资源局2025年政府信息公开工作年度报告_青铜峡市人民政府", ("青铜峡市自然资源局", 2025)),  # a portal's <title>
    ("青铜峡市自然资源局2025年政府信息公开工作年度报告-青铜峡市人民政府门户网站", ("青铜峡市自然资源局", 2025)),
    ("青铜峡市自然资源局2025年政府信息公开工作年度报告（定稿）", ("青铜峡市自然资源局", 2025)),  # a file name's stem
    ("青铜峡市自然资源局2025年政府信息公开工作年度报告(1)", ("青铜峡市自然资源局", 2025)),
    ("第2中学2025年政府信息公开工作年度报告", ("第2中学", 2025)),
    ("青铜峡市某局12025年政府信息公开工作年度报告", ("青铜峡市某局1", 2025)),  # digits ending the name
    ("2025年政府信息公开工作年度报告", ("", 2025)),  # the agency on a line of its own before it
])
def test_titles_as_they_are_written(text: str, expected: tuple[str, int]) -> None:
    assert parse_title(text) == expected


@pytest.mark.parametrize("text", [
    "",
    "政府信息公开工作年度报告",
    "青铜峡市自然资源局政府信息公开工作年度报告",  # no year
    "青铜峡市自然资源局2007年政府信息公开工作年度报告",  # before the 条例
    "青铜峡市自然资源局2101年政府信息公开工作年度报告",
    "青铜峡市自然资源局25年政府信息公开工作年度报告",
    "现将青铜峡市自然资源局2025年政府信息公开工作年度报告公布如下",  # a sentence naming the report
    "青铜峡市自然资源局2025年政府信息公开工作报告",
])
def test_what_is_no_title(text: str) -> None:
    assert parse_title(text) is None
