"""Working days with 法定节假日 and 调休, counted from the day after the start (附件3 五)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from qtx_report.ledger import workdays
from qtx_report.ledger.workdays import (
    COVERED_YEARS,
    add_workdays,
    is_covered,
    is_workday,
    merge_pauses,
    uncovered_years,
    workdays_between,
    workdays_in,
)

FAR_YEAR = 2099  # no chinese-calendar release will know this year's holidays


def walk(start: date, n: int, pauses: tuple[tuple[date, date], ...] = ()) -> date:
    """The definition, day by day: the n-th working day after start that lies in no pause."""
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_workday(day) and not any(a <= day <= b for a, b in pauses):
            counted += 1
    return day


def test_counts_from_the_next_day() -> None:
    friday = date(2024, 3, 1)
    assert add_workdays(friday, 1) == date(2024, 3, 4)  # Saturday and Sunday do not count
    assert add_workdays(date(2024, 3, 4), 1) == date(2024, 3, 5)  # the day of receipt does not count
    assert add_workdays(friday, 0) == friday  # answered on the spot


def test_spring_festival_2024_with_make_up_sundays() -> None:
    # 2024 春节: 2月10日—17日 off; 2月4日 (Sunday) and 2月18日 (Sunday) are working days.
    assert is_workday(date(2024, 2, 4)) and is_workday(date(2024, 2, 18))
    assert not is_workday(date(2024, 2, 14))
    assert add_workdays(date(2024, 1, 31), 20) == date(2024, 3, 4)


def test_national_day_2024() -> None:
    # 2024 国庆: 10月1日—7日 off; 9月29日 (Sunday) and 10月12日 (Saturday) are working days.
    assert add_workdays(date(2024, 9, 20), 20) == date(2024, 10, 23)
    assert add_workdays(date(2024, 9, 27), 1) == date(2024, 9, 29)


def test_extension_across_year_end_and_spring_festival() -> None:
    start = date(2024, 12, 20)
    assert add_workdays(start, 40) == walk(start, 40)
    assert add_workdays(start, 40) > date(2025, 2, 4)  # 2025 春节 1月28日—2月4日 pushes it on


def test_pause_days_do_not_count() -> None:
    start = date(2024, 3, 1)
    assert add_workdays(start, 20) == date(2024, 3, 29)
    # Four paused working days push the deadline past 清明 (4月4日—6日) to the make-up Sunday 4月7日.
    assert add_workdays(start, 20, [(date(2024, 3, 5), date(2024, 3, 8))]) == date(2024, 4, 7)


def test_pause_after_deadline_changes_nothing() -> None:
    start = date(2024, 3, 1)
    assert add_workdays(start, 20, [(date(2024, 5, 6), date(2024, 5, 10))]) == date(2024, 3, 29)


def test_overlapping_pauses_count_once() -> None:
    pauses = [(date(2024, 3, 5), date(2024, 3, 7)), (date(2024, 3, 6), date(2024, 3, 8))]
    assert merge_pauses(pauses) == ((date(2024, 3, 5), date(2024, 3, 8)),)
    assert add_workdays(date(2024, 3, 1), 20, pauses) == date(2024, 4, 7)


def test_workdays_in_and_between() -> None:
    assert workdays_in(date(2024, 10, 1), date(2024, 10, 7)) == 0
    assert workdays_in(date(2024, 3, 8), date(2024, 3, 4)) == 0
    assert workdays_between(date(2024, 1, 31), date(2024, 3, 4)) == 20


def test_count_starting_on_new_year_with_a_fresh_index(monkeypatch) -> None:
    # The day before 1 January lies outside an index built for the year: counting must not grow
    # the index between looking up the two ends.
    monkeypatch.setattr(workdays, "_INDEX", workdays._Index())
    assert workdays_in(date(2024, 1, 1), date(2024, 1, 10)) == 7  # 1月1日 元旦; 6、7日 weekend
    monkeypatch.setattr(workdays, "_INDEX", workdays._Index())
    assert workdays_between(date(2023, 12, 31), date(2024, 1, 10)) == 7


def test_coverage_comes_from_chinese_calendar() -> None:
    assert is_covered(2024) and not is_covered(FAR_YEAR)
    assert COVERED_YEARS.start == min(chinese_calendar.constants.holidays).year
    try:
        chinese_calendar.is_workday(date(FAR_YEAR, 1, 1))
    except NotImplementedError:
        pass
    else:  # pragma: no cover - only if the package ever covers 2099
        raise AssertionError("chinese-calendar unexpectedly knows 2099")


def test_fallback_outside_coverage_is_monday_to_friday() -> None:
    new_year = date(FAR_YEAR, 1, 1)  # a Thursday: a holiday in reality, unknown to the package
    assert is_workday(new_year)
    assert not is_workday(date(FAR_YEAR, 1, 3))  # Saturday
    assert add_workdays(date(FAR_YEAR, 1, 2), 1) == date(FAR_YEAR, 1, 5)
    assert uncovered_years(date(FAR_YEAR - 1, 12, 1), date(FAR_YEAR, 1, 5)) == [FAR_YEAR - 1, FAR_YEAR]


days = st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 6, 30))


@settings(max_examples=150, deadline=None)
@given(start=days, n=st.integers(0, 45), offset=st.integers(-10, 40), length=st.integers(0, 30))
def test_matches_day_by_day_walk(start: date, n: int, offset: int, length: int) -> None:
    pause = (start + timedelta(days=offset), start + timedelta(days=offset + length))
    assert add_workdays(start, n) == walk(start, n)
    due = add_workdays(start, n, [pause])
    assert due == walk(start, n, (pause,))
    assert workdays_between(start, due, [pause]) == n
